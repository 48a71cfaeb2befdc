"""From a question to the papers an answer may cite: the one step `ask` (both modes),
`chat` and `related-work` share."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

import numpy as np

from assistant.answer.evidence import SentencePicker
from assistant.answer.extractive import papers_above, short_title
from assistant.answer.mentions import forms_held, papers_mentioning, sentence_mentions
from assistant.answer.question import (
    FRAMING_VERBS,
    QuestionAnalysis,
    analyse,
    has_topic_words,
    is_negated,
    is_verb_form,
    property_phrase,
)
from assistant.answer.relevance import ANCHOR_FLOOR, POOL, Judged, RelevanceJudge
from assistant.index.bm25 import tokenize
from assistant.retrieval import Ranking

MAX_NAME_WORDS = 4  # "Tell Me What You Don't Know" is a title, not a name to ask by
# Below this probability that the collection covers the question, an answer that cites
# papers says it is a weak match (the coverage cut itself is lower; see relevance_model.json).
WEAK_COVERAGE = 0.75


@dataclass
class Decision:
    analysis: QuestionAnalysis
    ranking: Ranking
    judged: list[Judged]  # every candidate, most probably relevant first
    relevant: list[Judged]  # those the answer cites
    covered: float = 0.0  # the probability that the collection covers the question
    lead: str = ""  # a follow-up's opening line: "2 of the 7 papers above mention RL:"
    named: bool = False  # the question names the papers it cites ("How does SAMI ...?")
    # a follow-up's property: whether a sentence mentions it ("RL" in "... RLHF ...")
    mentioned: Callable[[str], bool] | None = None

    @property
    def weak(self) -> bool:
        """Whether the papers cited match the question only weakly: a question next to
        the collection's topics is answered from it as well as it can be (not when it
        names the papers it asks about)."""
        return (
            bool(self.relevant) and not (self.lead or self.named) and self.covered < WEAK_COVERAGE
        )

    def picker(self, engine) -> SentencePicker:
        vector = self.ranking.query_vector
        if vector is None:
            vector = np.zeros(getattr(engine.embedder, "dimension", 1) or 1, dtype=np.float32)
        return SentencePicker(self.analysis, vector, engine.embedder, engine.bm25, self.mentioned)


def candidates(
    engine, analysis: QuestionAnalysis, pool: int = POOL, only: Collection[str] | None = None
) -> Ranking:
    """The papers the decision weighs: the top `pool` of the hybrid ranking for what the
    question searches for (the fit of the decision retrieves its rows the same way)."""
    return engine.retriever.retrieve(analysis.search_text, k=pool, only=only)


def decide(
    engine,
    question: str,
    *,
    only: Collection[str] | None = None,
    within: Collection[str] | None = None,
    follow_up: str | None = None,
    pool: int = POOL,
    survey: bool = False,
) -> Decision:
    """Retrieve a wide pool and keep the papers the fitted decision judges relevant.

    `only`: the papers a follow-up question is about, of which those whose abstract
    mentions what `follow_up` (default: the question) asks are cited; `within`: the papers
    a year or author filter admits, of those the decision on the whole collection keeps;
    `survey`: the question is a related-work topic, whose draft should cover it (a lower,
    recall-leaning cut). A question with no topic words or not in English retrieves
    nothing: no paper could be matched to it honestly."""
    if within is not None and only is None:
        return _within(decide(engine, question, pool=pool, survey=survey), set(within))
    analysis = analyse(question, engine.bm25)
    if not analysis.has_topic or not analysis.english:
        return Decision(analysis, Ranking(question, []), [], [])
    allowed = only if within is None else set(within) & set(only)
    if only is not None:  # a follow-up weighs every paper it is about
        pool = max(pool, len(only))
    ranking = candidates(engine, analysis, pool, allowed)
    judge = RelevanceJudge(engine.bm25, engine.store)
    judged, covered = judge.judge(ranking, analysis)
    if only is not None:  # a follow-up: every paper is on the conversation's topic already
        same = follow_up is None or follow_up == question  # offline: the follow-up itself
        asked = analysis if same else analyse(follow_up, engine.bm25)
        decision = Decision(analysis, ranking, judged, [], covered)
        return _cite_mentions(decision, asked, engine.bm25)
    alternatives = analysis.alternatives if survey else ()
    if _concept_unseen(analysis, engine.bm25):
        covered = 0.0
    relevant = judge.relevant(judged, survey, alternatives) if judge.covers(covered) else []
    if survey and relevant:
        relevant = _with_head_concept(question, judged, relevant, engine.bm25)
    elif relevant:
        relevant = _on_each_part(analysis, relevant, engine.bm25)
    if not survey and analysis.kind != "list" and (named := _named_papers(question, judged)):
        # "What method does the Refusal Tokens paper propose?": that paper alone; a
        # comparison may name some of its papers only ("reward-augmented DPO" is no name)
        ids = {id(j) for j in named}
        others = [j for j in relevant if id(j) not in ids] if analysis.kind == "comparison" else []
        relevant = named + others
        return Decision(analysis, ranking, judged, relevant, covered, named=True)
    if not (relevant or survey) and analysis.kind == "comparison":
        sides, lead = _each_side(engine, analysis, pool)
        return Decision(analysis, ranking, judged, sides, covered, lead=lead)
    return Decision(analysis, ranking, judged, relevant, covered)


# The two sides of a comparison's topic: "DPO and RLHF", "DPO vs RLHF", "DPO versus PPO"
_SIDES = re.compile(r"\s+(?:and|vs\.?|versus|or|against)\s+", re.IGNORECASE)
SIDE_PAPERS = 3  # the papers a comparison cites for each side, when none is on both
MAX_SIDE_WORDS = 4  # "DPO", "chain-of-thought prompting": a side, not a clause


def _each_side(engine, analysis: QuestionAnalysis, pool: int) -> tuple[list[Judged], str]:
    """For a comparison no paper covers whole ("How does DPO compare with RLHF?"), the
    papers on each of its two sides, when the collection covers both, and the line that
    says so: what it holds on each, set side by side, rather than nothing."""
    sides = _SIDES.split(analysis.topic)
    if len(sides) != 2 or not all(
        has_topic_words(side) and len(side.split()) <= MAX_SIDE_WORDS for side in sides
    ):
        return [], ""
    decisions = [decide(engine, side, pool=pool) for side in sides]
    if not all(d.relevant for d in decisions):
        return [], ""
    chosen: dict[str, Judged] = {}
    for judged in (j for d in decisions for j in d.relevant[:SIDE_PAPERS]):
        chosen.setdefault(judged.paper.paper_id, judged)
    first, second = (side.strip() for side in sides)
    return list(chosen.values()), (
        f"No paper in the collection compares {first} with {second}; the papers on each:"
    )


def _concept_unseen(analysis: QuestionAnalysis, bm25) -> bool:
    """Whether no abstract holds any of the question's key terms, each of a noun or a
    name: "membership" of "membership inference attacks on LLM training data". The
    papers closest to it share its other words ("attacks", "training data") and would be
    cited, matched on what the question only sets around its concept."""
    key = set(analysis.key_terms)
    if not key or not analysis.missing or any(bm25.document_frequency(t) for t in key):
        return False
    key_words = [
        w
        for w, terms in zip(analysis.missing, tokenize(analysis.missing), strict=True)
        if key & set(terms)
    ]
    # a verb's form says what is done, while the concept may still be in the papers:
    # "Can safety training be eroded?"
    return bool(key_words) and not any(is_verb_form(w) for w in key_words)


def _within(decision: Decision, admitted: set[str]) -> Decision:
    """The decision on the whole collection, then the papers a year or author filter
    admits: judged among papers of every year, "red teaming since 2023" cites the red-teaming
    papers of 2023 on, or none, never the best of a small lot ("team composition")."""
    kept = [j for j in decision.judged if j.paper.paper_id in admitted]
    hits = [h for h in decision.ranking.hits if h.paper.paper_id in admitted]
    decision.ranking = replace(decision.ranking, hits=hits)
    decision.judged = kept
    kept_relevant = [j for j in decision.relevant if j.paper.paper_id in admitted]
    if len(kept_relevant) < len(decision.relevant):
        decision.lead = ""  # "the papers on each" side: one side may be filtered away
    decision.relevant = kept_relevant
    return decision


# What joins the two halves of a short topic: "knowledge distillation *for* object detection".
# ... not the "to" of an infinitive: "explain and try to fix the reversal curse".
_INFINITIVE_AFTER = "try tries tried trying how want wants need needs able aim aims seek seeks"
_JOIN = re.compile(
    r"\s+(?:for|with|using|via|in|on)\s+|"
    + "".join(rf"(?<!\b{word})" for word in _INFINITIVE_AFTER.split())
    + r"\s+to\s+",
    re.IGNORECASE,
)
MAX_HALVED_WORDS = 8
DISTINCTIVE_SHARE = 0.05  # a half is held to where one of its words is this rare...
HELD_SHARE = 0.2  # ... and a paper holds it by any of its words this rare or rarer


def _on_each_part(analysis: QuestionAnalysis, relevant: list[Judged], bm25) -> list[Judged]:
    """An answer on a short topic of two halves cites only the papers that mention both,
    where each half has a distinctive word: "LoRA for image generation" cited a paper on
    LoRA for safety, "machine translation for low-resource languages" ten papers on neither
    ("languages" alone). A word the whole collection uses (share above HELD_SHARE) holds
    no half: every abstract says "language models"."""
    halves = _JOIN.split(analysis.topic)
    if len(halves) != 2 or len(analysis.topic.split()) > MAX_HALVED_WORDS:
        return relevant
    chunks = len(bm25.chunk_ids) or 1
    share = {t: bm25.document_frequency(t) / chunks for t in analysis.terms}
    parts = []
    for half in halves:
        terms = set(tokenize([half])[0]) & share.keys()
        # a verb's form holds no half: "language models *taking* on personas"
        nouns = [w for w in re.findall(r"[\w-]+", half) if not is_verb_form(w)]
        named = set(tokenize([" ".join(nouns)])[0])
        if not any(share[t] <= DISTINCTIVE_SHARE for t in terms & named):
            return relevant
        parts.append({t for t in terms if share[t] <= HELD_SHARE})

    def holds_each(candidate: Judged) -> bool:
        text = f"{candidate.paper.title} {candidate.paper.abstract}"
        held = analysis.present_terms(tokenize([text])[0], text)
        return all(part & held for part in parts)

    return [j for j in relevant if holds_each(j)]


# What places a topic's head concept in a setting: "deception *of* AI systems".
_PREPOSITION = re.compile(
    r"\s+(?:of|in|on|for|across|among|within|from|about|under|by|via|with|between)\s+",
    re.IGNORECASE,
)


def _head_and_setting(topic: str, bm25) -> tuple[QuestionAnalysis | None, bool]:
    """The analysis of a related-work topic's head (None when the topic is its own head),
    and whether the head was cut from a setting in the collection's general domain.

    The head is what comes before a colon ("over-refusal: language models refusing ..."),
    and of that, what comes before a preposition whose setting is the collection's general
    domain: a setting whose rarest word is at least twice as common in the collection as the
    head's ("deception" of "AI systems", "hallucination" in "language models"). A narrower
    setting ("safety of LLM agents") stays part of the head."""
    head, colon, _ = topic.partition(":")
    parts = _PREPOSITION.split(head, maxsplit=1)
    if len(parts) == 2:
        concept, setting = (analyse(part, bm25) for part in parts)
        head_df = [df for t in concept.terms if (df := bm25.document_frequency(t))]
        setting_df = [df for t in setting.key_terms if (df := bm25.document_frequency(t))]
        if head_df and setting_df and 2 * min(head_df) <= min(setting_df):
            return concept, True
    return (analyse(head, bm25) if colon else None), False


def _with_head_concept(
    topic: str, judged: list[Judged], relevant: list[Judged], bm25
) -> list[Judged]:
    """A draft also cites the candidates (above ANCHOR_FLOOR) that hold every term of its
    topic's head (see _head_and_setting), in its sense, as an answer cites those that hold
    every term of its question: "excessive refusals" is on "over-refusal: language models
    refusing harmless requests" whatever else the topic goes on to say, and *Role-Play with
    Large Language Models* ("deception") on "deception of AI systems". Where the head is
    set in the general domain, a paper that holds none of its words is not on the topic:
    *The Off-Switch Game* is on "AI systems", not on their deception."""
    analysis, domain_set = _head_and_setting(topic, bm25)
    if analysis is None:
        return relevant
    terms = {t for t in analysis.terms if bm25.document_frequency(t)}
    if not terms:
        return relevant
    kept = {id(j) for j in relevant}

    def held(candidate: Judged) -> set[str]:
        """The head's terms the paper holds, in any form ("fail" holds "failures")."""
        text = f"{candidate.paper.title} {candidate.paper.abstract}"
        tokens = tokenize([text])[0]
        present = analysis.present_terms(tokens, text)
        return (present | forms_held(terms - analysis.bound_terms - present, tokens)) & terms

    def stays(candidate: Judged) -> bool:
        words = held(candidate)
        if id(candidate) in kept:
            return bool(words) or not domain_set
        return candidate.probability >= ANCHOR_FLOOR and words == terms

    return [j for j in judged if stays(j)]


