"""The answer object every answerer returns, and its renderings (JSON, markdown)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.corpus.paper import Paper
from assistant.markup import literal
from assistant.retrieval import PaperHit

#: The one phrase that says the corpus does not answer a question: used by the
#: extractive answerer, the LLM prompt (to recognise a model that declines) and the tests.
CANNOT_ANSWER = "The indexed papers do not cover this question."


@dataclass
class Citation:
    n: int
    paper: Paper

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "paper_id": self.paper.paper_id,
            "title": self.paper.title,
            "year": self.paper.year,
            "url": self.paper.first_url,
        }

    def reference(self, markdown: bool = False) -> str:
        """`[n] Title (year). URL` for a reference list (`markdown`: the title as markdown
        that shows it as it is, see markup.literal)."""
        year = f" ({self.paper.year})" if self.paper.year else ""
        url = f" {self.paper.first_url}" if self.paper.first_url else ""
        stop = "" if not year and self.paper.title.endswith((".", "?", "!")) else "."
        title = literal(self.paper.title) if markdown else self.paper.title
        return f"[{self.n}] {title}{year}{stop}{url}"


def references_markdown(citations: list[Citation]) -> str:
    """The reference list as markdown: one item per cited paper, no trailing spaces."""
    return "\n".join(f"- {c.reference(markdown=True)}" for c in citations)


@dataclass
class Answer:
    question: str
    text: str
    mode: str  # "extractive" | "llm"
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    sources: list[PaperHit] = field(default_factory=list)  # the evidence the answer drew on
    warnings: list[str] = field(default_factory=list)
    usage: dict | None = None
    rewritten: str | None = None  # the standalone question a follow-up was rewritten into
    # with --verify: one {"sentence", "citations", "supported", "reason"} per cited sentence
    support: list[dict] | None = None

    @property
    def supported_share(self) -> float | None:
        if not self.support:
            return None
        return sum(bool(s["supported"]) for s in self.support) / len(self.support)

    def to_dict(self) -> dict:
        """The `ask --json` object (the JSON contract the README gives); `usage` is added in
        LLM mode."""
        record = {
            "question": self.question,
            "answer": self.text,
            "mode": self.mode,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "warnings": list(self.warnings),
        }
        if self.usage is not None:
            record["usage"] = self.usage
        if self.rewritten is not None:
            record["rewritten_question"] = self.rewritten
        if self.support is not None:
            record["support"] = self.support
        return record

    def references_markdown(self) -> str:
        return references_markdown(self.citations)

    def to_markdown(self) -> str:
        """The answer followed by its reference list."""
        if not self.citations:
            return self.text
        return f"{self.text}\n\n**References**\n\n{self.references_markdown()}"

    def to_bibtex(self) -> str:
        """BibTeX entries of the cited papers."""
        from assistant.bibtex import to_bibtex

        return to_bibtex(c.paper for c in self.citations)

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from assistant.notebook import answer_html

        return answer_html(self.text, self.citations)
