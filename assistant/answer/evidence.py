"""The sentences of relevant papers that answer a question, scored and ready to quote.

A sentence scores by its similarity to the question (embedded in one batch for all the
papers), the share of the question's terms it holds, its role (a contribution or a
finding beats background and motivation) and, for questions after a specific fact, whether
it carries that kind of fact (a number, a named benchmark, a method).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer.mentions import KNOWN_ACRONYMS, written_out
from assistant.answer.question import QuestionAnalysis, bigrams, defined_term, weighted_share
from assistant.answer.sentences import (
    abstract_sentences,
    has_number,
    leans_back,
    named_items,
    role_bonus,
    setup_length,
    states_result,
    third_person,
    without_connective,
)
from assistant.corpus.contribution import BENCHMARK, SURVEY, contributes_in
from assistant.corpus.paper import Paper
from assistant.index.bm25 import BM25Index, stem, tokenize
from assistant.index.embeddings import Embedder
from assistant.markup import literal

LEXICAL_WEIGHT = 0.3
# A sentence that carries the kind of fact asked for (doubled for a measure or an
# evaluation) outranks a closer paraphrase of the question that does not: the fact first.
FACT_BONUS = 0.3
# What stands for the quote of a paper indexed without an abstract ("Title: Title [1].")
TITLE_ONLY = "No abstract is indexed for this paper; it is listed for its title."
METHOD_BONUS = 0.12  # method words ("by", "using") are common: a lighter hint
PHRASE_BONUS = 0.12  # the sentence holds a phrase of the question ("over-refusal")
BACK_REFERENCE_PENALTY = 0.06
MENTION_BONUS = 1.0  # a follow-up's answer quotes where each paper mentions what it asks
# An abstract's opening sentence sets the scene ("LLMs are susceptible to persuasion")
# unless it states what the paper does or finds: it restates the question, not the answer.
OPENING_PENALTY = 0.1
# A sentence that names an item of a list given earlier ("case (2) may be mitigated ..."),
# when the sentence before it does not give that item: its quote would not say what it is.
UNDEFINED_ITEM_PENALTY = 0.3
MIN_CHARS = 30
SEMANTIC_PAPERS = 8
MAX_CLAUSE_WORDS = 35
MIN_CLAUSE_WORDS = 8
# A sentence up to this long is quoted whole when no window of MAX_CLAUSE_WORDS that opens
# where a sentence does holds every question term it has: the term that made it fit would
# be cut away ("... refuse to answer appropriately without over-refusing").
MAX_WHOLE_WORDS = 60
_TEX_MACRO = re.compile(r"\\[A-Za-z]+")  # "\mone": a macro the abstract never expands
_NAMED = re.compile(r"\b(?:[A-Z][a-z]*[A-Z][\w-]*|[A-Z]{2,}[\w-]*)\b")
_MEASURE = re.compile(r"\d[\d,.]*\s*(?:%|percent|x\b|times|fold)|\d{2,}", re.IGNORECASE)
_EVALUATION = re.compile(
    r"\b(?:benchmark|dataset|evaluat\w*|experiments? on|tested on|on the)\b", re.I
)
_SUPERLATIVE = re.compile(
    r"\b(?:highest|lowest|best|worst|strongest|weakest|largest|smallest|fastest|"
    r"top-performing)\b",
    re.IGNORECASE,
)
# ... as a question asks for one: of a score or a performance ("which scored highest?",
# "the best accuracy"), not "most relevant" or "best describes"
_ASKED_SUPERLATIVE = re.compile(
    r"\b(?:scor|perform|achiev|rank|did|does|do)\w*\s+(?:the\s+)?(?:highest|lowest|best|worst)\b"
    r"|\b(?:highest|lowest|best|worst|strongest|weakest|largest|smallest|fastest)\s+"
    r"(?:[\w-]+\s+)?(?:score|accuracy|performance|rate|result|model|method|system)s?\b",
    re.IGNORECASE,
)
_OWN_WORK = re.compile(r"\b(?:we|our|this (?:paper|work|study))\b", re.IGNORECASE)
# ... and where it names what it was evaluated on: "a 38.3% win rate on Arena-Hard"
_ON_NAMED = re.compile(r"\b(?:on|across)\s+(?:the\s+)?[A-Z][a-z]*[A-Z0-9]")
_METHOD = re.compile(
    r"\b(?:by|via|through|using|leverag\w+|train\w*|fine-tun\w+|introduc\w+|propos\w+|"
    r"we show|can be obtained|simply|instead of)\b",
    re.IGNORECASE,
)


@dataclass
class Sentence:
    text: str  # as quoted: connective stripped, third person, with its antecedent if needed
    score: float
    position: int
    first: int | None = None  # where the quote starts: position - 1 with its antecedent
    opening: bool = False  # it sets the abstract's scene, before the authors speak

    @property
    def span(self) -> range:
        """The abstract's sentences the quote holds."""
        return range(self.position if self.first is None else self.first, self.position + 1)


