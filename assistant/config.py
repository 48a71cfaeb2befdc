"""One typed settings object, built from defaults, the environment and explicit options."""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import InputError

DEFAULT_COLLECTION = "papers"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("assistant", appauthor=False))


class Settings(BaseSettings):
    """Everything the assistant can be configured with. Environment names are in `alias`."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        alias="ASSISTANT_DATA_DIR",
        description="Where the index lives.",
    )
    collection: str = Field(
        DEFAULT_COLLECTION,
        alias="ASSISTANT_COLLECTION",
        description="Name of the corpus collection to index and query.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,62}$",
    )
    embedding: Literal["local", "openai"] = Field(
        "local",
        alias="ASSISTANT_EMBEDDING",
        description="Embedding backend: the bundled local model, or an OpenAI-compatible endpoint.",
    )
    embedding_runtime: Literal["auto", "openvino", "onnxruntime"] = Field(
        "auto",
        alias="ASSISTANT_EMBEDDING_RUNTIME",
        description="What runs the local model: the faster of the two on this CPU, chosen "
        "once per data dir (auto), OpenVINO, or onnxruntime.",
    )
    embedding_model: str | None = Field(
        None,
        alias="ASSISTANT_EMBEDDING_MODEL",
        description="Embedding model name (default: all-MiniLM-L6-v2 locally, "
        "text-embedding-3-small for openai).",
    )
    openai_api_key: SecretStr | None = Field(
        None, alias="OPENAI_API_KEY", description="API key of the OpenAI-compatible endpoint."
    )
    openai_base_url: str | None = Field(
        None, alias="OPENAI_BASE_URL", description="Base URL of the OpenAI-compatible endpoint."
    )
    llm_model: str = Field(
        "gpt-4o-mini",
        alias="ASSISTANT_LLM_MODEL",
        description="Chat model for LLM answers.",
        min_length=1,
    )
    llm_timeout: float = Field(
        60.0,
        alias="ASSISTANT_LLM_TIMEOUT",
        description="Seconds to wait for the LLM.",
        gt=0,
        le=86400,  # a day; beyond, the HTTP client's clock overflows
        allow_inf_nan=False,
    )
    llm_max_retries: int = Field(
        2,
        alias="ASSISTANT_LLM_MAX_RETRIES",
        description="Retries, with backoff, on timeouts, 429 and 5xx answers.",
        ge=0,
        le=10,
    )
    llm_context_window: int = Field(
        16000,
        alias="ASSISTANT_LLM_CONTEXT_WINDOW",
        description="The model's context window in tokens; evidence is trimmed to fit.",
        ge=1024,
    )
    llm_answer_tokens: int = Field(
        800,
        alias="ASSISTANT_LLM_ANSWER_TOKENS",
        description="Tokens reserved for the answer.",
        ge=64,
    )
    fallback: Literal["none", "offline"] = Field(
        "none",
        alias="ASSISTANT_FALLBACK",
        description="What to do when the LLM fails: report the error, or answer offline.",
    )
    llm_rerank: bool = Field(
        False,
        alias="ASSISTANT_LLM_RERANK",
        description="Let the LLM score each candidate's relevance (0-10) in one batched call, "
        "instead of the fitted decision (`--rerank llm`).",
    )
    verify: bool = Field(
        False,
        alias="ASSISTANT_VERIFY",
        description="Ask the LLM, per cited sentence, whether the cited abstracts support it.",
    )
    prompts_dir: Path | None = Field(
        None,
        alias="ASSISTANT_PROMPTS_DIR",
        description="A folder of prompt files that override the bundled ones by name.",
    )
    chroma_host: str | None = Field(
        None, alias="CHROMA_HOST", description="Chroma server host (default: on-disk store)."
    )
    chroma_port: int | None = Field(
        None,
        alias="CHROMA_PORT",
        description="Chroma server port (default 8000, 443 with TLS).",
        ge=1,
        le=65535,
    )
    chroma_ssl: bool = Field(False, alias="CHROMA_SSL", description="Talk to the server over TLS.")
    chroma_api_key: SecretStr | None = Field(
        None,
        alias="CHROMA_API_KEY",
        description="Token sent as X-Chroma-Token to the server (environment only).",
    )
    chroma_tenant: str | None = Field(
        None, alias="CHROMA_TENANT", description="Chroma Cloud tenant (with CHROMA_DATABASE)."
    )
    chroma_database: str | None = Field(
        None, alias="CHROMA_DATABASE", description="Chroma Cloud database."
    )
    chunk_size: int = Field(200, description="Chunk size in cl100k_base tokens.", ge=32)
    chunk_overlap: int = Field(40, description="Overlap between chunks in tokens.", ge=0)

    @field_validator("openai_api_key", "chroma_api_key", mode="before")
    @classmethod
    def _clean_key(cls, value: object) -> object:
        """A pasted key loses the newline or spaces around it; one with whitespace or
        control characters inside is refused (never echoed: the message names no part)."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            return value
        value = value.strip()
        if re.search(r"[\s\x00-\x1f\x7f]", value):
            raise ValueError("the key holds whitespace or control characters: copy it again, alone")
        return value or None

    @field_validator("embedding_model")
    @classmethod
    def _embedding_model(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The local backend runs one model: naming another would be silently ignored."""
        local = info.data.get("embedding") == "local"
        if local and value and value.strip().lower().split("/")[-1] != "all-minilm-l6-v2":
            raise ValueError(
                "the local backend runs all-MiniLM-L6-v2 only; unset it, or set "
                "ASSISTANT_EMBEDDING=openai to use an endpoint's model"
            )
        return value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: object) -> object:
        """An empty ASSISTANT_DATA_DIR means the default, never the current folder; a file
        is refused before anything is written beside it."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return default_data_dir()
        path = Path(value).expanduser() if isinstance(value, str | Path) else value
        if isinstance(path, Path) and re.search(r"[\x00-\x1f\x7f\ud800-\udfff]", str(path)):
            # bytes that are not UTF-8, or control characters: the vector store cannot open it
            raise ValueError("the path holds control characters or bytes that are not UTF-8: "
                             "choose a folder whose name is plain text")  # fmt: skip
        if isinstance(path, Path) and path.exists() and not path.is_dir():
            raise ValueError(f"{path} is a file, not a folder: point it at a folder")
        return path

    @field_validator("prompts_dir", mode="before")
    @classmethod
    def _prompts_dir(cls, value: object) -> object:
        """A prompts folder that is not there is refused: silently using the bundled prompts
        would hide the mistake."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        path = Path(value).expanduser() if isinstance(value, str | Path) else value
        if isinstance(path, Path) and not path.is_dir():
            raise ValueError(f"{path} is not a folder of prompt files")
        return path

    @field_validator("openai_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: object) -> object:
        """An endpoint is an http(s) URL; anything else would only fail later, as a server
        that does not answer."""
        if not isinstance(value, str):
            return value
        value = value.strip()
        if value and not (
            re.match(r"^https?://[^\s/]+", value, re.IGNORECASE) and _url_parses(value)
        ):
            if _port_out_of_range(value):
                raise ValueError("its port must be a number from 1 to 65535")
            raise ValueError("must be an http:// or https:// URL, e.g. http://localhost:8000/v1")
        return value or None

    @field_validator("chroma_host", mode="before")
    @classmethod
    def _chroma_host(cls, value: object) -> object:
        """A blank CHROMA_HOST means no server, as an unset one does."""
        if isinstance(value, str):
            return value.strip() or None
        return value

    @property
    def llm_configured(self) -> bool:
        """A key or a base URL switches answering to the LLM."""
        return bool(self.openai_api_key or self.openai_base_url)

    def uses_llm(self, llm: bool | None) -> bool:
        """Whether a call answers with the LLM: as asked (`llm`), else as configured. Asked
        for with none configured, it fails at once: the OpenAI client would try the public
        API without a key, retrying."""
        if llm and not self.llm_configured:
            raise InputError(
                "no LLM is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
                "server (or answer offline)"
            )
        return self.llm_configured if llm is None else llm

    @property
    def collection_dir(self) -> Path:
        """Files of one collection that live beside the vector store (catalog, BM25, lock)."""
        return self.data_dir / "collections" / self.collection


def _port_out_of_range(url: str) -> bool:
    """ "http://127.0.0.1:99999/v1": a URL but for its port."""
    match = re.match(r"^https?://[^\s/@]*?:(\d+)(?:/|$)", url, re.IGNORECASE)
    return bool(match) and not 0 < int(match.group(1)) < 65536


def _url_parses(url: str) -> bool:
    """Whether a URL has a host and a numeric port (if any) and holds no control
    characters: "http://x:abc/v1" or "http://[x/v1" would fail only when first used."""
    from urllib.parse import urlsplit

    if re.search(r"[\s\x00-\x1f\x7f]", url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    return bool(parts.hostname)


# What a setting may hold, in words, where pydantic would quote a pattern.
_COLLECTION_RULE = (
    "a collection name is 3 to 63 characters: letters, digits, '_' and '-', starting with "
    "a letter or digit"
)
_SETTING_RULES = {"collection": _COLLECTION_RULE, "ASSISTANT_COLLECTION": _COLLECTION_RULE}
# Settings whose names the redaction reads as "KEY: value": their message is set apart in
# parentheses, or its first word would be masked as if it were the key.
_SECRET_SETTINGS = {"openai_api_key", "chroma_api_key", "OPENAI_API_KEY", "CHROMA_API_KEY"}


def setting_error(error: ValidationError) -> str:
    """A pydantic ValidationError as one line naming the setting; never the value."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    message = _SETTING_RULES.get(field) if first["type"] == "string_pattern_mismatch" else None
    message = message or first["msg"].removeprefix("Value error, ")
    if field in _SECRET_SETTINGS:
        return f"invalid setting {field} ({message})"
    return f"invalid setting {field}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit non-None overrides (CLI options, kwargs).
    An unknown name ("data_dirr") or a value a setting cannot hold is an InputError: a
    notebook's typo must not quietly fall back to the default index."""
    given = {key: value for key, value in overrides.items() if value is not None}
    fields = Settings.model_fields
    known = set(fields) | {f.alias for f in fields.values() if f.alias}
    if unknown := sorted(set(given) - known):
        close = {u: get_close_matches(u, sorted(fields), n=1) for u in unknown}
        hints = [f"{u} (did you mean {close[u][0]}?)" if close[u] else u for u in unknown]
        raise InputError(f"unknown setting {', '.join(hints)}; Settings lists them all")
    try:
        return Settings(**given)
    except ValidationError as error:
        raise InputError(setting_error(error)) from None
