"""Checks of the library API's arguments, so that a notebook user who passes `k="5"` or
`since="2023"` reads what to pass instead of a TypeError from deep inside."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from pathlib import Path

from assistant.errors import InputError

SEARCH_MODES = ("hybrid", "dense", "bm25")


# The shortest related-work draft asked for (the library and the command line check it).
MIN_DRAFT_WORDS = 50


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


def one_of(value: object, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def search_mode(mode: object) -> str:
    return one_of(mode, "mode", SEARCH_MODES)


def flag(value: object, name: str) -> bool | None:
    """True, False or None (as configured): "no" is not a way to say False."""
    if value is None or isinstance(value, bool):
        return value
    raise InputError(f"{name} must be True, False or None, not {value!r}")


def texts(value: str | Sequence[str] | None, name: str) -> list[str] | None:
    """One word or several: a single str ("cs.CL") is one, not a sequence of letters."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence | set | frozenset) or not all(
        isinstance(item, str) for item in items
    ):
        raise InputError(f"{name} must be a str or a list of str, not {type(value).__name__}")
    return list(items)


def paths(value: str | Path | Sequence[str | Path]) -> list[Path]:
    """One path or several: a single str is one path, not a sequence of letters."""
    if not isinstance(value, str | Path | Sequence | set | frozenset):
        raise InputError(f"paths must be a str, a Path or a list of them, not {value!r}")
    items = [value] if isinstance(value, str | Path) else list(value)
    for item in items:
        if not isinstance(item, str | Path):
            raise InputError(f"a corpus path must be a str or Path, not {type(item).__name__}")
    return [Path(item) for item in items]


def paper_ids(value: Collection[str] | str | None) -> Collection[str] | None:
    """One paper id or several: a single str is one id, not a set of letters."""
    if value is None or isinstance(value, str):
        return {value} if isinstance(value, str) else value
    if not isinstance(value, Collection) or not all(isinstance(v, str) for v in value):
        raise InputError(f"only must be paper ids (str), not {value!r}")
    return value