_HOW_MANY = re.compile(
    r"\bhow (?:many|much)\s+(?:[\w-]+\s+){0,3}?([a-z][\w-]*)(?:\s+(?:are|is|was|were|do|"
    r"does|did|have|has|had|can|could|will|would|in|of|per|for|on|at|to)\b|\s*[?.!]|\s*$)",
    re.IGNORECASE,
)
# ... where that reads a name ("how many physicians rated the GPT-3.5 answers" is not a
# question of "GPT-3"), the first plural noun after "how many" (not "bias", "focus")
_HOW_MANY_PLURAL = re.compile(
    r"\bhow many\s+(?:[\w-]+\s+){0,3}?(?!(?:this|was|has|does|is|its)\b)"
    r"([a-z][\w-]*[^\Wsuiy]s)\b",
    re.IGNORECASE,
)


def _asked_count(question: str) -> str | None:
    """The noun a "how many" or "how much" question counts, as written."""
    match = _HOW_MANY.search(question)
    if match and re.search(r"\d", match.group(1)) and (plural := _HOW_MANY_PLURAL.search(question)):
        return plural.group(1)
    return match.group(1) if match else None


_COUNT_WORD = r"(?:\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|twelve)"
# "What are the two components of X?": a count the question states, of a plural noun
_STATED_COUNT = re.compile(
    rf"\b(?:the|its|their) {_COUNT_WORD} (?:[\w-]+\s+){{0,2}}?([a-z][\w-]*s)\b", re.IGNORECASE
)


def counted_noun(question: str) -> str | None:
    """What a question counts, as a stem: "how many benign queries does it contain?" ->
    "queri", "what are the two components of DeRTa?" -> "compon"."""
    counted = _asked_count(question)
    if counted is None and (match := _STATED_COUNT.search(question)):
        counted = match.group(1)
    return stem(counted) if counted else None


# A number before a name's acronym ("24 LVLMs") may count what a question asks about.
_COUNTED_ACRONYM = re.compile(rf"\b(?:\d[\d,.]*|{_COUNT_WORD})\s+[A-Z][\w-]*[A-Z][\w-]*\b")


def missing_figure(question: str, fact: str, abstract: str) -> str:
    """A note for a "how many X" or "how much" answer from an abstract that gives no
    figure for it anywhere ("How many samples does VISCO contain?"), so that another
    number it quotes is not taken for the answer; empty when any sentence may hold one: a
    number of X ("two experimental set-ups", "1,000 prompts"), or a number of a named
    thing ("24 LVLMs" may be the models asked about)."""
    sentences = [s.replace("-", "") for s in abstract_sentences(abstract)]  # "set-ups"
    asked = _asked_count(question)
    if asked and re.search(r"\bhow many\b(?!\s+times\b)", question, re.IGNORECASE):
        word = asked.lower()
        stems = {stem(word.replace("-", "")), stem(word.replace("-", "").replace("our", "or"))}
        for sentence in sentences:
            tokens = set(tokenize([sentence])[0])
            if any(_counts(sentence, c) for c in stems) or _COUNTED_ACRONYM.search(sentence):
                return ""
            if has_number(sentence) and stems & tokens:
                return ""
        return f"(The abstract gives no number of {word}.)"
    if fact == "number" and not any(has_number(s) for s in sentences):
        return "(The abstract gives no figure for this.)"
    return ""


