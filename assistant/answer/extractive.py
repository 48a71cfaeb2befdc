"""The offline answerer: the papers judged relevant, quoted in the form the question asks for.

- list ("which papers study X?"): "N papers in the collection study X:", then one line per
  paper, most relevant first, with the clause of its abstract that shows why it fits;
- specific (a number, a benchmark, a method, a finding): per paper, the sentence that
  carries the asked-for fact first, then a supporting one;
- comparison: one line per paper with its approach and its finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.answer.evidence import (
    Sentence,
    SentencePicker,
    fact_bonus,
    missing_figure,
    shorten,
)
from assistant.answer.model import Answer, Citation
from assistant.answer.question import (
    QuestionAnalysis,
    asked_parts,
    asking_part,
    asking_verb,
    asks_in_a_clause,
    classify,
    colon_heading,
    has_topic_words,
    shown_topic,
    split_request,
    topic_phrase,
    topic_sentence,
    without_writing_frame,
)
from assistant.answer.relevance import Judged
from assistant.answer.sentences import (
    abstract_sentences,
    cite,
    states_contribution,
    states_finding,
    states_result,
    third_person,
)
from assistant.corpus.paper import Paper
from assistant.markup import italic
from assistant.retrieval import SNIPPET_CHARS, PaperHit

QUOTED_NOTE = "_Quoted from the abstracts (no LLM used)._"
SECOND_SENTENCE_RATIO = 0.9


# What a title says before its colon that names the kind of paper, not the paper.
_GENERIC_HEAD = re.compile(
    r"^(?:(?:a |an )?(?:technical report|position paper|survey|short paper|preprint|"
    r"extended abstract|tutorial|review|perspective|commentary|note))$",
    re.IGNORECASE,
)


def short_title(title: str) -> str:
    """'MOSSBench: Is Your Multimodal ...' -> 'MOSSBench'; titles without a short name stay,
    as do those whose head only says what kind of paper it is ('Technical Report: ...')."""
    head, colon, _ = title.partition(": ")
    if colon and 2 <= len(head) <= 60 and not _GENERIC_HEAD.match(head):
        return head
    return title


def _label(paper: Paper) -> str:
    year = f" ({paper.year})" if paper.year else ""
    return f"{italic(short_title(paper.title))}{year}"


def _count(n: int) -> str:
    return "One paper in the collection" if n == 1 else f"{n} papers in the collection"


def _distinct(ranked: Sequence[Sentence]) -> list[Sentence]:
    """The sentences, best first, each quoted once: a sentence that leans back is quoted
    with the one before it, which may be ranked on its own too (and read "They use X"
    there, "The authors use X" alone). A quote that holds another whole takes its place
    (and its rank) unless it also overlaps a third; any other overlapping quote is left
    out."""
    kept: list[Sentence] = []
    for sentence in ranked:
        overlapping = [i for i, k in enumerate(kept) if _overlap(sentence, k)]
        if not overlapping:
            kept.append(sentence)
        elif len(overlapping) == 1 and _holds(sentence, kept[overlapping[0]]):
            better = kept[overlapping[0]]
            kept[overlapping[0]] = replace(sentence, score=better.score)
    return kept


def _holds(one: Sentence, other: Sentence) -> bool:
    if one.first is None or other.first is None:  # made without positions: by their text
        return other.text in one.text and len(one.text) > len(other.text)
    return set(other.span) < set(one.span)


def _overlap(one: Sentence, other: Sentence) -> bool:
    if one.first is None or other.first is None:  # made without positions: by their text
        return one.text in other.text or other.text in one.text
    return bool(set(one.span) & set(other.span))


def _in_order(sentences: Sequence[Sentence]) -> list[str]:
    return [s.text for s in sorted(sentences, key=lambda s: s.position)]


def papers_above(chosen: int, count: int) -> str:
    """How many of a follow-up's papers: "2 of the 7 papers above", "Both papers above",
    "All 7 papers above", "The paper above"."""
    if count == 1:
        return "The paper above"
    if chosen < count:
        return f"{chosen} of the {count} papers above"
    return "Both papers above" if count == 2 else f"All {count} papers above"


def list_lead(question: str, topic: str, count: int) -> str:
    """ "N papers in the collection study X:", in the question's own verb when it asks
    with one ("6 papers ... introduce a new benchmark", "4 papers ... raise privacy
    concerns", "3 papers ... study how LLMs handle time", "9 papers ... focus on reward
    models", "2 papers ... look at the right to be forgotten")."""
    verb, rest = "study", topic
    question, readings_asked = without_writing_frame(question)  # "... What should I cite?"
    # "hallucination: which papers propose detection methods?": the heading, then the question
    heading, sentence = colon_heading(topic_sentence(asking_part(question), after_colon=False))
    match = asking_verb(sentence)
    asked, papers_asked = split_request(question)  # "Can you point me to papers on X?"
    papers_asked = papers_asked or readings_asked
    asked = topic_sentence(asking_part(asked))
    if not match and not papers_asked and asks_in_a_clause(asked):
        # "Do LLMs hold stable values? Which papers measure this?": not "study LLMs hold"
        return f"{_count(count)} {_agreeing('bear', count)} on the question “{asked}”:"
    said = verb  # the verb as the question says it ("turns"), before it agrees ("turn")
    if match and _is_lexical_verb(match.group(2)):
        noun, verb = match.group(1).lower(), match.group(2).lower()
        rest = _after_verb(sentence, match.end(2), topic)
        said = verb
        if not noun.endswith("s"):  # "which paper studies X?", "what research shows X?"
            verb = _plural(verb)
    elif papers_asked:  # "Can you point me to papers about how LLMs handle time?"
        rest = _after_verb(asked, 0, topic)
    on = f" on {topic_phrase(heading)}" if heading else ""
    for form in dict.fromkeys((verb, said)):  # a topic cut to length keeps its verb:
        # "turns off X …"
        if rest.lower().startswith(f"{form} "):
            rest = rest[len(form) + 1 :]
    return f"{_count(count)}{on} {_agreeing(verb, count)} {shown_topic(rest)}:"


def _after_verb(sentence: str, end: int, topic: str) -> str:
    """The question's own words from after its verb (which ends at `end`) to the end of its
    topic ("at the right to be forgotten", "how LLMs handle time"): the particles,
    articles and clause openers that the topic drops, and the topic as the analysis wrote
    it ("jailbreaks" for "JAILBREAKS"). A topic taken from before the verb ("For chat
    alignment, which papers avoid human labels?") gives way to the words after it; one
    the question does not hold (cut to its length, "refusal, but not jailbreaks") stays."""
    text = sentence[end:]
    found = text.lower().find(topic.lower())
    if found >= 0 and len(text[:found].split()) <= 3:
        return f"{text[:found]}{topic}".strip()
    after = text.strip().rstrip("?.!").strip()
    if 0 <= sentence.lower().find(topic.lower()) < end and has_topic_words(after):
        return after  # not "measure it" of "over-refusal: which papers measure it?"
    return topic


# Verbs that say a paper is there, not what it does: "What work exists on X?" ("is" and
# "are" are stop words)
_BEING_VERBS = frozenset({"exist", "exists"})


def _is_lexical_verb(word: str) -> bool:
    from assistant.answer.question import is_adverb, is_stopword

    word = word.lower()
    return not (
        is_stopword(word)
        or word.endswith(("ing", "ed"))
        or is_adverb(word)  # "apply" is no adverb
        or len(word) < 3
        or word in _BEING_VERBS
    )


def _plural(verb: str) -> str:
    """The verb a plural subject takes: 'studies' -> 'study', 'focuses' -> 'focus'."""
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("sses", "shes", "ches", "xes", "zes", "cuses")):  # "focuses"
        return verb[:-2]
    if (verb.endswith("s") and not verb.endswith(("ss", "us"))) or verb.endswith("uses"):
        return verb[:-1]  # "studies" above; "raises", "uses", "refuses"
    return verb


