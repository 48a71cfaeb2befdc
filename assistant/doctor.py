"""`assistant doctor`: the effective configuration (key masked) and live checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.config import Settings

MAX_MODELS_LISTED = 12


@dataclass
class DoctorReport:
    settings: list[tuple[str, str]] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(ok for _, ok, _ in self.checks)


def mask(secret: str | None) -> str:
    """Whether a key is set, and its length: never any of its characters."""
    return f"set (hidden, {len(secret)} characters)" if secret else "not set"


def diagnose(settings: Settings) -> DoctorReport:
    from assistant.index.chroma_server import (
        check_heartbeat,
        check_token,
        is_cloud,
        server_url,
        uses_server,
    )
    from assistant.index.runtimes import describe_runtime

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    report = DoctorReport()
    report.settings = [
        ("data dir", str(settings.data_dir)),
        ("collection", settings.collection),
        (
            "vector store",
            f"Chroma {'Cloud' if is_cloud(settings) else 'server'} {server_url(settings)}"
            if uses_server(settings)
            else f"on disk ({settings.data_dir / 'chroma'})",
        ),
        (
            "embedding",
            settings.embedding
            + (f" ({settings.embedding_model})" if settings.embedding_model else ""),
        ),
        *(
            [("embedding runtime", describe_runtime(settings.embedding_runtime, settings.data_dir))]
            if settings.embedding == "local"
            else []
        ),
        ("answer mode", "llm" if settings.llm_configured else "extractive (offline)"),
        ("LLM endpoint", settings.openai_base_url or "https://api.openai.com/v1 (default)"),
        ("LLM model", settings.llm_model),
        ("OPENAI_API_KEY", mask(key)),
        ("timeout / retries", f"{settings.llm_timeout:g} s / {settings.llm_max_retries}"),
        (
            "context window / answer",
            f"{settings.llm_context_window} / {settings.llm_answer_tokens} tokens",
        ),
        ("fallback", settings.fallback),
        ("prompts", str(settings.prompts_dir or "bundled")),
    ]
    server_ok = True
    if uses_server(settings):
        token = settings.chroma_api_key.get_secret_value() if settings.chroma_api_key else None
        report.settings.insert(3, ("CHROMA_API_KEY", mask(token)))
        for name, check in (("Chroma heartbeat", check_heartbeat),
                            ("Chroma authenticated call", check_token)):  # fmt: skip
            ok, detail = check(settings)
            report.checks.append((name, ok, detail))
            server_ok = server_ok and ok
    name, ok, detail = _check_index(settings)
    if not server_ok:  # the catalog is local, but the vectors it describes are not reachable
        ok, detail = False, f"{detail} in the catalog, but their vectors are on the server above"
    report.checks.append((name, ok, detail))
    if settings.llm_configured:
        report.checks.append(_check_endpoint(settings, key))
    return report


def _check_index(settings: Settings) -> tuple[str, bool, str]:
    from assistant.errors import AssistantError
    from assistant.index.catalog import Catalog
    from assistant.index.indexer import paths_of

    catalog_path, _, _ = paths_of(settings)
    first_use = ("index", True, "empty: the first ask/search indexes the bundled seeds")
    if not catalog_path.exists():
        return first_use
    try:
        catalog = Catalog(catalog_path)
        count, by_user = catalog.count(), catalog.indexed_by_user()
    except AssistantError as error:
        return ("index", False, str(error))
    if count == 0 and not by_user:  # a first use stopped early: the next one starts again
        return first_use
    if count == 0:
        return (
            "index",
            False,
            "no papers: run `assistant index YOUR FILES` (or `assistant index`)",
        )
    return ("index", True, f"{count} papers")


def _check_endpoint(settings: Settings, key: str | None) -> tuple[str, bool, str]:
    import openai

    from assistant.answer.llm import endpoint_error

    client = openai.OpenAI(
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=min(settings.llm_timeout, 15.0),
        max_retries=0,
    )
    try:
        models = [m.id for m in client.models.list()]
    except openai.APIError as error:
        return ("endpoint", False, str(endpoint_error(error, settings)))
    listed = ", ".join(models[:MAX_MODELS_LISTED]) + (
        " ..." if len(models) > MAX_MODELS_LISTED else ""
    )
    if settings.llm_model in models:
        return ("endpoint", True, f"serves {settings.llm_model!r} (models: {listed})")
    return (  # not a failure: Ollama serves "llama3.1" as "llama3.1:latest", llama.cpp any name
        "endpoint",
        True,
        f"answers, but does not list {settings.llm_model!r}; set ASSISTANT_LLM_MODEL to one "
        f"it serves: {listed or 'none listed'}",
    )
