"""A Chroma server as teams deploy it: `chroma run` behind a TLS proxy that demands a token,
and the Chroma Cloud client pointed at the same proxy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.corpus import read_corpus

from .conftest import SEEDS, run_cli
from .test_chroma_server import chroma_server, free_port  # noqa: F401  (a fixture)
from .tls_proxy import TokenProxy, make_certificate

TOKEN = "ck-test-2f9a7c41e8d3b6a5"
QUESTION = "over-refusal of safe prompts"
TOPIC = "refusal behaviour of aligned language models"


@pytest.fixture
def proxy(chroma_server: str, tmp_path: Path):  # noqa: F811
    cert, key = make_certificate(tmp_path)
    upstream = int(chroma_server.rsplit(":", 1)[1])
    with TokenProxy(upstream, TOKEN, cert, key) as running:
        running.cert = cert
        yield running


def _env(proxy: TokenProxy, **extra: str) -> dict[str, str]:
    return {"CHROMA_API_KEY": TOKEN, "SSL_CERT_FILE": str(proxy.cert), **extra}


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "some.jsonl"
    papers = read_corpus([SEEDS]).papers[:25]
    corpus.write_text(
        "\n".join(json.dumps({"title": p.title, "abstract": p.abstract}) for p in papers),
        encoding="utf-8",
    )
    return corpus


def _same_results(served: Path, disk: Path, url_args: list[str], env: dict) -> None:
    for command in (["search", "--json", QUESTION], ["ask", "--json", QUESTION]):
        local = json.loads(run_cli(*command, data_dir=disk).stdout)
        remote = run_cli(*command, *url_args, data_dir=served, env=env)
        assert remote.returncode == 0, remote.stderr
        remote = json.loads(remote.stdout)
        if command[0] == "search":
            assert [r["paper_id"] for r in remote["results"]] == [
                r["paper_id"] for r in local["results"]
            ]
        else:
            assert remote["answer"] == local["answer"]
            assert remote["citations"] == local["citations"]
    local = json.loads(run_cli("related-work", "--json", TOPIC, data_dir=disk).stdout)
    remote = run_cli("related-work", "--json", TOPIC, *url_args, data_dir=served, env=env)
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["text"] == local["text"]


def test_https_with_a_token_matches_the_on_disk_store(proxy: TokenProxy, tmp_path: Path):
    corpus = _corpus(tmp_path)
    disk, served = tmp_path / "disk", tmp_path / "served"
    assert run_cli("index", str(corpus), data_dir=disk).returncode == 0
    url = ["--chroma-url", f"https://127.0.0.1:{proxy.port}"]
    indexed = run_cli("index", str(corpus), *url, data_dir=served, env=_env(proxy))
    assert indexed.returncode == 0, indexed.stderr
    assert not (served / "chroma").exists() and proxy.refused == 0
    _same_results(served, disk, url, _env(proxy))
    assert set(proxy.seen_tokens) == {TOKEN}
    doctor = run_cli("doctor", *url, data_dir=served, env={**_env(proxy), "COLUMNS": "200"})
    assert doctor.returncode == 0, doctor.stdout
    assert "CHROMA_API_KEY" in doctor.stdout and "set (hidden" in doctor.stdout
    assert "asks for a token" in doctor.stdout  # the heartbeat, sent without one
    assert "listed with the token" in doctor.stdout
    for output in (indexed.stdout + indexed.stderr, doctor.stdout + doctor.stderr):
        assert TOKEN not in output


def test_chroma_cloud_settings_through_the_same_proxy(proxy: TokenProxy, tmp_path: Path):
    corpus = _corpus(tmp_path)
    disk, served = tmp_path / "disk", tmp_path / "cloud"
    assert run_cli("index", str(corpus), data_dir=disk).returncode == 0
    env = _env(proxy, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(proxy.port), CHROMA_SSL="1",
               CHROMA_TENANT="default_tenant", CHROMA_DATABASE="default_database")  # fmt: skip
    indexed = run_cli("index", str(corpus), data_dir=served, env=env)
    assert indexed.returncode == 0, indexed.stderr
    _same_results(served, disk, [], env)
    no_key = {k: v for k, v in env.items() if k != "CHROMA_API_KEY"}
    refused = run_cli("search", QUESTION, data_dir=served, env=no_key)
    assert refused.returncode != 0
    assert refused.stderr.strip() == "error: Chroma Cloud needs an API key: set CHROMA_API_KEY"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong token", "refused the token: check CHROMA_API_KEY"),
        ("no token", "asks for a token: set CHROMA_API_KEY"),
        ("untrusted certificate", "not trusted; set SSL_CERT_FILE to your CA bundle"),
        ("server down", "cannot reach the Chroma server at https://127.0.0.1:"),
    ],
)
def test_each_failure_is_one_line_without_the_token(
    proxy: TokenProxy, tmp_path: Path, case: str, expected: str
):
    port = proxy.port if case != "server down" else free_port()
    env = {
        "wrong token": _env(proxy, CHROMA_API_KEY=TOKEN[::-1]),
        "no token": {"SSL_CERT_FILE": str(proxy.cert), "CHROMA_API_KEY": ""},
        "untrusted certificate": {"CHROMA_API_KEY": TOKEN, "SSL_CERT_FILE": ""},
        "server down": _env(proxy),
    }[case]
    for debug in ("0", "1"):
        result = run_cli("search", QUESTION, "--chroma-url", f"https://127.0.0.1:{port}",
                         data_dir=tmp_path, env={**env, "ASSISTANT_DEBUG": debug})  # fmt: skip
        assert result.returncode != 0
        assert expected in result.stderr, result.stderr
        assert TOKEN not in result.stdout + result.stderr
        assert TOKEN[::-1] not in result.stdout + result.stderr
        if debug == "0":
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_url_that_is_not_one(tmp_path: Path):
    for url in ("ftp://host:1", "https://:443", "http://host:notaport", "https://u:p@host"):
        result = run_cli("search", QUESTION, "--chroma-url", url, data_dir=tmp_path)
        assert result.returncode == 2 and "--chroma-url" in result.stderr, url