def _agreeing(verb: str, count: int) -> str:
    """The verb (as a plural subject takes it) in the number of its subject: 'one paper
    studies', 'two papers study'."""
    if count != 1:
        return verb
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    return verb + "s"


def _list_lines(analysis, relevant, picked, keep=None) -> tuple[str, list[str]]:
    """A line per paper with the clause that shows why it fits; `keep`: what the clause
    must still mention once shortened (a follow-up's property), else the whole sentence."""
    lead = list_lead(analysis.question, analysis.topic, len(relevant))
    lines = []
    for n, judged in enumerate(relevant, start=1):
        best = _result_over_background(picked[judged.paper.paper_id])
        clause = shorten(best.text, analysis.terms)
        if keep is not None and keep(best.text) and not keep(clause):
            clause = best.text
        lines.append(f"- {_label(judged.paper)}: {cite(clause, f'[{n}]')}")
    return lead, lines


# How close to the best sentence's score a result ("we propose", "we find") must come to
# show, in a list, why its paper fits instead of a background sentence ("Role-based
# learning holds the promise of ...").
RESULT_OVER_BACKGROUND = 0.8
# ... and how close what the paper says after its opening must come to an opening sentence
# that states no result ("RLHF has achieved great success in aligning LLMs").
AFTER_THE_OPENING = 0.6
# ... and how close a comparison's approach or finding sentence must come to the best.
IN_COMPARISON = 0.3