def _counts(sentence: str, counted: str) -> bool:
    """Whether the sentence gives a number of what the question counts ("300 manually
    collected benign multimodal queries", "two novel components")."""
    pattern = rf"\b{_COUNT_WORD}\s+(?:[\w-]+\s+){{0,4}}{re.escape(counted)}"  # not "76%"
    return bool(re.search(pattern, sentence, re.IGNORECASE))


def _fact_bonus(sentence: str, analysis: QuestionAnalysis, counted: str | None = None) -> float:
    """How much the sentence looks like it holds the kind of fact the question asks for,
    and a superlative the question asks for ("which scored highest?": "with Claude-3.5
    achieving the highest overall score")."""
    asked = _ASKED_SUPERLATIVE.search(analysis.question) and _SUPERLATIVE.search(sentence)
    return (FACT_BONUS if asked else 0.0) + _kind_bonus(sentence, analysis, counted)


def _names(text: str) -> set[str]:
    """The names in a text, each in the singular ("LLMs" is "LLM")."""
    return {re.sub(r"(?<=[A-Z])s$", "", name) for name in _NAMED.findall(text)}


def _kind_bonus(sentence: str, analysis: QuestionAnalysis, counted: str | None) -> float:
    """How much the sentence looks like it holds the kind of fact the question asks for;
    a number of what the question counts ("how many X", "the two X") counts as much again."""
    count = FACT_BONUS if counted and _counts(sentence, counted) else 0.0
    if analysis.fact == "number":
        if not has_number(sentence):
            return count
        return FACT_BONUS * (2 if _MEASURE.search(sentence) else 1) + count
    if count:
        return 2 * count
    if analysis.fact == "named":
        # names the question does not give, nor the field's own ("LLM" is no model's name)
        new_names = _names(sentence) - _names(analysis.question) - KNOWN_ACRONYMS
        if not new_names:
            return 0.0
        evaluated = _EVALUATION.search(sentence) or _ON_NAMED.search(sentence)
        return FACT_BONUS * (2 if evaluated else 1)
    if analysis.fact == "method":
        if not _METHOD.search(sentence):
            return 0.0
        # "we show that X can be obtained by ...": the paper's own way, not the background's
        return METHOD_BONUS * (2 if _OWN_WORK.search(sentence) else 1)
    if analysis.fact in (BENCHMARK, SURVEY):
        return 2 * FACT_BONUS if contributes_in(sentence, analysis.fact) else 0.0
    if analysis.fact in _SAYS_ASPECT:  # where it says so of the question's topic
        said = _SAYS_ASPECT[analysis.fact].search(sentence)
        held = said and analysis.present_terms(tokenize([sentence])[0], sentence)
        return 2 * FACT_BONUS if held else 0.0
    if analysis.fact == "definition":
        term = defined_term(analysis.question)
        return 2 * FACT_BONUS if term and _defines(sentence, term) else 0.0
    return 0.0


