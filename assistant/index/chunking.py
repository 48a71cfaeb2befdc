"""Papers -> chunks: llama-index's sentence splitter, token counts by tiktoken cl100k_base."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.corpus.paper import Paper


def chunk_id_of(paper_id: str, position: int) -> str:
    return f"{paper_id}:{position}"


def paper_of_chunk(chunk_id: str) -> str:
    """The paper id inside a chunk id (paper ids may hold colons; positions do not)."""
    return chunk_id.rsplit(":", 1)[0]


@dataclass(frozen=True)
class Chunk:
    """A piece of one paper's abstract, with its title in front so titles take part in retrieval."""

    chunk_id: str
    paper_id: str
    position: int
    text: str


class Chunker:
    def __init__(self, chunk_size: int, chunk_overlap: int) -> None:
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.utils import get_tokenizer  # cl100k_base from its bundled cache

        self.splitter = SentenceSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=get_tokenizer()
        )

    def chunks(self, paper: Paper) -> list[Chunk]:
        pieces = self.splitter.split_text(paper.abstract) if paper.abstract else []
        pieces = pieces or [""]
        return [
            Chunk(
                chunk_id=chunk_id_of(paper.paper_id, i),
                paper_id=paper.paper_id,
                position=i,
                text=f"{paper.title}\n{piece}".strip(),
            )
            for i, piece in enumerate(pieces)
        ]
