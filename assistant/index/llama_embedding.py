"""Any `Embedder` as a llama-index embedding class, for llama-index pipelines."""

from __future__ import annotations

from typing import Any

from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from assistant.index.embeddings import Embedder


class AssistantEmbedding(BaseEmbedding):
    """Wraps the configured backend; batching and length-sorting happen in the backend."""

    _backend: Any = PrivateAttr()

    def __init__(self, backend: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=backend.model_id, embed_batch_size=256, **kwargs)
        self._backend = backend

    @classmethod
    def class_name(cls) -> str:
        return "AssistantEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._backend.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._backend.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._backend.embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