def _result_over_background(ranked: Sequence[Sentence]) -> Sentence:
    """The sentence a list line quotes: the best, unless it states no result and one that
    does scores nearly as well, or it sets the abstract's scene and one after the scene
    scores well enough."""
    best = ranked[0]
    if _states_result(best.text) or best.score <= 0:
        return best
    floor = RESULT_OVER_BACKGROUND * best.score
    result = next((s for s in ranked[1:] if s.score >= floor and _states_result(s.text)), None)
    if result is None and best.opening:
        floor = AFTER_THE_OPENING * best.score
        result = next((s for s in ranked[1:] if s.score >= floor and not s.opening), None)
    return result or best


def _states_result(quote: str) -> bool:
    """Whether a quote, written in the third person, states its paper's result."""
    return states_result(_in_first_person(quote))


def _in_first_person(quote: str) -> str:
    return _AUTHORS.sub(lambda m: "our" if m[0].endswith("'") else "we", quote)


def _states_contribution(quote: str) -> bool:
    return states_contribution(_in_first_person(quote))


def _states_finding(quote: str) -> bool:
    return states_finding(_in_first_person(quote))


_AUTHORS = re.compile(r"\b[Tt]he authors'?")


def _specific_lines(analysis, relevant, picked) -> tuple[str, list[str]]:
    paragraphs = []
    asked = asked_parts(analysis.question)
    parts = [replace(analysis, question=q, fact=classify(q)[1]) for q in asked if len(asked) > 1]
    for n, judged in enumerate(relevant, start=1):
        ranked = _distinct(picked[judged.paper.paper_id])
        chosen = [ranked[0]]
        if len(ranked) > 1 and ranked[1].score >= SECOND_SENTENCE_RATIO * ranked[0].score:
            chosen.append(ranked[1])
        for part in parts:  # "What is the refusal rate, and how many prompts ...?": the
            # fact of each part, where a sentence holds more of it than those chosen
            bonus = {id(s): fact_bonus(s.text, part) for s in ranked}
            best = max(ranked, key=lambda s: bonus[id(s)])  # the first on a tie
            if bonus[id(best)] > max(bonus[id(s)] for s in chosen):
                chosen.append(best)
        texts = [chosen[0].text, *_in_order(chosen[1:])]  # the fact first, then support
        note = missing_figure(analysis.question, analysis.fact, judged.paper.abstract)
        body = " ".join([*texts[:-1], cite(texts[-1], f"[{n}]"), *([note] if note else [])])
        paragraphs.append(f"{_label(judged.paper)}: {body}")
    return "", paragraphs


def _comparison_lines(analysis, relevant, picked) -> tuple[str, list[str]]:
    verb = "bears" if len(relevant) == 1 else "bear"
    lead = f"{_count(len(relevant))} {verb} on this comparison:"
    lines = []
    for n, judged in enumerate(relevant, start=1):
        texts = _in_order(_approach_and_finding(picked[judged.paper.paper_id]))
        lines.append(
            f"- {_label(judged.paper)}: {' '.join([*texts[:-1], cite(texts[-1], f'[{n}]')])}"
        )
    return lead, lines