# Where an abstract says what falls short ("Despite its popularity, RLHF is prone to biased
# local optimization") or what brings something about ("driven by preferences that ...")
_SAYS_ASPECT = {
    "limitation": re.compile(
        r"\b(?:(?:limitation|drawback|weakness|shortcoming|downside|pitfall)s?\b|prone to|"
        r"suffer|fail|struggl|brittle|vulnerab|unstable|instabilit|degrad|costly|expensive|"
        r"cannot\b|unable\b|lack|insufficient|inadequate|limited\b|decreas|despite\b|"
        r"although\b|however\b|but\b)",
        re.IGNORECASE,
    ),
    "cause": re.compile(
        # "caused by", not "sheds light on the causes", which names them without saying them
        r"\b(?:caused by|because\b|due to|driven by|drive[sn]?\b|stem(?:s|med)? from|"
        r"result(?:s|ed)? from|trigger(?:s|ed)?\b|root(?:s|ed)? in|stimul(?:i|us)\b|"
        r"induce[sd]?\b|explain(?:s|ed)?\b|attribut(?:ed|able) to|aris(?:e|es|ing)\b|"
        r"owing to|responsible for)",
        re.IGNORECASE,
    ),
}
# Where an abstract says what a term is: "we develop RISE: Recursive IntroSpEction, an
# approach ...", "PBT, a training method", "Persuasion-Balanced Training (PBT)", "X is ...".
_INTRODUCING = re.compile(
    r"\b(?:we|We)\s+(?:[a-z]+ly\s+)?(?:propose|introduce|present|develop|call|term|define|"
    r"refer to|dub|name)\b"
)


def _defines(sentence: str, term: str) -> bool:
    """Whether the sentence introduces or defines the term."""
    name = re.escape(term)
    if not re.search(rf"\b{name}\b", sentence, re.IGNORECASE):
        return False
    described = rf"\b{name}\s*(?:[,:]\s+(?:an?|the)\s|\)|\s(?:is|are|refers to|means)\s)"
    spelled_out = rf"\(\s*{name}\s*\)"  # "Persuasion-Balanced Training (PBT)"
    return bool(
        _INTRODUCING.search(sentence)
        or re.search(f"{described}|{spelled_out}", sentence, re.IGNORECASE)
    )


def fact_bonus(sentence: str, analysis: QuestionAnalysis) -> float:
    """How much the sentence looks like it holds the fact the question asks for (a number
    of what it counts among them)."""
    return _fact_bonus(sentence, analysis, counted_noun(analysis.question))


def quote_start(sentences: Sequence[str], position: int, leaning: bool) -> int:
    """Where a quote of the sentence starts: at its antecedent when it leans back
    (`leaning`), and one further when that leans back too ("GPT-4 answers questions like the
    former 79% of the time" needs the questions it compares)."""
    if not leaning:
        return position
    if position >= 2 and leans_back(sentences[position - 1]):
        return position - 2
    return position - 1


def quotable(sentences: Sequence[str], position: int, leaning: bool) -> str:
    """A sentence as it can stand alone: from quote_start on, each dangling connective
    dropped, first person turned into third."""
    return _quote(sentences, quote_start(sentences, position, leaning), position)


def _quote(sentences: Sequence[str], start: int, position: int) -> str:
    return third_person(" ".join(without_connective(s) for s in sentences[start : position + 1]))


# Breaks between clauses that can stand alone ("...; as such, they map ..." splits, but
# ", which ..." does not: a relative clause means nothing without its head).
_CLAUSE_BREAK = re.compile(r"(?<=;)\s+|\s+(?:--|—)\s+")
# ... but what a dash opens with these words only names what came before it ("identify a
# simple method -- namely, in-context learning with ...").
_APPOSITION = re.compile(r"^(?:namely|i\.e\.|e\.g\.|such as|including|that is)\b", re.I)
# ... nor does a phrase that says how or when, not what ("By analyzing X using fTRI --").
_MODIFIER = re.compile(r"^(?:by|using|through|via|with|after|before|inspired|based)\b", re.I)


def shorten(sentence: str, terms: Sequence[str]) -> str:
    """A long sentence cut to the clause that holds the most question terms (the first such
    clause on a tie), and to MAX_CLAUSE_WORDS words unless that would cut away one of the
    question terms it holds (see _window)."""
    if len(sentence.split()) <= MAX_CLAUSE_WORDS:
        return sentence
    clauses = [c.strip(" ;,") for c in _CLAUSE_BREAK.split(sentence) if c.strip(" ;,")]
    clauses = [c for c in clauses if not (_APPOSITION.match(c) or _MODIFIER.match(c))]
    clauses = clauses or [sentence]
    wanted = set(terms)
    best = max(clauses, key=lambda c: len(wanted & set(tokenize([c])[0])))
    if len(best.split()) < MIN_CLAUSE_WORDS:
        best = sentence
    words = best.split()
    if len(words) > MAX_CLAUSE_WORDS and (window := _window(words, wanted)):
        return window
    if not best.endswith((".", "!", "?")):
        best += "."
    return best[0].upper() + best[1:]


