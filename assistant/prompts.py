"""Prompt templates: plain files with named placeholders, checked when loaded.

Bundled templates live in `prompts/`; a file of the same name in the user's prompts
folder (ASSISTANT_PROMPTS_DIR) replaces one. Each template must use exactly the
placeholders its caller fills, so a typo fails at load time, not as a strange prompt.
"""

from __future__ import annotations

import string
from pathlib import Path

from assistant.answer.model import CANNOT_ANSWER
from assistant.errors import InputError

#: template name -> the placeholders it must contain (and may contain).
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "answer_system": frozenset({"cannot_answer"}),
    "answer_user": frozenset({"evidence", "question"}),
    "condense": frozenset({"history", "papers", "question"}),
    "related_work_system": frozenset({"cannot_answer"}),
    "related_work_theme": frozenset({"evidence", "topic", "theme", "words"}),
    "rerank": frozenset({"question", "candidates"}),
    "verify": frozenset({"evidence", "sentences"}),
}


def bundled_prompts_dir() -> Path:
    package = Path(__file__).resolve().parent
    for candidate in (package / "_bundled" / "prompts", package.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise InputError("the bundled prompts/ folder is missing: reinstall the package")


class Prompt:
    def __init__(self, name: str, text: str, source: Path) -> None:
        self.name, self.text, self.source = name, text, source
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        expected = PLACEHOLDERS[name]
        if fields != expected:
            missing = ", ".join(sorted(expected - fields)) or "none"
            unknown = ", ".join(sorted(fields - expected)) or "none"
            raise InputError(
                f"prompt {source}: placeholders must be {{{', '.join(sorted(expected))}}} "
                f"(missing: {missing}; unknown: {unknown}); write literal braces as {{{{ }}}}"
            )

    def render(self, **values: str) -> str:
        return self.text.format(**values)


def load_prompt(name: str, user_dir: Path | None = None) -> Prompt:
    if name not in PLACEHOLDERS:
        raise KeyError(name)
    for folder in (user_dir, bundled_prompts_dir()):
        path = folder / f"{name}.txt" if folder is not None else None
        if path is None or not path.exists():
            continue
        if not path.is_file():  # a folder of that name would hide the user's mistake
            raise InputError(f"prompt {path} is not a file")
        try:
            return Prompt(name, path.read_text(encoding="utf-8").strip() + "\n", path)
        except UnicodeDecodeError:
            raise InputError(f"prompt {path} is not UTF-8 text; save it as UTF-8") from None
        except OSError as error:
            raise InputError(f"cannot read prompt {path}: {error.strerror}") from None
    raise InputError(f"prompt {name}.txt not found in {user_dir or bundled_prompts_dir()}")


def system_prompt(name: str, user_dir: Path | None = None) -> str:
    return load_prompt(name, user_dir).render(cannot_answer=CANNOT_ANSWER)
