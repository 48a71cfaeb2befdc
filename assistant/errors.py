"""Errors the user can act on. Each carries a one-line message that says what to do."""


class AssistantError(Exception):
    """Base class: the CLI prints `str(error)` on one line and exits non-zero."""

    exit_code = 1


class InputError(AssistantError):
    """The user's input (a question, a path, an option) cannot be used."""

    exit_code = 2


class CorpusError(AssistantError):
    """A corpus file or folder cannot be read at all."""


class IndexError_(AssistantError):
    """The index is missing, corrupt, locked or built with other settings."""


class IndexLockedError(IndexError_):
    """Another process is writing to the same index."""


class EndpointError(AssistantError):
    """An OpenAI-compatible endpoint failed in a way retrying did not fix."""