def _approach_and_finding(ranked: Sequence[Sentence]) -> list[Sentence]:
    """A comparison line's two sentences: what the paper does and what it finds, where
    sentences scoring at least IN_COMPARISON of its best say so (every paper of a
    comparison is on its topic: the line tells them apart), after its best sentence where
    that sentence stands out. The rest from its best others, results first and the
    abstract's opening scene ("DPO is increasingly used ...") last."""
    distinct = _distinct(ranked)
    best = distinct[0]
    floor = IN_COMPARISON * best.score if best.score > 0 else float("inf")
    # a sentence quoted alone before one quoted with the sentence it leans on ("To address
    # these challenges, we propose ...")
    close = sorted((s for s in distinct if s.score >= floor), key=lambda s: s.first != s.position)
    approach = next((s for s in close if _states_contribution(s.text)), None)
    finding = next((s for s in close if s is not approach and _states_finding(s.text)), None)
    # the best sentence stays unless it sets the abstract's scene, or a result scores nearly
    # as well: "... lowers harmful outputs by 40% relative to PPO" says more than a much
    # weaker "We propose X"
    near = RESULT_OVER_BACKGROUND * best.score
    rivals = [s for s in (approach, finding) if s is not None and s.score >= near]
    chosen = [] if best.opening or (rivals and not _states_result(best.text)) else [best]
    for sentence in (approach, finding):
        if sentence is not None and len(chosen) < 2 and all(sentence is not c for c in chosen):
            chosen.append(sentence)
    others = [s for s in distinct if not any(s is c for c in chosen)]
    others.sort(key=lambda s: (not (s.score >= floor and _states_result(s.text)), s.opening))
    return chosen + others[: 2 - len(chosen)]


_FORMS = {"list": _list_lines, "specific": _specific_lines, "comparison": _comparison_lines}
# A specific question that many papers bear on ("Do language models know when not to
# answer?") is answered as a list of them, one line each, under a lead that counts them.
MAX_PARAGRAPHS = 5


def extractive_answer(
    analysis: QuestionAnalysis,
    judged: Sequence[Judged],
    relevant: Sequence[Judged],
    picker: SentencePicker,
    lead: str = "",
) -> Answer:
    """Quote every relevant paper, in the form the question asks for; `lead` replaces the
    form's opening line (a follow-up's "2 of the 7 papers above mention RL:")."""
    picked = picker.pick([j.paper for j in relevant])
    kind = analysis.kind
    if kind == "specific" and len(relevant) > MAX_PARAGRAPHS:  # a list reads, 18 paragraphs not
        kind = "list"
    if lead and kind != "comparison":  # a follow-up that picks papers from the last answer
        kind = "list"
    if kind == "list":
        form_lead, lines = _list_lines(analysis, relevant, picked, picker.mentioned)
    else:
        form_lead, lines = _FORMS[kind](analysis, relevant, picked)
    lead = lead or form_lead
    separator = "\n" if kind != "specific" else "\n\n"
    parts = [lead, separator.join(lines), QUOTED_NOTE]
    text = "\n\n".join(part for part in parts if part)
    citations = [Citation(n, j.paper) for n, j in enumerate(relevant, start=1)]
    sources = [j.hit for j in judged]
    return Answer(analysis.question, text, "extractive", False, citations, sources, [])


def describe_papers(question: str, papers: list[Paper], sentences: int = 4) -> Answer:
    """The opening sentences of each paper's abstract, cited: an overview on request."""
    paragraphs, citations = [], []
    for n, paper in enumerate(papers, start=1):
        chosen = [third_person(s) for s in abstract_sentences(paper.abstract)[:sentences]]
        if not chosen:
            continue
        citations.append(Citation(n, paper))
        body = " ".join([*chosen[:-1], cite(chosen[-1], f"[{n}]")])
        paragraphs.append(f"{italic(paper.title)}: {body}")
    sources = [PaperHit(c.paper, 1.0, snippet=c.paper.abstract[:SNIPPET_CHARS]) for c in citations]
    return Answer(question, "\n\n".join(paragraphs), "extractive", False, citations, sources, [])
