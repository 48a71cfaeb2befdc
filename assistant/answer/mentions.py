"""Whether a paper's abstract mentions what a follow-up asks about ("which of those use RL?").

A follow-up narrows the papers of the last answer by a property. Those papers are all on
the conversation's topic, so a relevance score cannot tell them apart; what can is whether
the abstract says so. A paper is cited only when its title or abstract mentions the
property's rarest term and most of the rest (by IDF weight): as written, in another form
of the word ("medicine"/"medical"), or, for an acronym, spelled out ("RL": "reinforcement
learning") or inside a longer acronym the abstract defines ("RLHF").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.answer.question import weighted_share
from assistant.corpus.paper import Paper
from assistant.index.bm25 import stem, tokenize

# Stems this long that one begins the other are one word in two forms
# ("medic" of "medical" and "medicin" of "medicine").
SHARED_PREFIX = 5
# "... Reinforcement Learning from Human Feedback (RLHF)": the words before an acronym in
# parentheses ("(or PBT)" too), the acronym itself (two or more capitals or digits, a
# hyphen inside as in "Auto-CEI", an optional plural "s").
_ACRONYM = r"[A-Z][A-Za-z0-9-]*[A-Z0-9][a-z]?"
# the words may stand in quotes: ``Follow-up Likelihood as Reward" (FLR) (possessive: a
# word's own "'" and the quotes around it must not be tried every way, or a list of twelve
# ``quoted'' words took seconds)
_QUOTES = "`'\"“”‘’"
_DEFINITION = re.compile(
    rf"((?:[{_QUOTES}]{{0,2}}+[^\W\d_][\w'-]*+[{_QUOTES}]{{0,2}}+[\s,]+){{1,12}})"
    rf"\((?:or )?({_ACRONYM})\)"
)
# "DRO (Directed Representation Optimization)": the acronym first, then what it stands for
_DEFINED_AFTER = re.compile(rf"\b({_ACRONYM}) \(((?:[^\W\d_][\w'-]*[\s,]*){{2,12}})\)")
# The IDF-weighted share of the property's terms a paper must mention (its rarest one too).
MENTIONED_SHARE = 0.5
# Words an acronym's letters may skip ("Learning *from* Human Feedback").
_LINKING_WORDS = frozenset("a an and as by for from in of on the to via with".split())


@dataclass(frozen=True)
class Acronym:
    """An acronym a text defines: "Reinforcement Learning from Human Feedback (RLHF)"."""

    short: str  # as the index spells it: "rlhf"
    words: tuple[str, ...]  # the stems it stands for, one per letter
    # how many leading words make a phrase of their own: (2, 4) for RLHF, whose first two
    # ("reinforcement learning") a linking word follows; (3,) for "medical language model"
    phrases: tuple[int, ...]

    def begins_with(self, short: str) -> bool:
        """Whether the acronym extends `short` as a phrase: RLHF extends RL, MLM not ML."""
        return self.short != short and self.short.startswith(short) and len(short) in self.phrases


def acronym_definitions(texts: Iterable[str]) -> dict[str, Acronym]:
    """Each acronym the texts define, by its index spelling ("LLMs" is "llm", "CoT" "cot")."""
    found: dict[str, Acronym] = {}
    for text in texts:
        for words, acronym in _DEFINITION.findall(text):
            if spelled := _spelling(words, acronym):
                short = (acronym[:-1] if acronym.endswith("s") else acronym).lower()
                found.setdefault(short, Acronym(short, *spelled[:2]))
    return found


def _spelling(words: str, acronym: str) -> tuple[tuple[str, ...], tuple[int, ...], int] | None:
    """What _spelled_out finds for "WORDS (ACRONYM)", as _DEFINITION matches them."""
    letters = [c.lower() for c in acronym if c.isupper() or c.isdigit()]
    return _spelled_out(_words(words), letters)


def _words(words: str) -> list[str]:
    """The words of a definition, without the commas and quotes around them."""
    return [w.strip(_QUOTES) for w in words.replace(",", " ").split()]


# Acronyms every reader of these papers knows: never spelled out.
KNOWN_ACRONYMS = frozenset("AI LLM LLMs LM LMs ML NLP GPT RL RLHF".split())


def with_acronyms_defined(sentence: str, text: str) -> str:
    """The sentence with each acronym that `text` (its abstract) defines spelled out where
    it first appears, unless the sentence defines it or uses it as a possessive: "FLR
    improves X" -> "Follow-up Likelihood as Reward (FLR) improves X"."""
    for acronym, words in written_out(text).items():
        if acronym in KNOWN_ACRONYMS or f"({acronym}" in sentence or words in sentence:
            continue
        sentence = re.sub(
            rf"\b{re.escape(acronym)}\b(?!['’]s|-)",
            lambda m, w=words: f"{w if m.start() == 0 else _mid_sentence(w)} ({m.group()})",
            sentence,
            count=1,
        )
    return sentence


