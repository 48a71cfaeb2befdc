"""Server mode: a real `chroma run` on 127.0.0.1 gives the same results as the on-disk store."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pexpect
import pytest

from assistant.corpus import read_corpus

from .conftest import SEEDS, run_cli

QUERIES = ["reward models for RLHF", "over-refusal of safe prompts", "persuasion"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    """A real `chroma run` on a free port, once its heartbeat answers."""
    chroma = Path(sys.executable).parent / "chroma"
    executable = str(chroma) if chroma.exists() else shutil.which("chroma")
    port = free_port()
    process = subprocess.Popen(
        [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.3)


@pytest.fixture
def chroma_server(tmp_path: Path):
    process, url = start_chroma(tmp_path / "server")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_server_mode_matches_the_on_disk_store(chroma_server: str, tmp_path: Path):
    corpus = tmp_path / "some.bib"  # BibTeX with years and authors, for the filters too
    papers = read_corpus([SEEDS]).papers[:30]
    corpus.write_text(
        "\n".join(
            f"@article{{key{i},\n  title = {{{p.title}}},\n  author = {{"
            f"{'Smith, Jane' if i % 3 == 0 else 'Doe, John'} and Lee, Min}},\n"
            f"  year = {{{2020 + i % 5}}},\n  abstract = {{{p.abstract}}}\n}}"
            for i, p in enumerate(papers)
        ),
        encoding="utf-8",
    )
    disk, served = tmp_path / "disk", tmp_path / "served"
    assert run_cli("index", str(corpus), data_dir=disk).returncode == 0
    indexed = run_cli("index", str(corpus), "--chroma-url", chroma_server, data_dir=served)
    assert indexed.returncode == 0, indexed.stderr
    assert not (served / "chroma").exists()  # vectors went to the server
    for query in QUERIES:
        local = json.loads(run_cli("search", "--json", query, data_dir=disk).stdout)
        remote = run_cli("search", "--json", query, "--chroma-url", chroma_server,
                         data_dir=served)  # fmt: skip
        assert remote.returncode == 0, remote.stderr
        remote = json.loads(remote.stdout)
        assert [r["paper_id"] for r in remote["results"]] == [
            r["paper_id"] for r in local["results"]
        ]
        for a, b in zip(remote["results"], local["results"], strict=True):
            assert a["score"] == pytest.approx(b["score"], abs=1e-4)
    # year and author filters work the same way against the server
    filtered = run_cli("search", "--json", QUERIES[0], "--since", "2023", "--author", "smith",
                       "--chroma-url", chroma_server, data_dir=served)  # fmt: skip
    payload = json.loads(filtered.stdout)
    assert payload["results"] and all(r["year"] >= 2023 for r in payload["results"])
    assert all("Smith, Jane" in r["authors"] for r in payload["results"])
    local = json.loads(run_cli("search", "--json", QUERIES[0], "--since", "2023", "--author",
                               "smith", data_dir=disk).stdout)  # fmt: skip
    assert [r["paper_id"] for r in payload["results"]] == [r["paper_id"] for r in local["results"]]
    asked = run_cli("ask", "--json", f"papers by Smith since 2023 on {QUERIES[0]}",
                    "--chroma-url", chroma_server, data_dir=served)  # fmt: skip
    answer = json.loads(asked.stdout)
    assert answer["answer"].startswith("_Only papers from 2023 on by an author named Smith:")


def test_an_unreachable_server_is_a_one_line_error(tmp_path: Path):
    result = run_cli("search", "x", "--chroma-url", f"http://127.0.0.1:{free_port()}",
                     data_dir=tmp_path)  # fmt: skip
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Chroma server" in result.stderr


def test_the_server_going_away_during_chat_is_reported_and_chat_goes_on(tmp_path: Path):
    from .conftest import in_terminal

    corpus = tmp_path / "few.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": p.title, "abstract": p.abstract})
            for p in read_corpus([SEEDS]).papers[:20]
        ),
        encoding="utf-8",
    )
    process, url = start_chroma(tmp_path / "server")
    try:
        data = tmp_path / "data"
        assert run_cli("index", str(corpus), "--chroma-url", url, data_dir=data).returncode == 0
        env = {"ASSISTANT_DATA_DIR": str(data), "COLUMNS": "100"}
        with in_terminal(["chat", "--chroma-url", url], env) as child:
            child.expect("ask>")
            child.sendline("papers on refusal")
            child.expect("References")
            child.expect("ask>")
            process.terminate()
            process.wait(timeout=20)
            child.sendline("papers on reward models")
            child.expect("cannot reach the Chroma server at http://127.0.0.1:")
            child.expect("ask>")  # still in the chat
            child.sendline("/quit")
            child.expect(pexpect.EOF)
    finally:
        if process.poll() is None:
            process.kill()
