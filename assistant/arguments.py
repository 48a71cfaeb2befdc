"""Checks of the library API's arguments, so that a notebook user who passes `k="5"` or
`since="2023"` reads what to pass instead of a TypeError from deep inside."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from pathlib import Path

from assistant.errors import InputError

SEARCH_MODES = ("hybrid", "dense", "bm25")


def whole_number(value: object, name: str, minimum: int) -> int:
    """An int of at least `minimum`; bools and floats are refused, not truncated."""
    try:
        if isinstance(value, bool | float):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise InputError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise InputError(f"{name} must be at least {minimum}")
    return number


def optional_whole_number(value: object, name: str, minimum: int) -> int | None:
    return None if value is None else whole_number(value, name, minimum)


def optional_text(value: object, name: str) -> str | None:
    """`value` when it is text or None."""
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"{name} must be text (a str), not {type(value).__name__}")


def search_mode(mode: object) -> str:
    if mode not in SEARCH_MODES:
        raise InputError(f"mode must be one of {', '.join(SEARCH_MODES)}, not {mode!r}")
    return str(mode)


def paths(value: str | Path | Sequence[str | Path]) -> list[Path]:
    """One path or several: a single str is one path, not a sequence of letters."""
    items = [value] if isinstance(value, str | Path) else list(value)
    for item in items:
        if not isinstance(item, str | Path):
            raise InputError(f"a corpus path must be a str or Path, not {type(item).__name__}")
    return [Path(item) for item in items]


def paper_ids(value: Collection[str] | str | None) -> Collection[str] | None:
    """One paper id or several: a single str is one id, not a set of letters."""
    return {value} if isinstance(value, str) else value