def _mid_sentence(words: str) -> str:
    """A long form as it reads inside a sentence: "Instruction following", capitalised only
    because its abstract's sentence began with it, is "instruction following"; "Direct
    Preference Optimization" and "BERT-based models" keep their capitals."""
    first, *rest = words.split()
    spelled = all(w[:1].islower() for w in rest) if rest else "-" in first  # "Chain-of-thought"
    if first[1:].replace("-", "").islower() and spelled:
        return first[0].lower() + words[1:]
    return words


def defined_once(text: str) -> str:
    """The text with each acronym spelled out at its first definition only: a later
    "chain-of-thought (CoT)" becomes "CoT" (sentences quoted from several abstracts each
    define it)."""
    seen: set[str] = set()

    def once(match: re.Match) -> str:
        words, acronym = match.group(1), match.group(2)
        spelled = _spelling(words, acronym)
        if not spelled or words.rstrip()[-1:] == ",":
            return match.group(0)
        if acronym not in seen:
            seen.add(acronym)
            return match.group(0)
        long_form = " ".join(words.replace(",", " ").split()[-spelled[2] :])
        return f"{words.rstrip()[: -len(long_form)]}{acronym}"

    return _DEFINITION.sub(once, text)


@functools.lru_cache(maxsize=4096)
def written_out(text: str) -> dict[str, str]:
    """Each acronym a text defines, as written, with what it stands for, as written:
    {"FLR": "follow-up likelihood as reward"} (cached: a draft asks of each abstract once
    per sentence it weighs, and drafts again to fit its length)."""
    found: dict[str, str] = {}
    for words, acronym in _DEFINITION.findall(text):
        if spelled := _spelling(words, acronym):
            found.setdefault(acronym, " ".join(_words(words)[-spelled[2] :]))
    for acronym, words in _DEFINED_AFTER.findall(text):
        spelled = _spelling(words, acronym)
        if spelled and spelled[2] == len(words.replace(",", " ").split()):  # every word spells
            found.setdefault(acronym, " ".join(words.split()))
    return found


def _spelled_out(
    words: Sequence[str], letters: Sequence[str]
) -> tuple[tuple[str, ...], tuple[int, ...], int] | None:
    """The stems of the words before "(ACRONYM)" whose initials spell it, read backwards
    from the parenthesis, with where linking words end a phrase, and how many of the
    words spell it; None when they do not spell it."""
    matched: list[tuple[str, bool]] = []  # (stem, a linking word follows it)
    remaining = list(letters)
    linked = False
    used = 0
    for word in reversed(words):
        if not remaining:
            break
        used += 1
        parts = [p for p in word.split("-") if p and p.lower() not in _LINKING_WORDS]
        parts = parts or [word]  # "Chain-of-Thought (CoT)": C, T
        initials = [p[0].lower() for p in parts]
        if initials != remaining[-len(initials) :] and parts[0][0].lower() == remaining[-1]:
            parts, initials = parts[:1], initials[:1]  # "Follow-up Likelihood (FL)": F, L
        if initials == remaining[-len(initials) :]:
            stems = [stem(p) for p in parts]
            matched[:0] = [(s, linked and i == len(stems) - 1) for i, s in enumerate(stems)]
            del remaining[-len(initials) :]
            linked = False
        elif word.lower() in _LINKING_WORDS:
            linked = True
        else:
            return None
    if remaining:
        return None
    phrases = (*(i + 1 for i, (_, link) in enumerate(matched) if link), len(matched))
    return tuple(s for s, _ in matched), phrases, used


# What a short stem's noun adds to it: "fail" -> "failur" (failure), "expos" -> "exposur"
# (not "-er", "-or", "-ion": "tense" is no "tensor", "facts" no "factor", "mill" no "million")
_NOUN_ENDINGS = frozenset({"ur", "ure"})
MIN_NOUN_STEM = 4


def _same_word(term: str, token: str) -> bool:
    """One word in two forms: equal, a plural ("llms"), stems this long that one begins
    the other ("medic" of "medical" and "medicin" of "medicine"), or a shorter stem and its
    noun ("fail" and "failur")."""
    if term == token:
        return True
    shorter, longer = sorted((term, token), key=len)
    if not longer.startswith(shorter):
        return False
    rest = longer[len(shorter) :]
    noun = len(shorter) >= MIN_NOUN_STEM and rest in _NOUN_ENDINGS
    return rest == "s" or len(shorter) >= SHARED_PREFIX or noun