def _window(words: list[str], wanted: set[str]) -> str | None:
    """The MAX_CLAUSE_WORDS consecutive words that hold the most question terms, the
    earliest on a tie, with an ellipsis where words were left out. A window opens where a
    sentence does (or after ";" or ":"), never inside a clause or a list. None when the
    words are few enough to quote whole and every such window would lose one of their
    question terms, or when the window would leave out only a few words at the end."""
    found = [wanted.intersection(stems) for stems in tokenize(words)]
    hits = [bool(terms) for terms in found]
    last = len(words) - MAX_CLAUSE_WORDS
    starts = [0, *(i for i in range(1, last + 1) if words[i - 1].endswith((".", ";", ":")))]
    start = max(starts, key=lambda i: (sum(hits[i : i + MAX_CLAUSE_WORDS]), -i))
    end = _closed_end(words, start, start + MAX_CLAUSE_WORDS)
    if start == 0 and end >= len(words):
        return None  # little is left out: the words are quoted whole
    held = set().union(*found)
    if len(words) <= MAX_WHOLE_WORDS and set().union(*found[start:end]) < held:
        return None
    text = " ".join(words[start:end]).rstrip(",;:")
    return ("… " if start else "") + text + (" …" if end < len(words) else "")


# How many words a window may grow by to close a parenthesis or a quotation it opened.
MAX_CLOSING_WORDS = 12


def _closed_end(words: list[str], start: int, end: int) -> int:
    """Where a window ends: at the sentence's end when at most MAX_CLOSING_WORDS are left
    after it; else, if it would end inside a parenthesis or a quotation, after its close
    when that comes within MAX_CLOSING_WORDS, or before its opening ("... to harmful
    responses (e.g., reducing the refusal rate …" loses "(e.g., ...")."""

    def open_at(stop: int) -> bool:
        text = " ".join(words[start:stop])
        quotes = text.count('"') + text.count("“") + text.count("”")
        return text.count("(") > text.count(")") or quotes % 2 == 1

    if len(words) - end <= MAX_CLOSING_WORDS:
        return len(words)
    if not open_at(end):
        return end
    for stop in range(end + 1, min(len(words), end + MAX_CLOSING_WORDS) + 1):
        if not open_at(stop):
            return stop
    for stop in range(end - 1, start + MIN_CLAUSE_WORDS - 1, -1):
        if not open_at(stop):
            return stop
    return end


def _context_penalty(
    sentences: Sequence[str], i: int, start: int, quote: str, setup: int = 1, scene: bool = False
) -> float:
    """How much a sentence loses for what its quote leans on: each sentence before it
    that the quote must give too (it starts at `start`, see quote_start), an item of a
    list the quote does not give, or the abstract's opening (its first `setup` sentences,
    before the authors speak), which sets the scene unless it states what the paper does
    or finds: "CoT prompting has two major paradigms." is not what Auto-CoT is. (Not
    when the scene is what was asked, `scene`: the shortcoming of prior work a paper
    sets out to mend.)"""
    leaning = start < i
    penalty = BACK_REFERENCE_PENALTY * (i - start)
    before = sentences[i - 1] if i > 0 else ""
    if any(item not in before for item in named_items(sentences[i])):
        penalty += UNDEFINED_ITEM_PENALTY
    opens = i < setup or (i == setup and leaning)  # quoted with the opening
    if opens and not (scene or states_result(quote)):
        penalty += OPENING_PENALTY
    return penalty