# A coined name as a question writes it: capitals past the first letter, or digits ("SAMI",
# "DeRTa", "INPO", "Auto-CEI").
_COINED = re.compile(r"\b[A-Za-z][\w-]*(?:[A-Z][\w-]*|\d)\b")


def _named_papers(question: str, judged: list[Judged]) -> list[Judged]:
    """The candidates a question names: by their short name ("MOSSBench", "Refusal
    Tokens", "SparsePO"), or by a coined name that only their abstract uses among the
    candidates ("What win rate does SAMI achieve?"), most probable first."""
    coined = {
        word
        for word in _COINED.findall(question)
        if sum(_uses(j, word) for j in judged) == 1 and len(word) >= 3
    }
    named = [j for j in judged if any(_coins(j, word) for word in coined)]
    coined_ids = {id(j) for j in named}
    for candidate in judged:
        if id(candidate) in coined_ids:
            continue
        lead = method_name(candidate.paper.title)
        if lead and _says(question, lead) and not _said_elsewhere(lead, candidate, judged, True):
            named.append(candidate)  # "How was Reverse Preference Optimization evaluated?"
            continue
        name = short_title(candidate.paper.title)
        words = name.split()
        if not 1 <= len(words) <= MAX_NAME_WORDS or len(name) < 4:
            continue
        if len(words) == 1:  # one word: a coined name, matched as written ("RODE", not "rode")
            if name[1:] == name[1:].lower() or not _says(question, name, case=True):
                continue
        elif not (_says(question, name) or _says(question, _paper_of(name))):
            continue
        elif _said_elsewhere(name, candidate, judged) and not _says(question, _paper_of(name)):
            continue  # "the reversal curse" is a topic (other titles hold it too), but "the
            # original Reversal Curse paper" is that paper
        named.append(candidate)
    return sorted(named, key=lambda j: -j.probability)


