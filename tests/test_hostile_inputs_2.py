"""Regression tests of the second hostile-input pass: URLs that do not parse, junk settings,
bytes that are not UTF-8, deeply nested JSON, control characters in file names, a
read-only data dir and a vector store whose files were deleted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest

from assistant.app import Assistant
from assistant.errors import InputError

from .conftest import (
    _SETTING_VARIABLES,
    assert_one_line_error,
    console_script,
    in_terminal,
    run_cli,
)

SECRET = "sk-secret-XYZ"
NOT_UTF8_QUESTION = os.fsdecode(b"\xff\xfe which papers study refusal?")
DEEP_LINE = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
PAPERS = [
    {"title": "Refusal Tokens for Chatbots", "abstract": "We calibrate refusal of chatbots."},
    {"title": "Reward Models Revisited", "abstract": "We study reward models for RLHF."},
]


ONNX = {"ASSISTANT_EMBEDDING_RUNTIME": "onnxruntime"}  # no timing of both on a new data dir


def _environment(data_dir: Path, **extra: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in _SETTING_VARIABLES}
    return {**environment, "ASSISTANT_DATA_DIR": str(data_dir), "COLUMNS": "120", **ONNX, **extra}


def _run(args: list[str], data_dir: Path, stdin: bytes = b"", prefix: tuple = (), **env: str):
    """The console script with bytes on stdin (as a pipe delivers them)."""
    return subprocess.run(
        [*prefix, console_script(), *args],
        input=stdin,
        capture_output=True,
        env=_environment(data_dir, **env),
        timeout=120,
    )


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_urls_that_do_not_parse_are_refused_in_one_line(tmp_path: Path):
    for url in ("http://[foo", "http://\x1b[2J:80"):
        result = run_cli("search", "refusal", "--chroma-url", url, data_dir=tmp_path / "d")
        assert_one_line_error(result, "expected http://HOST:PORT")
    for url in ("http://x:abc/v1", "http://[x/v1", "http://127.0.0.1:9/\x1b[2Jv1"):
        result = run_cli("papers", data_dir=tmp_path / "d", env={"OPENAI_BASE_URL": url})
        assert_one_line_error(result, "OPENAI_BASE_URL", "http:// or https:// URL")
    result = run_cli("papers", data_dir=tmp_path / "d", env={"OPENAI_BASE_URL": "http://h:99999"})
    assert_one_line_error(result, "OPENAI_BASE_URL", "port must be a number from 1 to 65535")
    assert not (tmp_path / "d").exists()  # refused before anything was written


def test_junk_settings_are_explained_and_the_key_never_shown(tmp_path: Path):
    pasted = run_cli("papers", data_dir=tmp_path / "d", env={"OPENAI_API_KEY": SECRET + "\x01"})
    assert_one_line_error(pasted, "OPENAI_API_KEY", "the key holds whitespace")  # not "***"
    assert "secret" not in pasted.stderr + pasted.stdout
    forever = run_cli("papers", data_dir=tmp_path / "d", env={"ASSISTANT_LLM_TIMEOUT": "inf"})
    assert_one_line_error(forever, "ASSISTANT_LLM_TIMEOUT", "finite")
    odd_dir = run_cli("papers", env={"ASSISTANT_DATA_DIR": os.fsdecode(b"/tmp/\xffdata")})
    assert_one_line_error(odd_dir, "ASSISTANT_DATA_DIR", "not UTF-8")


def test_bytes_that_are_not_utf8_in_a_question_are_dropped(seeded_dir: Path):
    result = run_cli("ask", NOT_UTF8_QUESTION, "--no-llm", "--json", data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["question"] == "which papers study refusal?" and shown["citations"]
    chat = _run(["chat", "--no-llm"], seeded_dir, b"\xff\xfe which papers study refusal?\n/q\n")
    assert chat.returncode == 0, chat.stderr
    assert b"papers in the collection study refusal" in chat.stdout
    assert b"error" not in chat.stderr


def test_filters_and_eval_files_that_cannot_serve(seeded_dir: Path, tmp_path: Path):
    only_escapes = run_cli("ask", "refusal", "--no-llm", "--author", "\x1b[2J", data_dir=seeded_dir)
    assert_one_line_error(only_escapes, "the author is empty")
    deep = _write_jsonl(tmp_path / "deep.jsonl", [DEEP_LINE])
    assert_one_line_error(run_cli("eval", str(deep), data_dir=seeded_dir), "deep.jsonl:1:")
    question = json.dumps({"q": "which papers study refusal?"})
    questions = _write_jsonl(tmp_path / "q.jsonl", [question])
    dead = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "ASSISTANT_LLM_MAX_RETRIES": "0"}
    offline = run_cli(
        "eval", str(questions), "--no-llm", "--verify", "--json", data_dir=seeded_dir, env=dead
    )
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout)["summary"]


def test_nested_json_and_escapes_in_file_names_are_skipped_and_kept_off_the_terminal(
    tmp_path: Path,
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write_jsonl(corpus / "\x1b[31mred.jsonl", [DEEP_LINE, *map(json.dumps, PAPERS)])
    data_dir = tmp_path / "d"
    result = _run(["index", str(corpus)], data_dir)
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    assert "red.jsonl:1: broken JSON (nested too deeply)" in stderr
    assert "2 added" in stderr and "\x1b" not in stderr
    # a failed run leaves the index as it was
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 4)
    assert_one_line_error(run_cli("index", str(binary), "--rebuild", data_dir=data_dir, env=ONNX))
    listed = json.loads(run_cli("papers", "--json", data_dir=data_dir, env=ONNX).stdout)["papers"]
    assert len(listed) == 2
    # an error naming a path holds none of its escape sequences, even on a terminal
    missing = str(tmp_path / "gone\x1b]0;pwned\x07\x1b[2J")
    with in_terminal(["index", missing], _environment(data_dir)) as child:
        child.expect(pexpect.EOF)
        assert "no such file" in child.before and "\x1b" not in child.before


def test_an_index_whose_vectors_were_deleted_is_embedded_again(tmp_path: Path):
    corpus = _write_jsonl(tmp_path / "papers.jsonl", [json.dumps(p) for p in PAPERS])
    data_dir = tmp_path / "d"
    assert run_cli("index", str(corpus), data_dir=data_dir, env=ONNX).returncode == 0
    (data_dir / "chroma" / "chroma.sqlite3").unlink()
    again = run_cli("index", str(corpus), data_dir=data_dir, env=ONNX)
    assert again.returncode == 0, again.stderr
    assert "held no vectors" in again.stderr and "2 updated" in again.stderr
    found = run_cli("search", "reward models", "--json", data_dir=data_dir, env=ONNX)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["title"] == "Reward Models Revisited"


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_read_only_data_dir_is_said_in_words(seeded_dir: Path):
    prefix: tuple = ()
    if os.geteuid() == 0:  # root writes anywhere: drop the capabilities that allow it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner")
    paths = [seeded_dir, *seeded_dir.rglob("*")]
    for path in paths:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        result = _run(["ask", "refusal", "--no-llm"], seeded_dir, prefix=prefix)
    finally:
        for path in paths:
            path.chmod(path.stat().st_mode | 0o200)
    stderr = result.stderr.decode()
    assert result.returncode != 0 and len(stderr.strip().splitlines()) == 1, stderr
    assert "read-only" in stderr and "--rebuild" not in stderr


def test_the_notebook_refuses_settings_that_are_not_settings():
    with pytest.raises(InputError, match="Settings object"):
        Assistant(settings="/tmp/data")  # type: ignore[arg-type]