class SentencePicker:
    """Scores the sentences of given papers against one question."""

    def __init__(
        self,
        analysis: QuestionAnalysis,
        query_vector: np.ndarray,
        embedder: Embedder,
        bm25: BM25Index,
        mentioned: Callable[[str], bool] | None = None,
    ) -> None:
        """`mentioned`: for a follow-up ("which of those use RL?"), whether a sentence
        mentions what it asks; such sentences come first."""
        self.analysis = analysis
        self.mentioned = mentioned
        self.query_vector = np.asarray(query_vector, dtype=np.float32)
        self.embedder = embedder
        self.weights = {t: bm25.idf(t) for t in analysis.terms}
        self.phrases = bigrams(tokenize([analysis.question])[0])
        self.counted = counted_noun(analysis.question)

    def _with_acronyms_read(
        self, papers: Sequence[Paper], per_paper: Sequence[Sequence[str]], token_sets: list[set]
    ) -> None:
        """A sentence that uses an acronym its abstract defines holds the question's terms
        of what it stands for: "an implicit PRM can be obtained ..." answers a question on
        "process reward models" (the opening that spells it out won on those words)."""
        wanted = set(self.analysis.terms)
        offset = 0
        for paper, sentences in zip(papers, per_paper, strict=True):
            spelled = [
                (re.compile(rf"\b{re.escape(acronym)}s?\b"), terms)
                for acronym, words in written_out(paper.abstract).items()
                if (terms := wanted.intersection(tokenize([words])[0]))
            ]
            for i, sentence in enumerate(sentences):
                for used, terms in spelled:
                    if used.search(sentence):
                        token_sets[offset + i] |= terms
            offset += len(sentences)

    def pick(self, papers: Sequence[Paper]) -> dict[str, list[Sentence]]:
        """Each paper's usable sentences, best first."""
        per_paper = [abstract_sentences(p.abstract) or (p.title,) for p in papers]
        flat = [s for sentences in per_paper for s in sentences]
        if not flat:
            return {}
        # Embedding is the cost of an answer: beyond the first papers, sentences are chosen
        # by their words alone, so that a 40-paper list still answers within a second.
        embedded = sum(len(sentences) for sentences in per_paper[:SEMANTIC_PAPERS])
        similarities = np.zeros(len(flat), dtype=np.float32)
        similarities[:embedded] = self.embedder.embed(flat[:embedded]) @ self.query_vector
        token_lists = tokenize(flat)
        token_sets = [
            self.analysis.present_terms(t, s) for t, s in zip(token_lists, flat, strict=True)
        ]
        self._with_acronyms_read(papers, per_paper, token_sets)
        definition = self.analysis.fact == "definition"
        result: dict[str, list[Sentence]] = {}
        offset = 0
        for paper, sentences in zip(papers, per_paper, strict=True):
            scored = []
            setup = setup_length(sentences)
            for i, sentence in enumerate(sentences):
                if "http" in sentence or _TEX_MACRO.search(sentence) or len(sentence) < MIN_CHARS:
                    continue
                leaning = i > 0 and leans_back(sentence, late=definition)
                start = quote_start(sentences, i, leaning)
                quote = _quote(sentences, start, i)
                bonus = _fact_bonus(sentence, self.analysis, self.counted)
                scene = bonus > 0 and self.analysis.fact in _SAYS_ASPECT
                score = (
                    float(similarities[offset + i])
                    + LEXICAL_WEIGHT * weighted_share(self.weights, token_sets[offset + i])
                    + (PHRASE_BONUS if self.phrases & bigrams(token_lists[offset + i]) else 0.0)
                    + role_bonus(sentence)
                    + bonus
                    - _context_penalty(sentences, i, start, quote, setup, scene)
                    + (MENTION_BONUS if self.mentioned and self.mentioned(sentence) else 0.0)
                )
                scored.append(Sentence(quote, score, i, start, opening=i < setup))
            offset += len(sentences)
            if not paper.abstract.strip():  # indexed by title alone: nothing to quote
                scored = [Sentence(TITLE_ONLY, 0.0, 0)]
            elif not scored:  # only short sentences: quote the title
                scored = [Sentence(literal(paper.title) + ".", 0.0, 0)]
            result[paper.paper_id] = sorted(scored, key=lambda s: -s.score)
        return result