def _paper_of(name: str) -> str:
    """How a question names one paper by a name others share: "Reversal Curse paper"."""
    return re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.IGNORECASE) + " paper"


def _says(text: str, name: str, case: bool = False) -> bool:
    """Whether the text holds the name as words (in any case, unless `case`)."""
    return re.search(rf"\b{re.escape(name)}\b", text, 0 if case else re.IGNORECASE) is not None


def _said_elsewhere(
    name: str, candidate: Judged, judged: list[Judged], abstracts: bool = False
) -> bool:
    """Whether another candidate's title (or, with `abstracts`, abstract) holds the name:
    then it is a topic, not one paper's ("Large Language Models for Code Generation")."""
    return any(
        _says(j.paper.title, name) or (abstracts and _says(j.paper.abstract, name))
        for j in judged
        if j is not candidate
    )


# What ends the name a title opens with: "Reverse Preference Optimization *for* Complex
# Instruction Following", "Free Process Rewards *without* Process Labels".
_NAME_ENDS = re.compile(
    r"\s+(?:for|with|without|via|using|through|in|on|from|by)\s+", re.IGNORECASE
)
MIN_METHOD_NAME_WORDS = 3
_ACT = re.compile(r"[A-Za-z]{3,}ing")
_QUESTION_WORD = re.compile(
    r"(?:is|are|does|do|can|could|should|how|what|why|when|which|who|will)$", re.I
)


