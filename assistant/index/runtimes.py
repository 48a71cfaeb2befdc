"""Runtimes for the local model's int8 ONNX graph: OpenVINO, with onnxruntime as fallback.

Both run the same file with the same weights; their vectors agree to within the noise of
int8 arithmetic (mean cosine >= 0.9995, tested), far less than int8 itself differs from the
fp32 model (0.9994), so an index built with one is queried with the other.

`auto` picks the runtime that is faster on this CPU: the first time a data dir is used, it
times both on a fixed batch (about a second) and records the choice, with the CPU it was
made on, in `embedding_runtime.json`. On a CPU where OpenVINO's int8 kernels lose (or where
it is not installed or fails to compile the graph), onnxruntime is chosen.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import InputError

CHOICE_FILE = "embedding_runtime.json"
CACHE_DIR = "openvino_cache"
# A fixed batch for timing: 8 texts of about 200 tokens, the length of an abstract.
_CALIBRATION_TEXT = (
    "Large language models are evaluated on a benchmark of harmless and harmful requests, "
    "and we measure how often they refuse, comply or answer partially across domains. "
) * 6
CALIBRATION_TEXTS = [f"{i} {_CALIBRATION_TEXT}" for i in range(8)]


class Graph(Protocol):
    """The model graph: token ids in, token vectors (batch, tokens, dimension) out."""

    name: str

    def run(self, feed: dict[str, np.ndarray]) -> np.ndarray: ...


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's share), not the host's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class OnnxRuntimeGraph:
    name = "onnxruntime"

    def __init__(self, model_path: Path, cache_dir: Path | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = usable_cores()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )

    def run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, feed)[0]


class OpenVINOGraph:
    """The graph compiled by OpenVINO for this CPU, cached in the data dir (compiling takes
    0.2-0.4 s; loading from the cache a fraction of that)."""

    name = "openvino"

    def __init__(self, model_path: Path, cache_dir: Path | None = None) -> None:
        import openvino

        core = openvino.Core()
        if cache_dir is not None:
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                core.set_property({"CACHE_DIR": str(cache_dir)})
            except OSError:
                pass  # a read-only data dir: compile every time, as without a cache
        config = {"INFERENCE_NUM_THREADS": usable_cores(), "PERFORMANCE_HINT": "LATENCY"}
        self.compiled = core.compile_model(str(model_path), "CPU", config)
        self.request = self.compiled.create_infer_request()

    def run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        result = self.request.infer(feed)
        return np.asarray(result[self.compiled.output(0)])


RUNTIMES: dict[str, Callable[..., Graph]] = {
    "openvino": OpenVINOGraph,
    "onnxruntime": OnnxRuntimeGraph,
}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_graph(
    runtime: str, model_path: Path, data_dir: Path | None, timer: Callable[[Graph], float]
) -> Graph:
    """The graph on the runtime asked for; for `auto`, the faster one on this CPU.

    `timer(graph)` returns the seconds one calibration batch takes on a graph."""
    cache = data_dir / CACHE_DIR if data_dir else None
    if runtime == "onnxruntime":
        return OnnxRuntimeGraph(model_path)
    if runtime == "openvino":
        try:
            return OpenVINOGraph(model_path, cache)
        except ImportError:
            raise InputError(
                "ASSISTANT_EMBEDDING_RUNTIME=openvino, but the openvino package is not "
                "installed: pip install openvino, or set ASSISTANT_EMBEDDING_RUNTIME=auto"
            ) from None
    recorded = recorded_choice(data_dir)
    if recorded == "onnxruntime":
        return OnnxRuntimeGraph(model_path)
    try:
        openvino_graph = OpenVINOGraph(model_path, cache)
    except Exception:  # not installed, or no kernels for this CPU: the fallback serves
        _record_choice(data_dir, "onnxruntime")
        return OnnxRuntimeGraph(model_path)
    if recorded == "openvino":
        return openvino_graph
    onnx_graph = OnnxRuntimeGraph(model_path)
    faster = min((openvino_graph, onnx_graph), key=timer)
    _record_choice(data_dir, faster.name)
    return faster


def recorded_choice(data_dir: Path | None) -> str | None:
    """The runtime `auto` chose for this data dir on this CPU, if it has chosen."""
    if data_dir is None:
        return None
    try:
        record = json.loads((data_dir / CHOICE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("cpu") != cpu_name():
        return None  # another machine (a data dir on a shared disk): time again
    choice = record.get("runtime")
    return choice if choice in RUNTIMES else None


def _record_choice(data_dir: Path | None, runtime: str) -> None:
    if data_dir is None:
        return
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        record = {"cpu": cpu_name(), "runtime": runtime, "cores": usable_cores()}
        (data_dir / CHOICE_FILE).write_text(json.dumps(record) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only data dir: choose again next time


def seconds_after_warm_up(run_batch: Callable[[], object]) -> float:
    """Seconds of one run, after a first run that warms caches and kernels up."""
    run_batch()
    start = time.perf_counter()
    run_batch()
    return time.perf_counter() - start


def describe_runtime(setting: str, data_dir: Path | None) -> str:
    """For `doctor`: 'auto (openvino, the faster on AMD EPYC)' or the setting itself."""
    if setting != "auto":
        return setting
    choice = recorded_choice(data_dir)
    if choice is None:
        return "auto (chosen at the first embedding in this data dir)"
    return f"auto ({choice}, the faster on {cpu_name()})"
