"""Shared fixtures: temp data dirs, one real seed index built per session, the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pexpect
import pytest

from assistant.app import Assistant
from assistant.config import Settings

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
_SETTING_VARIABLES = (
    "ASSISTANT_DATA_DIR",
    "ASSISTANT_COLLECTION",
    "ASSISTANT_EMBEDDING",
    "ASSISTANT_EMBEDDING_MODEL",
    "ASSISTANT_LLM_MODEL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CHROMA_HOST",
    "CHROMA_PORT",
    "CHROMA_SSL",
    "CHROMA_API_KEY",
    "CHROMA_TENANT",
    "CHROMA_DATABASE",
    "ASSISTANT_EMBEDDING_RUNTIME",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own configuration.

    Code run inside the test process embeds with onnxruntime: pexpect forks this process
    and runs Python in the child before exec, and a fork taken while OpenVINO's thread pool
    is alive can crash that child. The console script runs in its own process, with the
    default runtime (run_cli and in_terminal do not pass this variable on); OpenVINO in
    process is tested explicitly in test_runtimes.py."""
    for name in _SETTING_VARIABLES:
        monkeypatch.setenv(name, "")  # recorded, so that whatever a test sets is undone
        monkeypatch.delenv(name)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_RUNTIME", "onnxruntime")


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the bundled seeds indexed once, by the console script (so that its
    runtime choice and OpenVINO cache are there too); tests get copies of it."""
    data_dir = tmp_path_factory.mktemp("seed-index")
    result = run_cli("index", str(SEEDS), data_dir=data_dir, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "DEBUG" not in result.stderr  # libraries' debug logs only with ASSISTANT_DEBUG
    return data_dir


@pytest.fixture
def seeded_dir(seed_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index, free to change."""
    target = tmp_path / "data"
    shutil.copytree(seed_index_dir, target)
    return target


@pytest.fixture
def seeded(seeded_dir: Path) -> Assistant:
    return Assistant(Settings(data_dir=seeded_dir))


def console_script() -> str:
    script = Path(sys.executable).parent / "assistant"
    return str(script) if script.exists() else shutil.which("assistant") or "assistant"


def run_cli(
    *args: str,
    data_dir: Path | None = None,
    env: dict | None = None,
    timeout: float = 120,
    stdin: str | None = None,
) -> subprocess.CompletedProcess:
    """Run the installed `assistant` console script as a user would (`stdin`: piped in)."""
    environment = {k: v for k, v in os.environ.items() if k not in _SETTING_VARIABLES}
    environment.update(env or {})
    if data_dir is not None:
        environment["ASSISTANT_DATA_DIR"] = str(data_dir)
    environment.setdefault("COLUMNS", "120")
    return subprocess.run(
        [console_script(), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        **({"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}),
    )


@contextmanager
def in_terminal(
    args: list[str], env: dict, on_exit: Callable[[], object] | None = None
) -> Iterator[pexpect.spawn]:
    """The console script in a pseudo-terminal; closed (after `on_exit`) when done. poll,
    not select: late in a full run the test process holds over 1,024 descriptors (each
    test's Chroma store), and select() refuses a terminal's descriptor past that."""
    child = pexpect.spawn(console_script(), args, env=env, encoding="utf-8", timeout=90,
                          dimensions=(50, 110), use_poll=True)  # fmt: skip
    try:
        yield child
    finally:
        if on_exit is not None:
            on_exit()
        child.close()


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def two_papers_under_one_title(path: Path, *more: dict) -> Path:
    """A JSONL file of two different papers both titled "Introduction", without ids (and
    `more` records after them)."""
    records = [
        {"title": "Introduction", "abstract": "Alpha studies refusal in chat models.",
         "authors": ["Ann Alpha"], "year": 2021},
        {"title": "Introduction", "abstract": "Beta measures sycophancy of tutors at scale.",
         "authors": ["Bob Beta"], "year": 2024},
        *more,
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path