def forms_held(terms: Iterable[str], tokens: Iterable[str]) -> set[str]:
    """The terms a text's tokens hold in some form of the word (see _same_word)."""
    tokens = set(tokens)
    return {t for t in terms if t in tokens or any(_same_word(t, token) for token in tokens)}


def _has_phrase(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(tokens[i : i + n]) == tuple(phrase) for i in range(len(tokens)))


def mentions(paper: Paper, weights: dict[str, float], definitions: dict[str, Acronym]) -> bool:
    """Whether the paper's title or abstract mentions the property: its rarest term and
    MENTIONED_SHARE of the terms' weight (weights: stemmed term -> IDF, in question order)."""
    if not weights:
        return False
    tokens = tokenize([f"{paper.title} {paper.abstract}"])[0]
    vocabulary = set(tokens)

    def present(term: str) -> bool:
        if any(_same_word(term, token) for token in vocabulary):
            return True
        return any(_as_acronym(short, tokens, vocabulary, definitions) for short in _forms(term))

    found = {t for t in weights if present(t)}
    terms = list(weights)
    common = _common_definitions()
    for acronym in definitions.values():  # "reinforcement learning" asked, "RLHF" written
        if common.get(acronym.short) is acronym:
            continue  # only what a paper defines: "15.8 micrograms/ml" is no "ML"
        if acronym.short in vocabulary:
            for n in acronym.phrases:
                found |= _phrase_terms(terms, acronym.words[:n])
    rarest = max(weights, key=weights.__getitem__)
    return rarest in found and weighted_share(weights, found) >= MENTIONED_SHARE


def _forms(term: str) -> tuple[str, ...]:
    """A term and, for a plural acronym ("RLs"), its singular."""
    return (term, term[:-1]) if term.endswith("s") and len(term) > 2 else (term,)


def _as_acronym(
    short: str, tokens: Sequence[str], vocabulary: set[str], definitions: dict[str, Acronym]
) -> bool:
    """Whether the paper writes an acronym out ("RL": "reinforcement learning"), or uses a
    longer one that begins with it as a phrase (RLHF), either way."""
    spelled = definitions.get(short)
    if spelled and _has_phrase(tokens, spelled.words):
        return True
    return any(
        longer.begins_with(short)
        and (longer.short in vocabulary or _has_phrase(tokens, longer.words[: len(short)]))
        for longer in definitions.values()
    )


def _phrase_terms(terms: Sequence[str], phrase: Sequence[str]) -> set[str]:
    """The terms that spell out the phrase, when they stand together in the question."""
    return set(phrase) if _has_phrase(terms, phrase) else set()


# Acronyms of the field that papers write out without defining ("which of those use RL?"
# of papers that all say "reinforcement learning"); a paper's own definition wins.
_COMMON_ACRONYMS = (
    "reinforcement learning (RL), large language model (LLM), language model (LM), "
    "natural language processing (NLP), machine learning (ML), machine translation (MT), "
    "question answering (QA), named entity recognition (NER), graph neural network (GNN), "
    "convolutional neural network (CNN), recurrent neural network (RNN), generative "
    "adversarial network (GAN), knowledge distillation (KD), retrieval-augmented "
    "generation (RAG), chain of thought (CoT), supervised fine-tuning (SFT), direct "
    "preference optimization (DPO), proximal "
    "policy optimization (PPO), mixture of experts (MoE), low-rank adaptation (LoRA), "
    "vision-language model (VLM), reward model (RM), automatic speech recognition (ASR)"
)


@functools.cache
def _common_definitions() -> dict[str, Acronym]:
    return acronym_definitions(_COMMON_ACRONYMS.split(", "))


def _definitions(papers: Sequence[Paper]) -> dict[str, Acronym]:
    """The acronyms the papers define, and the field's common ones they do not."""
    return {
        **_common_definitions(),
        **acronym_definitions(f"{p.title}. {p.abstract}" for p in papers),
    }


def papers_mentioning(papers: Sequence[Paper], weights: dict[str, float]) -> list[Paper]:
    """The papers that mention the property; acronyms are read from the papers themselves
    (and the field's common ones)."""
    definitions = _definitions(papers)
    return [p for p in papers if mentions(p, weights, definitions)]


def sentence_mentions(papers: Sequence[Paper], weights: dict[str, float]) -> Callable[[str], bool]:
    """Whether a sentence of one of the papers mentions the property, acronyms read from
    all of them ("RL" in a sentence on RLHF)."""
    definitions = _definitions(papers)
    return lambda sentence: mentions(
        Paper(title="", abstract=sentence, source=""), weights, definitions
    )
