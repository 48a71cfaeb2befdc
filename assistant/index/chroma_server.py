"""Chroma servers as teams deploy them: plain HTTP, HTTPS behind a token-checking proxy,
or Chroma Cloud; and one-line errors that say what to do when the connection fails.

The token (CHROMA_API_KEY) is sent as `X-Chroma-Token`, the header Chroma's own clients
and its recommended proxies use. It is never part of a message: errors are described from
their kind (refused, untrusted certificate, unreachable), not from the server's text.
A private CA is trusted through SSL_CERT_FILE, which httpx (under chromadb) reads.
"""

from __future__ import annotations

import os
import ssl
from typing import Any

from assistant.config import Settings
from assistant.errors import IndexError_

TOKEN_HEADER = "X-Chroma-Token"
CLOUD_HOST = "api.trychroma.com"


def server_url(settings: Settings) -> str:
    scheme = "https" if settings.chroma_ssl else "http"
    host = settings.chroma_host or (CLOUD_HOST if is_cloud(settings) else "localhost")
    return f"{scheme}://{host}:{server_port(settings)}"


def server_port(settings: Settings) -> int:
    if settings.chroma_port:
        return settings.chroma_port
    return 443 if settings.chroma_ssl else 8000


def is_cloud(settings: Settings) -> bool:
    return bool(settings.chroma_tenant or settings.chroma_database)


def uses_server(settings: Settings) -> bool:
    return bool(settings.chroma_host) or is_cloud(settings)


def _token(settings: Settings) -> str | None:
    return settings.chroma_api_key.get_secret_value() if settings.chroma_api_key else None


def connect(settings: Settings, chroma_settings: Any) -> Any:
    """A client for the configured server; a one-line IndexError_ when it cannot be used."""
    import chromadb

    token = _token(settings)
    try:
        if is_cloud(settings):
            if not token:
                raise IndexError_("Chroma Cloud needs an API key: set CHROMA_API_KEY")
            return chromadb.CloudClient(
                tenant=settings.chroma_tenant or "default_tenant",
                database=settings.chroma_database or "default_database",
                api_key=token,
                settings=chroma_settings,
                cloud_host=settings.chroma_host or CLOUD_HOST,
                cloud_port=server_port(settings),
                enable_ssl=settings.chroma_ssl,
            )
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=server_port(settings),
            ssl=settings.chroma_ssl,
            headers={TOKEN_HEADER: token} if token else None,
            settings=chroma_settings,
        )
    except IndexError_:
        raise
    except Exception as error:
        raise IndexError_(describe_failure(error, settings)) from None


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _status(error: BaseException) -> int | None:
    for item in _chain(error):
        response = getattr(item, "response", None)
        code = getattr(response, "status_code", None)
        if isinstance(code, int):
            return code
        name = type(item).__name__
        if name in {"ChromaAuthError", "AuthorizationError"}:
            return 401
        text = str(item)
        for code in (401, 403):
            if str(code) in text and ("Unauthorized" in text or "Forbidden" in text):
                return code
    return None


def describe_failure(error: BaseException, settings: Settings) -> str:
    """What went wrong with the server, in one line that says what to do."""
    url = server_url(settings)
    chain = _chain(error)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or any(
        "CERTIFICATE_VERIFY_FAILED" in str(e) for e in chain
    ):
        cert_file = os.environ.get("SSL_CERT_FILE")
        hint = (
            f"SSL_CERT_FILE ({cert_file}) does not hold its CA"
            if cert_file
            else "set SSL_CERT_FILE to your CA bundle"
        )
        return f"TLS certificate of {url}: not trusted; {hint}"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return f"TLS handshake with {url} failed: check that the server speaks https (CHROMA_SSL)"
    status = _status(error)
    if status in (401, 403):
        if not _token(settings):
            return f"the Chroma server at {url} asks for a token: set CHROMA_API_KEY"
        return f"the Chroma server at {url} refused the token: check CHROMA_API_KEY"
    if any(type(e).__name__ in {"ConnectError", "ConnectTimeout", "ConnectionError"}
           or isinstance(e, ConnectionError) for e in chain):  # fmt: skip
        return (
            f"cannot reach the Chroma server at {url}: start it, or use the on-disk store "
            "(no --chroma-url, CHROMA_HOST unset)"
        )
    return (
        f"the Chroma server at {url} failed ({type(error).__name__}); "
        "check CHROMA_HOST/CHROMA_PORT, or unset CHROMA_HOST to use the on-disk store"
    )


def check_heartbeat(settings: Settings) -> tuple[bool, str]:
    """Whether the server answers at all (no token sent), for `doctor`."""
    import httpx

    url = f"{server_url(settings)}/api/v2/heartbeat"
    try:
        response = httpx.get(url, timeout=10.0)
    except Exception as error:
        return False, describe_failure(error, settings)
    if response.status_code in (401, 403):
        return True, "answers, and asks for a token"
    if response.status_code >= 400:
        return False, f"{url} answered HTTP {response.status_code}: is this a Chroma server?"
    return True, "answers"


def check_token(settings: Settings) -> tuple[bool, str]:
    """Whether an authenticated call (listing collections) succeeds, for `doctor`."""
    from chromadb.config import Settings as ChromaSettings

    try:
        client = connect(settings, ChromaSettings(anonymized_telemetry=False))
        count = client.count_collections()
    except IndexError_ as error:
        return False, str(error)
    except Exception as error:
        return False, describe_failure(error, settings)
    token = "with the token" if _token(settings) else "without a token"
    return True, f"{count} collection(s) listed {token}"
