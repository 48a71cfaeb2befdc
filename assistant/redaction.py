"""Secrets never reach a person's screen: every log record and every error message the
command line prints goes through `redact`.

Libraries log what servers send back (llama-index's retries log the error body, and some
servers echo the request's headers there), so the filter sits on the one handler the
command line installs, and errors are redacted where they are printed, tracebacks too.
"""

from __future__ import annotations

import logging
import os
import re

SECRET_VARIABLES = ("OPENAI_API_KEY", "CHROMA_API_KEY")
MASK = "***"
# Secrets in forms a server may echo, whatever their value: bearer tokens, token headers,
# and OpenAI-style keys.
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[^\s'\",}]+"),
    re.compile(
        r"(?i)((?:x-chroma-token|api[-_]key|authorization)['\"]?\s*[:=]\s*['\"]?)[^\s'\",;}]+"
    ),
    re.compile(r"\b(sk-)[A-Za-z0-9_-]{8,}"),
    # credentials inside a URL: "http://KEY@host", "https://user:KEY@host", "?api_key=KEY"
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s@]+(?=@)"),
    re.compile(r"(?i)([?&](?:key|api[-_]?key|token|access[-_]token|secret|password)=)[^&#\s;]+"),
)


def debug_enabled() -> bool:
    """ASSISTANT_DEBUG=1 (or yes/true/on); unset, empty, 0, no, false and off mean off."""
    value = os.environ.get("ASSISTANT_DEBUG", "").strip().lower()
    return value not in ("", "0", "no", "false", "off")


# Secrets given in code rather than the environment (a notebook's `openai_api_key=`).
_REGISTERED: set[str] = set()
# In what a model writes, a secret this short is a placeholder ("none", "test", "EMPTY"
# for a local server), and masking it would mask every "none" of the answer.
MIN_WRITTEN_SECRET = 8


def register_secret(secret: str) -> None:
    """Mask this value too, wherever it is printed from now on."""
    if len(secret.strip()) >= 4:
        _REGISTERED.add(secret.strip())


def redact(text: str, shortest: int = 4) -> str:
    """The text with every configured secret (of `shortest` characters or more), and
    anything shaped like one, masked."""
    secrets = {os.environ.get(name, "").strip() for name in SECRET_VARIABLES} | _REGISTERED
    for secret in secrets:
        if len(secret) >= shortest:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def redact_written(text: str) -> str:
    """What a model wrote, with the secrets it may echo masked (see MIN_WRITTEN_SECRET)."""
    return redact(text, MIN_WRITTEN_SECRET)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = redact(record.getMessage()), ()
            if record.exc_info and not record.exc_text:  # other handlers keep exc_info
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        except Exception:  # a record that cannot be formatted is logging's to report
            pass
        return True


def protect_logs() -> None:
    """Redact every log record as it is made, whichever handler prints it (a notebook's,
    one added later, or Python's last resort, which shows llama-index's "Retrying ..."
    warnings with the server's error body), without installing a handler of our own: a
    library leaves logging to its host. Installed once per process."""
    make = logging.getLogRecordFactory()
    if getattr(make, "redacting", False):
        return

    def redacting(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _FILTER.filter(record)
        return record

    redacting.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)


_FILTER = RedactingFilter()


def install_log_redaction(debug: bool) -> None:
    """One stderr handler for every library's log records, redacted: errors only normally
    (a library's warnings, such as llama-index's "Retrying ..." or bibtexparser's "Parsing
    aborted", repeat what the command says in its own one line), everything with
    ASSISTANT_DEBUG."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    # the handler's own level: a library's logger set to DEBUG (bm25s) still passes records up
    handler.setLevel(logging.DEBUG if debug else logging.ERROR)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.ERROR)
