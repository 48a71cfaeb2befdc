"""What a reader yields: papers, and problems with the file and line they were found at."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.corpus.paper import Paper


@dataclass(frozen=True)
class Problem:
    """A record that was skipped, and why."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


Record = Paper | Problem
