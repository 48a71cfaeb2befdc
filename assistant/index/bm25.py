"""BM25 over the same chunks as the vector store, persisted beside the index.

bm25s keeps the index as sparse matrices (fast to load, fast to query) and is used
directly: llama-index's BM25 retriever wraps the same library but imports llama-index's
core, which alone costs more than a whole `assistant ask` may take.
The saved index records the catalog version it was built from and is rebuilt only when
the corpus changed.
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_STATE = "state.json"

# Words that frame a question about papers ("which papers study ...") rather than say what
# it is about; they match nearly every abstract, so they are not query terms.
_NO_WORD = "\u2400"  # what stands for the words of a chunk that has none
QUESTION_WORDS = (
    "which what who whom whose paper papers study studies studied work works research "
    "about does do did can could how are is there any some find show me list"
)


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    paper_id: str
    score: float


@functools.cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, Snowball-stemmed tokens, as the index sees them."""
    import bm25s

    return bm25s.tokenize(
        texts, stopwords="en", stemmer=_stemmer().stemWords, return_ids=False, show_progress=False
    )


@functools.cache
def _question_tokens() -> frozenset[str]:
    return frozenset(tokenize([QUESTION_WORDS])[0])


def stem(word: str) -> str:
    """One word as the index spells it (lower-cased, Snowball-stemmed)."""
    return _stemmer().stemWord(word.lower())


def is_question_word(word: str) -> bool:
    """Whether the word only frames the question ("which papers study ...")."""
    return stem(word) in _question_tokens()


def query_terms(text: str) -> list[str]:
    """The tokens of a query that say what it is about (question framing removed)."""
    tokens = tokenize([text])[0]
    kept = [t for t in tokens if t not in _question_tokens()]
    return kept or tokens


class BM25Index:
    def __init__(self, retriever, chunk_ids: list[str], paper_ids: list[str]) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.paper_ids = paper_ids

    @classmethod
    def build(cls, chunks: Iterable[tuple[str, str, str]]) -> BM25Index:
        """From (chunk_id, paper_id, text) triples."""
        import bm25s

        chunk_ids, paper_ids, texts = [], [], []
        for chunk_id, paper_id, text in chunks:
            chunk_ids.append(chunk_id)
            paper_ids.append(paper_id)
            texts.append(text)
        retriever = bm25s.BM25()
        if texts:
            # a chunk with no word to index ("The", "x") holds one no query holds: an index
            # of such chunks alone had no vocabulary, and bm25s failed on it
            tokens = [words or [_NO_WORD] for words in tokenize(texts)]
            retriever.index(tokens, show_progress=False)
        return cls(retriever, chunk_ids, paper_ids)

    def save(self, directory: Path, version: str) -> None:
        """Write to a fresh folder, then swap it in, so a reader never sees half an index."""
        staging = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self.chunk_ids:
            self.retriever.save(str(staging), show_progress=False)
        state = {"version": version, "chunk_ids": self.chunk_ids, "paper_ids": self.paper_ids}
        (staging / _STATE).write_text(json.dumps(state))
        shutil.rmtree(directory, ignore_errors=True)
        staging.rename(directory)

    @classmethod
    def load(cls, directory: Path, version: str) -> BM25Index | None:
        """The saved index if it was built from this catalog version, else None."""
        import bm25s

        try:
            state = json.loads((directory / _STATE).read_text())
            if state["version"] != version:
                return None
            retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
            if not state["chunk_ids"]:
                retriever = bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None
        return cls(retriever, state["chunk_ids"], state["paper_ids"])

    def document_frequency(self, token: str) -> int:
        """How many chunks hold the (tokenized) token."""
        if not self.chunk_ids:
            return 0
        token_id = self.retriever.vocab_dict.get(token)
        indptr = self.retriever.scores["indptr"]
        # bm25s gives the empty token the last id, past the end of the matrix
        if token_id is None or token_id + 1 >= len(indptr):
            return 0
        return int(indptr[token_id + 1] - indptr[token_id])

    def idf(self, token: str) -> float:
        """Inverse document frequency over the chunks; highest for a token no chunk has."""
        frequency = self.document_frequency(token)
        n = len(self.chunk_ids)
        return float(np.log(1 + (n - frequency + 0.5) / (frequency + 0.5)))

    def chunk_share(self, word: str) -> float:
        """The share of chunks that hold the word (after stemming)."""
        if not self.chunk_ids:
            return 0.0
        return self.document_frequency(stem(word)) / len(self.chunk_ids)

    def query(self, text: str, k: int) -> list[LexicalHit]:
        if not self.chunk_ids:
            return []
        tokens = [t for t in query_terms(text) if t in self.retriever.vocab_dict]
        if not tokens:
            return []
        k = min(k, len(self.chunk_ids))
        indices, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [
            LexicalHit(self.chunk_ids[i], self.paper_ids[i], float(s))
            for i, s in zip(np.asarray(indices[0]), np.asarray(scores[0]), strict=True)
            if s > 0
        ]
