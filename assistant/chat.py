"""Conversations: follow-up questions resolved against what was said before.

With an LLM, a follow-up is rewritten into a standalone question by the condensing prompt.
Offline, "[2]" means reference 2 of the last answer, and "those"/"them"/"these papers"
mean the papers the last answer cited: the next answer is drawn from those papers only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.answer.model import Answer
from assistant.answer.question import check_question, topic_phrase
from assistant.corpus.paper import Paper

if TYPE_CHECKING:  # the conversation builds on the library API; app.py only constructs it
    from assistant.app import Assistant

_MARKER = re.compile(r"\[(\d+)\]")
_BACK_REFERENCE = re.compile(
    r"\b(those|these|them|they|their|it|its|this paper|that paper|the above|above|"
    r"the same|which of)\b",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\b(tell|me|more|about|what|does|do|did|say|says|said|explain|describe|summari[sz]e|"
    r"details?|on|of|the|a|an|paper|papers|reference|please|and|is|it|its|in|that|this)\b|"
    r"[?.!,:;]",
    re.IGNORECASE,
)
HISTORY_TURNS = 3


@dataclass
class Turn:
    question: str
    answer: Answer


def _none_mention(answer: Answer, papers: list[Paper], question: str, named: str = "") -> Answer:
    """A follow-up that no abstract of its papers bears on says so, citing nothing.
    `named`: the references the question named ("[2]"), when it named them."""
    if answer.citations or not answer.abstained:
        return answer
    if named:
        which = f"The abstract of {named} does not" if len(papers) == 1 else f"Neither of {named}"
        answer.text = f"{which} mention{'s' if len(papers) > 1 else ''} {topic_phrase(question)}."
    else:
        answer.text = f"None of the {len(papers)} papers above mentions {topic_phrase(question)}."
    return answer


class Conversation:
    """`a.chat()` returns one; `.ask()` keeps context between questions."""

    def __init__(
        self, assistant: Assistant, llm: bool | None = None, filters: dict | None = None
    ) -> None:
        self.assistant = assistant
        self.llm = llm  # None: as configured
        self.filters = {k: v for k, v in (filters or {}).items() if v is not None}
        self.turns: list[Turn] = []

    @property
    def use_llm(self) -> bool:
        return self.assistant.settings.llm_configured if self.llm is None else self.llm

    @property
    def last(self) -> Answer | None:
        """The latest answer that cited papers: what "[2]" and "those" refer to."""
        for turn in reversed(self.turns):
            if turn.answer.citations:
                return turn.answer
        return None

    def reset(self) -> None:
        self.turns.clear()

    def paper(self, n: int) -> Paper:
        """Reference n of the last answer."""
        if self.last is None or not 1 <= n <= len(self.last.citations):
            count = len(self.last.citations) if self.last else 0
            raise IndexError(f"the last answer has {count} references")
        return self.last.citations[n - 1].paper

    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None) -> Answer:
        question = check_question(question)
        if self.turns and self.use_llm:
            standalone = self._condense(question)
            answer = self.assistant.ask(standalone, llm=True, on_token=on_token, **self.filters)
            answer.question, answer.rewritten = question, standalone
        else:
            answer = self._ask_offline_follow_up(question, on_token)
        self.turns.append(Turn(question, answer))
        return answer

    def _ask_offline_follow_up(self, question: str, on_token) -> Answer:
        last = self.last
        ask = functools.partial(
            self.assistant.ask, llm=self.use_llm, on_token=on_token, **self.filters
        )
        if last is None or not last.citations:
            return ask(question)
        numbers = [int(n) for n in _MARKER.findall(question)]
        named = [last.citations[n - 1].paper for n in numbers if 1 <= n <= len(last.citations)]
        if named:
            rest = _FILLER.sub(" ", _MARKER.sub(" ", question)).split()
            if not rest:  # "tell me more about [2]"
                return self.assistant.describe(question, named)
            answer = ask(" ".join(rest), only={p.paper_id for p in named})
            markers = " and ".join(f"[{n}]" for n in dict.fromkeys(numbers))
            return _none_mention(answer, named, " ".join(rest), markers)
        if _BACK_REFERENCE.search(question):
            papers = [c.paper for c in last.citations]
            answer = ask(question, only={p.paper_id for p in papers})
            return _none_mention(answer, papers, question)
        return ask(question)

    def _condense(self, question: str) -> str:
        from assistant.answer.llm import complete
        from assistant.prompts import load_prompt

        history = "\n".join(
            f"User: {t.question}\nAssistant: {t.answer.text[:1500]}"
            for t in self.turns[-HISTORY_TURNS:]
        )
        papers = "\n".join(
            f"[{c.n}] {c.paper.title}" for c in (self.last.citations if self.last else [])
        )
        prompt = load_prompt("condense", self.assistant.settings.prompts_dir)
        text = complete(
            self.assistant.settings,
            prompt.render(history=history, papers=papers or "(none)", question=question),
        )
        return " ".join(text.split()) or question

    def to_markdown(self) -> str:
        """The conversation, each answer followed by its references."""
        parts = ["# Conversation\n"]
        for turn in self.turns:
            parts.append(f"## {turn.question}\n\n{turn.answer.to_markdown()}\n")
        return "\n".join(parts)
