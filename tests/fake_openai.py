"""A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions (plain and SSE),
embeddings and models protocols, scripted per test.

`server.script(...)` queues replies for chat requests; each request takes the next one
(the last one repeats). Every request is recorded with its headers and JSON body.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np


@dataclass
class Reply:
    """One scripted reply to a chat request."""

    content: str = ""
    status: int = 200
    chunks: list[str] | None = None  # stream these pieces when the client asks to stream
    delay: float = 0.0  # seconds before answering (timeouts)
    malformed: bool = False  # a 200 whose body is not a chat completion
    stall: float = 0.0  # a stream that stops this many seconds before its last piece
    truncated: bool = False  # a stream whose connection drops before its promised length
    unfinished: bool = False  # a stream closed cleanly after its pieces, never finished
    echo_headers: bool = False  # an error body that quotes the request's headers
    wait_for: threading.Event | None = None  # streaming: hold the last piece until set
    usage: tuple[int, int] | None = (321, 45)


@dataclass
class Recorded:
    path: str
    headers: dict
    body: dict


@dataclass
class FakeOpenAI:
    replies: list[Reply] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    models: tuple[str, ...] = ("test-model",)
    embedding_dimension: int = 48
    embeddings_dropped: bool = False  # /embeddings answers with no vectors

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def next_reply(self) -> Reply:
        if not self.replies:
            return Reply(content="No reply was scripted [1].")
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def embed(self, text: str) -> list[float]:
        """Deterministic bag-of-words vectors: texts that share words are similar."""
        vector = np.zeros(self.embedding_dimension, dtype=np.float32)
        for word in text.lower().split():
            digest = hashlib.sha1(word.strip(".,;:!?()").encode()).digest()
            vector[digest[0] % self.embedding_dimension] += 1.0
        return (vector / max(float(np.linalg.norm(vector)), 1e-9)).tolist()


def _completion(model: str, content: str, usage: tuple[int, int] | None) -> dict:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        }
    return body


def _chunk(model: str, delta: dict, finish: str | None = None, usage=None) -> bytes:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
        if delta is not None
        else [],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        }
    return f"data: {json.dumps(body)}\n\n".encode()


def make_handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output clean
            return None

        def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            fake.requests.append(Recorded(self.path, dict(self.headers), {}))
            if self.path.endswith("/models"):
                self._json(
                    200,
                    {"object": "list", "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                        for m in fake.models
                    ]},
                )  # fmt: skip
            else:
                self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(Recorded(self.path, dict(self.headers), body))
            if self.path.endswith("/embeddings"):
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                self._json(200, {
                    "object": "list",
                    "model": body.get("model"),
                    "data": [
                        {"object": "embedding", "index": i, "embedding": fake.embed(t)}
                        for i, t in enumerate(texts)
                        if not fake.embeddings_dropped
                    ],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                })  # fmt: skip
                return
            if not self.path.endswith("/chat/completions"):
                self._json(404, {"error": {"message": "not found"}})
                return
            reply = fake.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            model = body.get("model", "test-model")
            if reply.status != 200:
                messages = {
                    400: "you must provide a model parameter",
                    401: "Incorrect API key",
                    404: f"model {model} does not exist",
                }
                message = messages.get(reply.status, "server error")
                if reply.echo_headers:  # as some proxies and servers do
                    message += f"; request headers: {dict(self.headers)}"
                self._json(
                    reply.status,
                    {"error": {"message": message,
                               "type": "error", "code": reply.status}},
                    {"Retry-After": "0"},
                )  # fmt: skip
                return
            if reply.malformed:
                data = b'{"this is": "not a chat completion", "choices": "nope"'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if body.get("stream"):
                try:
                    self._stream(model, reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up on a stalled stream
            else:
                self._json(200, _completion(model, reply.content, reply.usage))

        def _stream(self, model: str, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            if reply.truncated:
                self.send_header("Content-Length", "100000")
            self.end_headers()
            pieces = reply.chunks or [reply.content]
            self.wfile.write(_chunk(model, {"role": "assistant", "content": ""}))
            for i, piece in enumerate(pieces):
                if reply.truncated and i == len(pieces) - 1:
                    self.wfile.flush()
                    self.close_connection = True
                    return  # the rest of the promised body never comes
                if reply.stall and i == len(pieces) - 1:
                    time.sleep(reply.stall)
                if reply.wait_for is not None and i == len(pieces) - 1:
                    reply.wait_for.wait(timeout=30)
                self.wfile.write(_chunk(model, {"content": piece}))
                self.wfile.flush()
            if reply.unfinished:
                self.close_connection = True
                return  # no finish reason, no [DONE]: the server went away
            self.wfile.write(_chunk(model, {}, finish="stop"))
            if reply.usage:
                self.wfile.write(_chunk(model, None, usage=reply.usage))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.fake = FakeOpenAI()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.fake))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