def method_name(title: str) -> str | None:
    """The name a title without a colon opens with, when it reads as one: three or four
    capitalised words before a preposition ("Zero-Resource Hallucination Prevention"),
    not a question's opening or an act ("Mitigating Gender Bias")."""
    if ": " in title:
        return None  # its head is the short name
    lead = _NAME_ENDS.split(title, maxsplit=1)[0]
    words = lead.split()
    if lead == title or not MIN_METHOD_NAME_WORDS <= len(words) <= MAX_NAME_WORDS:
        return None
    opening = words[0]  # an act opens with its -ing form; "Attention-Guided" is a name's
    if _QUESTION_WORD.match(opening) or _ACT.fullmatch(opening):
        return None  # "Does Refusal Training ...?", "Mitigating Gender Bias": no name
    if not all(w[:1].isupper() for w in words):
        return None
    return lead


def _uses(candidate: Judged, word: str) -> bool:
    """Whether the paper's title or abstract holds the word as written (case and all)."""
    text = f"{candidate.paper.title} {candidate.paper.abstract}"
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def _coins(candidate: Judged, word: str) -> bool:
    """Whether the paper names itself so: in its title, or defined in its abstract
    ("Decoupled Refusal Training (DeRTa)", "We introduce SAMI, a method", "Our
    best-aligned model, PsychoCounsel-Llama3-8B,", "We release X"), not merely used
    ("results on MMLU")."""
    name = re.escape(word)
    defined = (
        rf"\(\s*{name}\s*\)|\b(?:introduc\w*|propos\w*|present\w*|releas\w*|call(?:ed|s)?|"
        rf"dubb(?:ed)?|name[ds]?)\s+(?:\w+\s+)?"
        rf"{name}(?![\w-])|(?<![\w-]){name}(?:,| is) an?\b"
        rf"|\b[Oo]ur\s+(?:[\w-]+\s+){{0,2}}?(?:model|method|approach|framework|system|agent|"
        rf"dataset|benchmark|policy)s?,\s+{name}(?![\w-])"
    )
    return bool(
        re.search(rf"(?<![\w-]){name}(?![\w-])", candidate.paper.title)
        or re.search(defined, candidate.paper.abstract)
    )


