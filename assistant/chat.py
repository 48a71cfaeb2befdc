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

from assistant import arguments
from assistant.answer.abstain import NOT_ENGLISH
from assistant.answer.extractive import QUOTED_NOTE, papers_above, short_title
from assistant.answer.model import Answer, Citation
from assistant.answer.paper_kinds import KIND_VERBS, asked_kind
from assistant.answer.question import (
    check_question,
    has_topic_words,
    is_negated,
    property_phrase,
)
from assistant.answer.sentences import (
    abstract_sentences,
    cite,
    third_person,
    without_connective,
)
from assistant.corpus.contribution import contributes_in, contribution
from assistant.corpus.paper import Paper
from assistant.errors import EndpointError, InputError
from assistant.filters import PaperFilter, Selection, from_question
from assistant.markup import italic

if TYPE_CHECKING:  # the conversation builds on the library API; app.py only constructs it
    from assistant.app import Assistant

_MARKER = re.compile(r"\[(\d+)\]")
# Words that always point back at the last answer's papers ("which of those", "the papers
# above"; not "which of the papers in the collection", "scores above 90%", "the same") ...
_BACK_REFERENCE = re.compile(
    r"\b(those|these|them|this paper|that paper|the above|the ones|"
    r"(?:papers?|ones?|works?|listed|mentioned|cited) above)\b|^\s*which ones?\b(?!\s+of\b)",
    re.IGNORECASE,
)
# ... and pronouns that do only as the subject the question opens on ("do they use RL?",
# "what is its dataset?"), not inside a new question ("how do models detect their own
# errors?", "what is chain-of-thought and how does it work?"); "it" only when the last
# answer cited one paper, and not as in "is it possible to ...".
_OPENING_AUXILIARY = (
    r"^\s*(?:(?:what|which|how|why|where|when|who)\s+)?(?:\w+\s+)??"
    r"(?:do|does|did|is|are|was|were|can|could|would|will|has|have|had)\s+"
)
_SUBJECT_THEY = re.compile(_OPENING_AUXILIARY + r"(?:they|their)\b", re.IGNORECASE)
_SUBJECT_IT = re.compile(
    _OPENING_AUXILIARY + r"(?:it|its)\b(?!\s+(?:possible|true|known|common|feasible|worth|"
    r"better|necessary|important|hard|easy|safe|likely|matter|help|make sense)\b)",
    re.IGNORECASE,
)
_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"
)  # fmt: skip
# "the second one", "the last paper": a reference by its place in the last answer (not
# "the first paper to propose X", which asks about the collection)
_ORDINAL_REFERENCE = re.compile(
    rf"\b(?:the\s+)?({'|'.join(_ORDINALS)}|last)\s+(?:one|paper|reference|article)\b"
    r"(?!\s+(?:to|that|which|who|in|on|of|for|with|where|when|ever)\b)",
    re.IGNORECASE,
)
# Asking for an overview of the papers rather than for a property of them.
_DESCRIBE = re.compile(
    r"\b(?:tell me|more about|describe|summari[sz]e|summary|overview|explain|compare|"
    r"contrast|in common|findings?|conclude|conclusions?)\b|"
    r"^\s*what (?:do|does|did)\b.*\b(?:find|show|say|propose)\s*\??\s*$",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\b(tell|me|more|about|what|does|do|did|say|says|said|explain|describe|summari[sz]e|"
    r"details?|on|of|the|a|an|paper|papers|reference|please|and|is|it|its|in|that|this|"
    r"compare|comparison|contrast|differ|differs|difference|differences|between|versus|vs|"
    r"see|cf|e\.g|i\.e|find|finds|findings?|show|shows|conclude|conclusions?|summary|"
    r"overview|common|have|has|these|those|them|they|their|all|how)\b|[?.!,:;()]",
    re.IGNORECASE,
)
HISTORY_TURNS = 3


# A line that only thanks or acknowledges: "thanks!", "ok, great", "thank you so much".
_THANKS = re.compile(
    r"\s*(?:(?:thanks?|thank you|thx|cheers|ok(?:ay)?|great|cool|nice|perfect|got it|"
    r"much appreciated|so much|a lot|very much)[\W_]*)+",  # "thank you :-)", "thanks 🙏"
    re.IGNORECASE,
)


@dataclass
class Turn:
    question: str
    answer: Answer
    follow_up: bool = False  # asked of the papers of an earlier answer
    chatter: bool = False  # "thanks!", "ok": no topic, and no papers to refer to


@dataclass
class Scope:
    """The papers of the last answer a follow-up is about, and what it asks of them."""

    papers: list[Paper]
    words: str  # the follow-up without its references ("" for "tell me more about [2]")
    markers: str = ""  # the references it named ("[2] and [3]"), if it named them

    @property
    def ids(self) -> set[str]:
        return {p.paper_id for p in self.papers}


def _scope_of(question: str, last: Answer | None) -> Scope | None:
    """ "[2]" names reference 2 of the last answer; "those", "them" mean all its papers."""
    numbers = list(dict.fromkeys(int(n) for n in _MARKER.findall(question)))
    one_paper = last is not None and len(last.citations) == 1
    pointing = (
        _BACK_REFERENCE.search(question)
        or _SUBJECT_THEY.search(question)
        or (_SUBJECT_IT.search(question) if one_paper else None)
    )
    if last is None:
        if numbers:
            raise InputError(
                f"[{numbers[0]}] refers to no paper: no answer has cited any yet; ask a question"
            )
        if pointing:
            raise InputError(
                f'"{pointing.group(0).strip()}" refers to no papers: the last answer cited none; '
                "ask a question first"
            )
        return None
    named = [n for n in numbers if 1 <= n <= len(last.citations)]
    if numbers and len(named) < len(numbers):
        wrong = next(n for n in numbers if n not in named)
        raise InputError(
            f"[{wrong}] is not a reference of the last answer: it has "
            f"{len(last.citations)} (/sources lists them)"
        )
    if named:
        markers = ", ".join(f"[{n}]" for n in named[:-1]) + f" and [{named[-1]}]"
        markers = markers if len(named) > 1 else f"[{named[0]}]"
        return Scope([last.citations[n - 1].paper for n in named], _asked(question), markers)
    if pointing:
        return Scope([c.paper for c in last.citations], question)
    return None


def _with_markers(question: str, last: Answer | None) -> str:
    """ "the second one" written as "[2]", "the last paper" as the last answer's last
    reference."""
    if last is None:
        if match := _ORDINAL_REFERENCE.search(question):
            raise InputError(
                f'"{match.group(0)}" refers to no paper: the last answer cited none; '
                "ask a question first"
            )
        return question

    def marker(match: re.Match) -> str:
        ordinal = match.group(1).lower()
        n = len(last.citations) if ordinal == "last" else _ORDINALS.index(ordinal) + 1
        return f"[{n}]"

    return _ORDINAL_REFERENCE.sub(marker, question)


def _asked(question: str) -> str:
    """What a follow-up asks of its papers, without its references and framing: "" for
    "tell me more about [2]" or "what do these papers have in common?"."""
    return " ".join(_FILLER.sub(" ", _MARKER.sub(" ", question)).split())


def _describes(question: str, scope: Scope) -> bool:
    """Whether a follow-up asks for an overview of its papers ("tell me more about [2]",
    "summarize them", "what does [3] find?") rather than which of them have a property."""
    if has_topic_words(_BACK_REFERENCE.sub(" ", _asked(question))):
        return False
    return bool(scope.markers) or bool(_DESCRIBE.search(question))


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _none_mention(answer: Answer, scope: Scope) -> Answer:
    """A follow-up that no abstract of its papers bears on says so, citing nothing."""
    if answer.citations or not answer.abstained:
        return answer
    topic, count = property_phrase(scope.words), len(scope.papers)
    # the papers a follow-up named, by name: an answer that cites nothing shows no "[2]"
    names = _joined([italic(short_title(p.title)) for p in scope.papers]) if scope.markers else ""
    note, _, _ = answer.text.partition("_\n\n") if answer.text.startswith("_") else ("", "", "")
    if not has_topic_words(scope.words):  # "which of those?"
        papers = "the paper above" if count == 1 else f"the {count} papers above"
        answer.text = (
            f"Ask what you want to know about {papers}, for example "
            '"which of those build a benchmark?"'
        )
    elif is_negated(scope.words):  # "which of those don't use RL?": every one does
        which = names or ("the paper above" if count == 1 else f"all {count} papers above")
        verb = "mentions" if count == 1 else "mention"
        answer.text = f"{which[0].upper()}{which[1:]} {verb} {topic}."
    elif count == 1:
        which = f"The abstract of {names}" if names else "The paper above"
        answer.text = f"{which} does not mention {topic}."
    elif names:
        answer.text = f"None of {names} mentions {topic}."
    else:
        answer.text = f"None of the {count} papers above mentions {topic}."
    if note:  # a year or author filter said what it left out
        answer.text = f"{note}_\n\n{answer.text}"
    return answer


def _admitted(question: str, scope: Scope, stated: PaperFilter, assistant: Assistant) -> Answer:
    """A follow-up that asks only for a year or an author ("which of those are from 2023?"):
    the papers above that match, described."""
    admitted = [p for p in scope.papers if stated.admits(p)]
    count, what = len(scope.papers), stated.describe()
    lacking = sum(stated.lacks(p) for p in scope.papers)
    unknown = Selection.missing_metadata(stated)
    if lacking == count:  # the seeds record no author names: a "no" would be a guess
        return Answer(question, f"No paper above records its {unknown}.", "extractive", True,
                      [], [], [])  # fmt: skip
    if not admitted:
        text = "The paper above is not" if count == 1 else f"None of the {count} papers above is"
        some = f" ({lacking} of them {'has' if lacking == 1 else 'have'} no {unknown})"
        return Answer(question, f"{text} {what}{some if lacking else ''}.", "extractive", True,
                      [], [], [])  # fmt: skip
    answer = assistant.describe(question, admitted, sentences=2)
    verb = "is" if len(admitted) == 1 else "are"
    answer.text = f"{papers_above(len(admitted), count)} {verb} {what}:\n\n{answer.text}"
    return answer


def _kind_asked(words: str) -> str | None:
    """The kind of paper a follow-up asks for when it asks for nothing else (not "which
    of those don't introduce a dataset?", nor "... from 2023")."""
    kind, topical = asked_kind(words)
    if not kind or topical or is_negated(words) or from_question(words)[0].active:
        return None
    return kind


def _of_kind(question: str, scope: Scope, kind: str) -> Answer:
    """A follow-up that asks only for a kind of paper ("which of those introduce a
    dataset?"): the papers above of that kind, each quoted where it says so; read as a
    word, "dataset" matched papers that use one."""
    chosen = [p for p in scope.papers if kind in contribution(p)]
    count, (does, do, does_not) = len(scope.papers), KIND_VERBS[kind]
    if not chosen:
        text = (
            f"The paper above {does_not}."
            if count == 1
            else f"None of the {count} papers above {does}."
        )
        return Answer(question, text, "extractive", True, [], [], [])
    lines, citations = [], []
    for n, paper in enumerate(chosen, start=1):
        sentences = abstract_sentences(paper.abstract) or [paper.title]
        says = next((s for s in sentences if contributes_in(s, kind)), sentences[0])
        quote = third_person(without_connective(says))
        lines.append(f"- {italic(short_title(paper.title))}: {cite(quote, f'[{n}]')}")
        citations.append(Citation(n, paper))
    verb = does if len(chosen) == 1 else do
    text = (
        f"{papers_above(len(chosen), count)} {verb}:\n\n" + "\n".join(lines) + f"\n\n{QUOTED_NOTE}"
    )
    return Answer(question, text, "extractive", False, citations, [], [])


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
        return self.assistant.settings.uses_llm(self.llm)

    @property
    def last(self) -> Answer | None:
        """The answer "[2]" and "those" refer to: the last one, or when that was a
        follow-up none of whose papers had what it asked, the answer it was asked of. A new
        question the collection could not answer leaves nothing to refer to ("thanks!"
        asks none)."""
        for turn in reversed(self.turns):
            if turn.chatter:
                continue
            if turn.answer.citations:
                return turn.answer
            if not turn.follow_up:
                return None
        return None

    def reset(self) -> None:
        """Forget the conversation: the next question refers to nothing before it."""
        self.turns.clear()

    def paper(self, n: int) -> Paper:
        """Reference n of the last answer."""
        n = arguments.whole_number(n, "the reference number", 1)
        if self.last is None or not 1 <= n <= len(self.last.citations):
            count = len(self.last.citations) if self.last else 0
            raise IndexError(f"the last answer has {count} references")
        return self.last.citations[n - 1].paper

    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None) -> Answer:
        """Answer a question in the light of the conversation: a follow-up ("which of those
        use RL?", "tell me more about [2]") is answered from the last answer's papers; any
        other question from the whole collection."""
        question = check_question(question)
        resolved = _with_markers(question, self.last)
        scope = _scope_of(resolved, self.last)
        ask = functools.partial(
            self.assistant.ask, llm=self.use_llm, on_token=on_token, **self.filters
        )
        standalone, warning = None, ""
        if self.turns and self.use_llm:
            try:
                standalone = self._condense(question)
            except EndpointError as error:  # read and answered offline: not a second wait
                if self.assistant.settings.fallback != "offline":
                    raise
                warning = f"LLM failed ({error}); the follow-up was answered offline"
                ask = functools.partial(ask, llm=False)
        stated, rest = from_question(question)
        if scope is None:
            answer = ask(standalone or question)
        elif standalone is None and stated.active and not has_topic_words(_asked(rest)):
            answer = _admitted(question, scope, stated, self.assistant)  # "which are from 2023?"
        elif standalone is None and (kind := _kind_asked(scope.words)):
            answer = _of_kind(question, scope, kind)  # "which of those introduce a dataset?"
        elif standalone is None and _describes(resolved, scope):  # "tell me more about [2]"
            answer = self.assistant.describe(question, scope.papers)
        else:  # among the papers it refers to, those whose abstract mentions what it asks
            answer = ask(standalone or scope.words, only=scope.ids, follow_up=scope.words)
            answer = _none_mention(answer, scope)
        if standalone is not None:
            answer.question, answer.rewritten = question, standalone
        answer.warnings[:0] = [warning] if warning else []
        # a line that names no topic ("thanks!"), that the collection cannot be asked in
        # ("welche davon?"), or a lone word it could not answer ("danke", "wow") leaves
        # what "those" and "[2]" refer to as it was
        unasked = (
            not has_topic_words(question)
            or answer.text.startswith(NOT_ENGLISH)
            or (answer.abstained and len(question.split()) == 1)
        )
        chatter = scope is None and not answer.citations and unasked
        if chatter and _THANKS.fullmatch(question):  # not "Ask about a topic" to a thank-you
            answer.text = "Glad to help. " + (
                "Ask a follow-up about these papers, or a new question."
                if self.last
                else "Ask about a topic of your papers."
            )
        self.turns.append(Turn(question, answer, follow_up=scope is not None, chatter=chatter))
        return answer

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

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_markdown(self) -> str:
        """The conversation, each answer followed by its references."""
        parts = ["# Conversation\n"]
        for turn in self.turns:
            parts.append(f"## {turn.question}\n\n{turn.answer.to_markdown()}\n")
        return "\n".join(parts)