def _cite_mentions(decision: Decision, asked: QuestionAnalysis, bm25) -> Decision:
    """A follow-up about given papers ("which of those use RL?") cites those whose abstract
    mentions what it asks about, most relevant first; none when no abstract does. A negated
    one ("which of those don't use RL?") cites those whose abstract does not."""
    judged = decision.judged
    if not asked.question.strip():  # "tell me more about [2]" asks nothing of its papers
        decision.relevant = judged
        return decision
    weights = {t: bm25.idf(t) for t in asked.terms if t not in FRAMING_VERBS}
    papers = [j.paper for j in judged]
    mentioning = {p.paper_id for p in papers_mentioning(papers, weights)}
    negated = is_negated(asked.question) and bool(weights)
    decision.relevant = [j for j in judged if (j.paper.paper_id in mentioning) != negated]
    if not negated:  # each paper quoted where it mentions what was asked
        decision.mentioned = sentence_mentions(papers, weights)
    if decision.relevant:
        decision.lead = _follow_up_lead(
            len(decision.relevant), len(judged), property_phrase(asked.question), negated
        )
    return decision


def _follow_up_lead(count: int, total: int, topic: str, negated: bool) -> str:
    """ "2 of the 7 papers above mention RL:", "None of the 3 papers above mentions RL:"."""
    if negated and count == total > 1:
        share = "Neither of the 2" if total == 2 else f"None of the {total}"
        return f"{share} papers above mentions {topic}:"
    one = count == 1 or total == 1
    if negated:
        verb = "does not mention" if one else "do not mention"
    else:
        verb = "mentions" if one else "mention"
    return f"{papers_above(count, total)} {verb} {topic}:"
