"""What a question asks for: its topic words, its key concept, its form and its language.

The answerers use this to decide the shape of an answer (a list of papers, a specific
fact, a comparison), and to explain an abstention: which concept the collection lacks,
that the question has no topic at all, or that it is not in English.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.answer.english_words import is_english_word
from assistant.arguments import optional_text
from assistant.corpus.text import strip_controls
from assistant.errors import InputError
from assistant.index.bm25 import BM25Index, is_question_word, stem, tokenize

MAX_QUESTION_CHARS = 2000

# Markup a question may carry when pasted from a page or a chat: read as the plain words.
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"(\*\*|\*|`+|__|\b_)(?=\S)(.+?)(?<=\S)\1(?![\w*`])")
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)\S+", re.IGNORECASE)


def plain_words(question: str) -> str:
    """The question without Markdown links, emphasis, HTML tags and URLs: a link's text
    stays, its address is not a topic word ("http" is a concept no abstract covers)."""
    question = _HTML_TAG.sub(" ", _MARKDOWN_LINK.sub(r"\1", question))
    for _ in range(2):  # "**_nested_**"
        question = _EMPHASIS.sub(r"\2", question)
    plain = _URL.sub(" ", question)
    return " ".join(plain.split()) or question


_OPTION = re.compile(r"--?[A-Za-z][\w-]*")


# Hyphens and minus signs that are not ASCII, and the soft hyphen (dropped).
_HYPHENS = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u00ad": None}
)


def check_question(question: str, noun: str = "question") -> str:
    """The question (or a related-work topic: `noun="topic"`) with whitespace normalised,
    markup read as plain words, and escape and control characters removed."""
    question = optional_text(question, f"the {noun}") or ""
    question = unicodedata.normalize("NFKC", question)  # full-width "ＲＬ" is "RL"
    question = question.translate(_HYPHENS)  # "over‑refusal" (U+2011) is "over-refusal"
    question = plain_words(" ".join(strip_controls(question).split()))
    example = {
        "topic": 'name one, e.g. "over-refusal in language models"',
        "query": 'search for a topic, e.g. "over-refusal"',
    }.get(noun, 'ask something, e.g. "which papers study X?"')
    if not question:
        raise InputError(f"the {noun} is empty; {example}")
    if _OPTION.fullmatch(question):  # "assistant ask -- --help"
        raise InputError(f"the {noun} {question!r} looks like an option; {example}")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"the {noun} is {len(question):,} characters long; the limit is "
            f"{MAX_QUESTION_CHARS:,}: name one topic at a time"
        )
    return question


Kind = Literal["list", "specific", "comparison"]
# ... or, for a list of a kind of paper, what each contributes ("benchmark", "survey").
Fact = Literal[
    "number", "named", "method", "finding", "definition", "benchmark", "survey", "limitation",
    "cause", "",
]  # fmt: skip

# The user's collection, as a question names it: "the collection", "my library".
_THE_COLLECTION = r"(?:the|this|your|my|our)\s+(?:collection|corpus|library|index)\b"
# What asks what the collection holds: "what does my collection have (on)".
_COLLECTION_HOLDS = rf"what\s+(?:does|do)\s+{_THE_COLLECTION}\s*(?:say|have|hold|contain|cover)"
# A dash between a topic and what follows it: "X -- list the papers", "X - lying to users".
_DASH = r"(?:--?|[–—])"
# a word, without the quotes, hyphens or Markdown underscores around it ("_attacks_")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?", re.UNICODE)
_COMPARISON = re.compile(
    r"\b(compare[ds]?|comparing|comparison|contrast(?:s|ed|ing)?|differ(?:s|ent|ence|ences)?|"
    r"versus|vs\.?|trade-?offs?|similarit(?:y|ies)|agree|disagree)\b",
    re.IGNORECASE,
)
# A number set beside another, which asks for the number: "... compared with direct requests?"
_COMPARED_WITH = re.compile(r"\bcompared\s+(?:with|to)\b", re.IGNORECASE)
_LIST = re.compile(
    # at the question's start, or after a dash that follows its topic, as a command ("VLMs
    # -- list the papers"; not "Jailbreak defenses -- what works best?")
    rf"(?:^|\s{_DASH}\s(?=(?:please\s+)?(?:list|show|give|find)\b))\s*"
    r"(?:(?:i|we|can|could|would|please|hey|hi|so|ok(?:ay)?|and)\b[\w',]*\s+(?:[\w',]+\s+){0,4}?)?"
    r"(?:(?:which|what|any|find|list|show(?: me)?|give(?: me)?)\s+(?:\w+\s+){0,2}?"
    r"(?:papers?|works?|studies|articles|research|publications)\b"
    # "Which surveys discuss X?" asks for papers of a kind (paper_kinds.py); "What do
    # surveys say about X?" asks what they say
    r"|(?:which|what|any)\s+(?:surveys|overviews)\b(?!\s+(?:say|said|show|find|conclude)\b)"
    r"|(?:papers?|works?|studies|research|publications)\s+(?:on|about|that|which|studying)\b"
    r"|how many (?:\w+\s+){0,2}?(?:papers?|works?|studies|articles|publications)\b"
    r"|list\b|survey\b|overview\b)",
    re.IGNORECASE,
)
# The nouns a question asks for papers with.
PAPER_NOUNS = (
    r"(?:papers?|works?|studies|study|articles?|publications?|research|literature|"
    r"references|readings?|surveys|overviews)"
)
# "Which papers raise X?", "Do any papers discuss X?", "Name some papers that use DPO":
# the noun the question asks for and its verb.
_ASKING_VERB = re.compile(
    r"(?:^|[,;:]\s+)(?:which|what|how many|do(?:es)? any(?:\s+of\s+(?:the|these|those))?)\s+"
    rf"({PAPER_NOUNS})\s+([a-z]+)\b",
    re.IGNORECASE,
)
_RELATIVE_VERB = re.compile(rf"\b({PAPER_NOUNS})\s+(?:that|which)\s+([a-z]+)\b", re.IGNORECASE)


def asking_verb(sentence: str) -> re.Match | None:
    """Where a sentence asks for papers with a verb: groups (noun, verb)."""
    return _ASKING_VERB.search(sentence) or _RELATIVE_VERB.search(sentence)


def _without_framing_verb(question: str) -> str:
    """The question without the verb it asks for papers with, when that verb only frames
    ("Which papers discuss X?" asks what "Which papers study X?" asks: "discuss", rare in
    abstracts, weighed as a key term and made X look uncovered)."""
    match = asking_verb(question) or _HOW_PAPERS_VERB.search(question)
    if not match or stem(match.group(2).lower()) not in FRAMING_VERBS:
        return question
    return f"{question[: match.start(2)]}{question[match.end(2) :]}"


# "How do papers measure X?" asks how X is measured: "measure" frames it as "study" does
_HOW_PAPERS_VERB = re.compile(
    rf"\bhow\s+do(?:es)?\s+(?:the\s+)?({PAPER_NOUNS})\s+([a-z]+)\b", re.IGNORECASE
)


# Words a request may put before the papers: "some good papers", "three recent papers".
_QUANTIFIERS = (
    r"(?:(?:all|the|some|any|a few|a couple of|good|relevant|recent|key|other|more|me|\d+|"
    r"two|three|four|five|six|seven|eight|nine|ten)\s+){0,2}"
)
_PAPERS = rf"{PAPER_NOUNS}\b(?!\s+(?:better|best|worse|well)\b)"
# What asks for papers wherever a sentence of the question says it, comparison words or
# not: "Do LLMs hold stable values? Which papers measure this?", "For chat alignment,
# which papers avoid ...", "Which papers compare English with other languages?", "Looking
# for work on sycophancy.", "Are there survey papers?", "Do any of the papers discuss X?",
# "What methods have been proposed to reduce hallucinations?". Not "which works better"
# (a verb), "What methods has SAMI been compared against?" (a named paper's), "What is
# the research gap ...?" (an auxiliary between).
_ASKS_FOR_PAPERS = re.compile(
    rf"(?:^|[,;:]\s+)(?:which|what)\s+"
    rf"(?:(?!(?:do|does|did|is|are|was|were)\b)[\w-]+\s+){{0,2}}?{_PAPERS}"
    rf"|\blooking\s+for\s+{_QUANTIFIERS}{_PAPERS}"
    rf"|^\s*(?:are|is)\s+there\s+{_QUANTIFIERS}"
    r"(?:(?!(?:a|an|the|in|of|on|between|that|evidence)\b)[\w-]+\s+){0,3}?"
    rf"(?:{_PAPERS}|(?:evaluations|benchmarks|surveys|methods|approaches)\b)"
    rf"|^\s*(?:do|does|did)\s+any\s+(?:of\s+(?:the|these|those)\s+)?{_PAPERS}"
    r"|^\s*(?:which|what)\s+(?:are\s+(?:the\s+)?(?:main\s+|key\s+|major\s+|existing\s+|"
    r"common\s+|current\s+|known\s+)?|kinds?\s+of\s+|types?\s+of\s+)?"
    r"(?:methods|approaches|techniques|strategies)\b(?!\s+(?:do|does|did)\b)"
    r"(?!\s+(?:has|have|had|is|are|was|were)\s+(?-i:[A-Z]))"
    r"|^\s*what(?:'s|\s+has|\s+have)\s+been\s+(?:done|published|written|proposed)\b"
    r"|^\s*who\s+(?:(?:has|have)\s+(?:worked|studied|written|published)\b"
    r"|(?:works|writes|publishes)\s+(?:on|about)\b)"
    # a request that opens with the papers: "Papers showing that AI models can deceive ...",
    # not a statement about them or a question on them ("Research on X suggests Y",
    # "Studies using GPT-4 as a judge: how reliable are they?")
    rf"|^\s*(?:(?:any|some|other|more)\s+)?{PAPER_NOUNS}\s+"
    r"(?:on|about|that|which|where|regarding|[a-z]+ing)\b"
    r"(?![^?]*(?:\?|\b(?:suggests?|shows?|showed|finds?|found|indicates?|claims?|argues?|"
    r"is|are|was|were|has|have|had)\b))",
    re.IGNORECASE,
)
# What a number question asks for: "what *percentage*", "the average refusal *rate*".
_MEASURES = r"percentage|fraction|share|proportion|number|rate|accuracy|score"
_NUMBER = re.compile(
    r"\b(how (?:many|much|often|large|big|small|long|fast|well|accurate|effective|frequently|"
    rf"common|successful)|what (?:{_MEASURES})|by how much|how high|how low|"
    # "What attack success rate does X reach?"
    rf"what\s+(?!(?:kind|type|sort)s?\s+of\b)(?:[\w-]+\s+){{1,3}}?(?:{_MEASURES})s?\s+"
    r"(?:does|did|do|is|are|was|were|has|"
    r"have|had|can|could|will|would)\b|"
    # "What is the average refusal rate in RMCBench?"
    r"what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,3}?"
    rf"(?:{_MEASURES})s?"
    r"(?=\s+(?:of|in|on|for|at|among|across|with|when|after|before|by|did|does|do|against|"
    r"versus|vs|compared|relative|over|under|from|to)\b|\s*[?.!]|\s*$))",
    re.IGNORECASE,
)
# A question that opens by asking an amount asks a number, whatever it compares it with
# ("How much less data does X need compared with Y?").
_AMOUNT_ASKED = re.compile(
    r"\s*(?:by\s+)?how\s+(?:many|much|often|frequently)\b"
    rf"(?!\s+(?:of\s+(?:the|these|those)\s+)?{PAPER_NOUNS}\b)"  # "how many papers": a list
    rf"|\s*what\s+(?:{_MEASURES})\b",
    re.IGNORECASE,
)
_NAMED = re.compile(
    r"\b(which|what) (?:[\w-]+ ){0,2}?(benchmark|dataset|data set|model|LLM|metric|game|task|"
    r"language|corpus|"
    r"baseline|evaluation)s?\b",
    re.IGNORECASE,
)
_METHOD = re.compile(
    r"^\s*(how (?:can|could|do|does|did|to|is|are|was|were)|what (?:method|technique|approach)|"
    r"in what way)\b",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"\b(find|found|finding|findings|show|shown|result|results|conclude|observe|report|"
    r"discover)\b|^\s*(?:does|do|did|is|are|can|was|were|will)\b",
    re.IGNORECASE,
)
# "What is RISE?", "What are process rewards?", "What does WACK stand for?": up to three
# words, no preposition ("What is the accuracy of RISE?" asks a number).
_TERM = r"(?!(?:an?|the)\b)[\w-]+(?:\s+(?!(?:of|in|on|for|to|with|by|from|and|or)\b)[\w-]+){0,2}"
_DEFINITION = re.compile(
    rf"^\s*what\s+(?:(?:is|are)\s+(?:an?\s+|the\s+)?(?P<term>{_TERM})"
    rf"|does\s+(?:an?\s+|the\s+)?(?P<acronym>{_TERM})\s+(?:stand\s+for|mean))\s*\??\s*$",
    re.IGNORECASE,
)


def defined_term(question: str) -> str | None:
    """The term a question asks to have defined ("RISE" in "What is RISE?"), if it does;
    not a measure ("What is the average refusal rate?" asks a number)."""
    match = _DEFINITION.match(question)
    term = (match.group("term") or match.group("acronym")) if match else None
    if term is None or _MEASURE_NOUN.search(term) or _NOT_A_TERM.search(term):
        return None
    return term


# What names no term: "What are they?", "What are the main findings / limitations?"
_NOT_A_TERM = re.compile(
    r"^(?:it|they|them|this|that|these|those|he|she|we|you)$|^(?:main|key|best|most|biggest|"
    r"major|primary)\b|\b(?:findings?|results?|limitations?|risks?|challenges?|differences?|"
    r"advantages?|benefits?|implications?|contributions?|conclusions?|trends?|problems?|"
    r"issues?|goals?|aims?|ideas?|reasons?|steps?|methods?|approaches?)$",
    re.IGNORECASE,
)
# What a question measures: "the average refusal *rate*", "the best *accuracy*".
_MEASURE_NOUN = re.compile(
    rf"\b(?:{_MEASURES}|size|cost|count|ratio|speed|price|value|amount)s?$", re.IGNORECASE
)


# Terms at least this rare, relative to the question's rarest one, make its key concept.
KEY_TERM_SHARE = 0.6
_NON_ENGLISH_LANGUAGES = (
    "FRENCH",
    "GERMAN",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
    "DUTCH",
    "DANISH",
    "NORWEGIAN",
    "SWEDISH",
    "TURKISH",
    "RUSSIAN",
)


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    kind: Kind
    fact: Fact  # for specific questions: what kind of fact is asked for
    terms: tuple[str, ...]  # content terms, as the index spells them (stemmed)
    key_terms: tuple[str, ...]  # the rarest content terms: the question's key concept
    topic: str  # the question's topic in its own words ("graph neural networks for ...")
    missing: tuple[str, ...]  # words of the question that no indexed chunk contains
    english: bool
    # modifiers of the question's hyphenated compounds ("over" of "over-refusal") that it
    # does not also use alone, and a pattern for the compounds as a text writes them
    bound_terms: frozenset[str] = frozenset()
    compound_pattern: str = ""
    # what retrieval looks for: the question, with its prefixed compounds paraphrased
    search_text: str = ""
    # terms only of the question's -ing forms: what is done to its concept ("detecting and
    # reducing" hallucination), not the concept
    action_terms: frozenset[str] = frozenset()
    # the key terms of each coordinated part of a topic ("role-play and personas": {role,
    # play} and {persona}), when it names two or more alternatives; else empty
    alternatives: tuple[frozenset[str], ...] = ()
    # terms the question writes as an acronym ("rise" of "RISE"), with the acronym: a
    # text holds them only in capitals ("a trend on the rise" is not RISE)
    acronyms: tuple[tuple[str, str], ...] = ()

    @property
    def has_topic(self) -> bool:
        return bool(self.terms)

    @property
    def sense_terms(self) -> frozenset[str]:
        """The modifiers that change what a compound means ("over" of "over-refusal"): a
        paper on refusal alone is not on over-refusal."""
        return self.bound_terms & frozenset(_SENSE_WORDS)

    def present_terms(self, tokens: Sequence[str], text: str) -> set[str]:
        """The question's terms that a text (with its index tokens) contains. A compound's
        modifier counts only as part of it, or as a word with its sense: "prefer No over
        Never" or "preference over refusal rates" does not hold the "over" of "over-refusal"
        ("refusal" still counts); "oversensitive" and "excessive refusals" do."""
        present = set(tokens) & set(self.terms)
        for term, acronym in self.acronyms:  # "a trend on the rise" is not RISE; LoRA is LORA
            found = re.findall(rf"\b{acronym}s?\b", text, re.IGNORECASE)
            if term in present and found and all(word.islower() for word in found):
                present.discard(term)
        if not self.bound_terms:
            return present
        if re.search(self.compound_pattern, text, re.IGNORECASE):
            return present | self.bound_terms  # "overrefusal", "oversensitive ... refusal"
        return present - self.bound_terms


# A request that opens a question ("summarize the papers on X", "give me papers on X",
# "explain X", "can you point me to papers about X", "is there any work on X"): how it
# asks, not what about; its verbs share stems with topics ("summarization",
# "explainability"), so they are dropped as a phrase, not as words. "Is there", "do any",
# "name", "suggest" and "recommend" are requests only when papers follow ("Is there
# evidence that X?" asks a fact, "Can you name the dataset CIVICS uses?" a name).
_PAPERS_ASKED = (
    rf"{PAPER_NOUNS}"
    r"\s+(?:on|about|that|which|regarding|related to|into|studying|covering|discussing)\s+"
)
_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would|will) you\s+(?:please\s+)?)?"
    r"(?:(?:summari[sz]e|explain|list|describe|give me|show me|find(?: me)?|tell me about|"
    r"point me (?:to|at|towards)|i(?:'m| am) looking for|i (?:want|need|would like)|i'd like)"
    rf"\s+{_QUANTIFIERS}(?:{_PAPERS_ASKED})?"
    rf"|(?:recommend|suggest|name)\s+{_QUANTIFIERS}{_PAPERS_ASKED}"
    # "What would you recommend reading on X?", "What should I read about X?"
    r"|(?:what|which)\s+(?:(?:would|do|can|could)\s+you\s+(?:recommend|suggest)\s+"
    r"(?:(?:i|me)\s+)?(?:to\s+)?read(?:ing)?|(?:should|could|can|do)\s+i\s+read)\s+"
    r"(?:up\s+)?(?:on|about|regarding|for)\s+"
    rf"|(?:is|are) there\s+{_QUANTIFIERS}{_PAPERS_ASKED}"
    rf"|do(?:es)? any\s+(?:of\s+(?:the|these|those)\s+)?{PAPER_NOUNS}\s+"
    rf"|{_COLLECTION_HOLDS}(?:\s+(?:on|about|regarding))?\s+)",
    re.IGNORECASE,
)
# What in a request says that it asks for papers: their noun, or the collection's.
_NAMES_PAPERS = re.compile(
    rf"\b(?:{PAPER_NOUNS}|collection|corpus|library|index|read|reading)\b", re.I
)


def split_request(question: str) -> tuple[str, bool]:
    """The question without an opening request, when something is left to ask about, and
    whether that request asked for papers ("point me to papers about X")."""
    match = _REQUEST.match(question)
    rest = question[match.end() :] if match else question
    if not match or not rest or not has_topic_words(rest):
        return question, False
    return rest, bool(_NAMES_PAPERS.search(match.group()))


# Where the question places the papers it asks for: the collection is no topic ("Which
# papers in the collection study X?", "What's in the collection?").
_IN_THE_COLLECTION = re.compile(
    rf"\s*\b(?:in|from|within|across)\s+{_THE_COLLECTION}", re.IGNORECASE
)
# ... and where it says only that they are there: "What approaches to X are in the
# collection, and how do they differ?" asks what approaches there are.
_THERE_IN_THE_COLLECTION = re.compile(
    r"\b(is|are)" + _IN_THE_COLLECTION.pattern + r"(?=\s*[,;?.!]|\s+and\b)", re.IGNORECASE
)
# What a writer asks for: "What should I cite?", "what else could I read?", "Any papers I
# should cite?" (asking for papers, about the topic said around it).
_READINGS_ASKED = re.compile(
    r"\b(?:what|which\s+(?:papers?|works?|references|ones)|anything|"
    r"any\s+(?:papers?|works?|references))\s+(?:else\s+)?"
    r"(?:(?:should|could|can|must|do)\s+I|I\s+(?:should|could|can|must))\s+"
    r"(?:cite|read|reference|look\s+at|include)\b"
    r"(?!(?:\s+[\w-]+){1,5}\s+(?:from|off|out)\b)"  # "read the direction from", not a request
    r"(?:\s+(?:on|about|for|regarding|in|to\s+cover))?",
    re.IGNORECASE,
)
# How a writer says what the text is on: "I'm writing a related-work section on", "I am
# drafting a survey about" (what they write is no topic).
_WRITTEN = r"(?:section|paper|survey|review|thesis|chapter|essay|report|post|proposal|draft|talk)"
_ARTICLE = r"(?:a|an|the|my|our)"
_WRITTEN_WORDS = rf"(?:[\w-]+\s+){{0,2}}?{_WRITTEN}"  # "related-work section", "blog post"
_WRITTEN_THING = rf"(?:{_ARTICLE}\s+)?{_WRITTEN_WORDS}\s+"
_WRITING_ON = re.compile(
    r"\bI(?:'m|’m| am)\s+(?:currently\s+)?(?:writing|drafting|preparing)\s+"
    # "the related-work section of a paper on X"
    rf"(?:{_WRITTEN_THING}(?:(?:of|for|in)\s+{_WRITTEN_THING})?)?"
    r"(?:on|about|covering|that covers)\s+",
    re.IGNORECASE,
)
# A closing question that asks what the collection holds on what was said before it:
# "... -- what does my collection have?"
_COLLECTION_ASKED = re.compile(
    rf"\s*(?:{_DASH}|[,;:])?\s*\b{_COLLECTION_HOLDS}\s*[?.!]*\s*$", re.IGNORECASE
)
# ... and what they write it for, opening the question: "For a survey section on X: ..."
_WRITING_FOR = re.compile(
    rf"\s*for\s+{_ARTICLE}\s+{_WRITTEN_WORDS}s?\s+(?:on|about)\s",
    re.IGNORECASE,
)


# What joins a request to the words before it: "X - what should I cite?", "X, ...".
_JOINERS = " -–—,;:"


def without_writing_frame(question: str) -> tuple[str, bool]:
    """The question without a writer's request for readings and the words that frame
    what they write, and whether it asked for readings: "I'm writing a section on
    over-refusal. What should I cite?" asks for the papers on over-refusal; "cite" and
    "writing" are no concepts the collection lacks."""
    if framed := _WRITING_FOR.match(question):  # "For a survey section on X: ..." is on X
        question = question[framed.end() :]
    request = _READINGS_ASKED.search(question)
    if request is None:
        return _without_request_within(question)
    before = question[: request.start()].rstrip(_JOINERS)
    after = question[request.end() :].strip()
    if after[:1] in ("?", ".", "!"):  # the request ended its sentence: "... - what should I cite?"
        before = before.rstrip(".?!") + after[:1] if before else ""
        after = after[1:].strip()
    rest = _WRITING_ON.sub("", f"{before} {after}").strip()
    return (rest, True) if has_topic_words(rest) else (question, False)


# A request for papers in the first person or the imperative, as a later sentence opens it.
_ASKED_FOR = re.compile(
    r"\s*(?:please\s+)?(?:(?:can|could|would) you\s+(?:please\s+)?)?"
    r"(?:i(?:'m|’m| am) looking for|i (?:need|want|would like)|i'd like|point me|recommend|"
    r"suggest|list|find|give me|show me)\b",
    re.IGNORECASE,
)


def _without_request_within(question: str) -> tuple[str, bool]:
    """The question without a request for papers that opens a later sentence or closes
    it, and without what the writer writes: "I'm writing the related-work section of a
    paper on jailbreaks. I need references on attacks -- what does my collection have?"
    asks for the papers on jailbreaks and attacks. Not after a question of its own: "What
    dataset does CIVICS use? I need papers that cite it too." asks that first."""
    from assistant.answer.sentences import split_sentences

    rest, asked = question, False
    closing = _COLLECTION_ASKED.search(question)
    before = question[: closing.start()].rstrip(_JOINERS) if closing else ""
    if before and has_topic_words(before) and not before.endswith("?"):
        rest, asked = before + ".", True
    first, *later = split_sentences(rest) or [rest]
    if "?" in first:
        return question, False
    pieces = [first]  # a request that opens the question is split_request's to read
    for sentence in later:
        # "I need references on X", not a question ("Do any papers discuss X?"), whose
        # verb the lead keeps
        opened, papers = split_request(sentence) if _ASKED_FOR.match(sentence) else ("", False)
        asked = asked or papers
        pieces.append(opened if papers else sentence)
    if not asked:
        return question, False
    rest = _WRITING_ON.sub("", " ".join(pieces)).strip()
    return (rest, True) if has_topic_words(rest) else (question, False)


# "Which surveys discuss X?" asks for papers (of a kind, paper_kinds.py) on X: not on surveys
_KIND_ASKED_FOR = re.compile(r"\b(which|what|any|many)\s+(?:surveys|overviews)\b", re.IGNORECASE)


def analyse(question: str, bm25: BM25Index) -> QuestionAnalysis:
    """Everything the answerers need to know about a question, for this corpus."""
    asked, papers_asked = split_request(question)
    asked, readings_asked = without_writing_frame(asked)
    asked = _IN_THE_COLLECTION.sub("", asked)  # "Which papers in the collection ...?"
    papers_asked = papers_asked or readings_asked
    asked = _KIND_ASKED_FOR.sub(r"\1 papers", with_framing_words_meant(asked, bm25))
    asked = _without_framing_verb(asked)
    asking, context = _asking_sentences(asked)
    words = [in_corpus_spelling(w, bm25) for w in _WORD.findall(asked)]
    stems_of = {w: _content_stems(w) for w in words}
    chatter = {in_corpus_spelling(w, bm25) for w in _context_words(asked)}
    content_words = [
        w
        for w in words
        if stems_of[w]
        and not (w in chatter and all(bm25.document_frequency(t) == 0 for t in stems_of[w]))
    ]
    manner = [w for w in content_words if len(w) > 5 and is_adverb(w) and not _frequency(w, bm25)]
    if len(manner) < len(content_words):  # "removed cheaply": how, not what
        content_words = [w for w in content_words if w not in manner]
    makers = _unnamed_makers(asked, bm25)
    content_words = [w for w in content_words if w not in makers]
    aspects = {w for m in _ASPECT_OF.finditer(asked) for w in re.split(r"[-\s]+", m.group(1))}
    aspects |= {m.group(1) for m in _CAUSE_ASKED.finditer(asked)}
    content_words = [w for w in content_words if w not in aspects] or content_words
    kind, fact = ("list", "") if papers_asked else classify(" ".join(asking), context)
    if kind == "comparison":  # "How does DPO compare with RLHF?" asks about DPO and RLHF
        compared = [w for w in content_words if not _COMPARISON.fullmatch(w)]
        content_words = compared or content_words
    terms = tuple(dict.fromkeys(t for w in content_words for t in stems_of[w]))
    rarity = {t: bm25.idf(t) for t in terms}
    rarest = max(rarity.values(), default=0.0)
    key_terms = tuple(t for t in terms if rarity[t] >= KEY_TERM_SHARE * rarest)
    missing = tuple(
        dict.fromkeys(
            w for w in content_words if all(bm25.document_frequency(t) == 0 for t in stems_of[w])
        )
    )
    compounds = [w for w in content_words if _is_compound(w, stems_of[w])]
    free = {stems_of[w][-1] for w in compounds}
    free |= {t for w in content_words if w not in compounds for t in stems_of[w]}
    actions = frozenset(
        {t for w in content_words if _is_action(w) for t in stems_of[w]}
        - {t for w in content_words if not _is_action(w) for t in stems_of[w]}
    )
    return QuestionAnalysis(
        question=question,
        kind=kind,
        fact=fact,
        terms=terms,
        key_terms=key_terms,
        topic=_compared(topic_phrase(" ".join(asking)), kind),
        missing=missing if len(bm25.chunk_ids) else (),
        english=is_english(question, len(missing) / len(content_words) if content_words else 0.0),
        bound_terms=frozenset(t for w in compounds for t in stems_of[w][:-1]) - free,
        compound_pattern="|".join(
            [_compound_pattern(w) for w in compounds] + _gloss_patterns(asked, compounds, bm25)
        ),
        search_text=with_paraphrases(asked, bm25),
        action_terms=actions,
        alternatives=_alternatives(asked, set(key_terms) - actions, bm25),
        acronyms=_acronyms(content_words, stems_of, asked),
    )


def _acronyms(
    words: Sequence[str], stems_of: dict[str, tuple[str, ...]], question: str
) -> tuple[tuple[str, str], ...]:
    """The question's acronyms ("RISE", "PBT") with their terms, unless the whole
    question is typed in capitals."""
    letters = [c for c in question if c.isalpha()]
    if sum(c.isupper() for c in letters) * 2 > len(letters):
        return ()
    return tuple(
        (stems_of[w][0], w)
        for w in dict.fromkeys(words)
        if len(stems_of[w]) == 1 and 2 <= len(w) <= 8 and w.isalpha() and w.isupper()
    )


# A sentence that says what the asker works on ("I work on watermarking.", "My thesis is
# about X.") gives the topic, whether or not it asks.
_TOPIC_INTRODUCTION = re.compile(
    r"\b(?:about|on|study|studying|research|researching|thesis|project|interested|looking|"
    r"focus|focusing|work|working)\b",
    re.IGNORECASE,
)


def _asking_sentences(question: str) -> tuple[list[str], list[str]]:
    """A question's sentences that say what it asks, and the others: greetings, thanks,
    self-introductions around a sentence that asks about a topic ("Hello! I'm a PhD
    student ... Which papers ...? Thanks in advance!"). All of them ask when none ends with
    a question mark, or when one says what the asker works on."""
    from assistant.answer.sentences import split_sentences  # pysbd: "vs. DPO" is no end

    sentences = list(split_sentences(question))
    asking = [
        s
        for s in sentences
        if s.rstrip().endswith("?") and has_topic_words(_IN_THE_COLLECTION.sub("", s))
    ]
    context = [s for s in sentences if s not in asking]
    if not asking or any(_TOPIC_INTRODUCTION.search(s) for s in context):
        return sentences, []
    return asking, context


# A question after a lead-in and a colon: "Quick question from a newbie: which papers ...?"
_ASKED_AFTER_COLON = re.compile(
    r"(?<=:)\s+(?=(?:which|what|how|why|are|is|do|does|can|could|any)\b[^:]*\?\s*$)",
    re.IGNORECASE,
)


def _sentences(question: str) -> list[str]:
    """The question's sentences, a lead-in before a colon apart from what it asks (for its
    chatter: a heading before a colon still names the topic, "hallucination: which ...")."""
    from assistant.answer.sentences import split_sentences  # pysbd: "vs. DPO" is no end

    return [part for s in split_sentences(question) for part in _ASKED_AFTER_COLON.split(s)]


def asking_part(question: str) -> str:
    """The sentences of a question that ask: what decides the form of its answer."""
    return " ".join(_asking_sentences(question)[0])


# How many topic terms of its own a sentence that asks holds for the sentences around it
# to be context, even one that says what the asker works on: "I teach an intro course on
# AI ... Which papers document LLMs failing at simple tasks?" (not "I work on
# watermarking. Which papers are relevant?", whose topic is the sentence before).
MIN_OWN_TOPIC_TERMS = 2


def _context_words(question: str) -> set[str]:
    """The words only of the sentences around a question that do not ask (greetings,
    thanks, a self-introduction: see _asking_sentences), unless one says what the asker
    works on and the question holds too little topic of its own (MIN_OWN_TOPIC_TERMS).
    Of those, the words no abstract holds are chatter ("grateful", "intro", "course",
    "blog"), not a concept the collection lacks."""
    sentences = _sentences(question)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    around = [s for s in sentences if s not in asking]
    own = {
        t
        for s in asking
        for w in _WORD.findall(_IN_THE_COLLECTION.sub("", s))
        for t in _content_stems(w)
        if t not in FRAMING_VERBS
    }
    introduced = any(_TOPIC_INTRODUCTION.search(s) for s in around)
    if not own or (introduced and len(own) < MIN_OWN_TOPIC_TERMS):
        return set()
    asked = {w for s in asking for w in _WORD.findall(s)}
    return {w for s in around for w in _WORD.findall(s)} - asked


# What joins the alternatives of a topic: "and", "or", commas, slashes.
_COORDINATION = re.compile(r"\s*(?:[,;/]|\band\b|\bor\b)\s*", re.IGNORECASE)


def _parts(topic: str) -> list[str]:
    """The coordinated parts of a topic, before any colon: "role-play and personas"."""
    return [p for p in _COORDINATION.split(topic.partition(":")[0]) if p.strip()]


def without_unknown_alternatives(topic: str, bm25: BM25Index) -> tuple[str, list[str]]:
    """The topic without the parts of it that no abstract holds, when another part's words
    are there ("deception and dishonesty of AI systems" -> "deception of AI systems"), and
    the words left out; a part is read up to its first stop word. A draft covers what the
    collection has; an answer keeps them, since an unknown item ("BLEU, ROUGE and
    BERTScore") is what tells a question next to the collection's topics from one on them."""
    cores = []
    for part in _parts(topic):
        words = _WORD.findall(part)
        ends = [i for i, w in enumerate(words) if is_stopword(w)]
        cores.append([w for w in words[: ends[0] if ends else None] if _content_stems(w)])
    named = [core for core in cores if core]
    unknown = [core for core in named if not any(_frequencies(core, bm25))]
    if not unknown or len(unknown) == len(named):
        return topic, []
    dropped = [w for core in unknown for w in core]
    for word in dropped:  # with the "and", "or" or comma that joined it
        topic = re.sub(rf"\s*(?:,|\band\b|\bor\b)?\s*\b{re.escape(word)}\b", "", topic, count=1)
    return re.sub(r"^\s*(?:,|and\b|or\b)\s*", "", topic.strip()) or topic, dropped


def _alternatives(topic: str, concept: set[str], bm25: BM25Index) -> tuple[frozenset[str], ...]:
    """The concept's key terms in each coordinated part of a topic (before any colon):
    "role-play and personas in LLMs" names two alternatives, {role, play} and {persona}.
    None when a part holds no key term: "circumventing or undoing X" coordinates actions
    on one concept, "X in LLMs and VLMs" (LLMs being no key term) settings of one."""
    parts = _parts(topic)
    if len(parts) < 2:
        return ()
    groups = []
    for part in parts:
        words = [in_corpus_spelling(w, bm25) for w in _WORD.findall(part)]
        group = frozenset(t for w in words for t in _content_stems(w)) & concept
        if not group:
            return ()
        groups.append(group)
    return tuple(dict.fromkeys(groups)) if len(set(groups)) > 1 else ()


# Words that end as adverbs do but name things ("anomaly", "supply") or acts ("apply").
_LY_NOT_ADVERBS = frozenset(
    "anomaly family assembly supply apply comply imply multiply reply monopoly oligopoly "
    "butterfly ally rally italy july jelly belly homily melancholy fly".split()
)


def is_adverb(word: str) -> bool:
    """A manner or degree adverb ("cheaply", "efficiently"): it says how, not about what,
    so it names no concept a question asks about and no heading holds it."""
    word = word.lower()
    return word.endswith("ly") and word not in _LY_NOT_ADVERBS


def _is_action(word: str) -> bool:
    """An -ing form ("detecting", "reducing"), not a noun that ends so ("string", "king")."""
    return len(word) > 6 and word.lower().endswith("ing")


def is_verb_form(word: str) -> bool:
    """A verb's -ing or -ed form ("bypassing", "eroded"), which says what is done rather
    than name a thing; not a short word that merely ends so ("king", "used", "red")."""
    return len(word) > 5 and word.lower().endswith(("ing", "ed"))


def _is_compound(word: str, stems: Sequence[str]) -> bool:
    return "-" in word.strip("-") and len(stems) > 1


def _compound_pattern(word: str) -> str:
    """'over-refusal' -> a pattern for 'over-refusal', 'over-refusing', 'overrefusal';
    'chain-of-thought' also matches 'chain of thought'."""
    *modifiers, head = [p for p in re.split(r"[-‐‑]+", word) if p]
    head_stem = re.sub(r"i$", "[iy]", re.escape(stem(head)))
    pattern = ""
    for place, modifier in enumerate(modifiers):
        # a leading preposition joins only with a hyphen or closed up: "preference over
        # refusal" is not "over-refusal"; "harmful request" and "chain of thought" are
        space = "" if place == 0 and stem(modifier) in _non_topic_stems() else r"\s"
        pattern += rf"{re.escape(modifier)}[-‐‑{space}]?"
    sense = _SENSE_WORDS.get(modifiers[0].lower(), "") if modifiers else ""
    if not sense:
        return rf"\b{pattern}{head_stem}"
    # the sense counts beside the head only: "oversimplification" alone is not over-refusal
    sense_then_head = rf"\b(?:{sense})\b.*\b{head_stem}"
    head_then_sense = rf"\b{head_stem}.*\b(?:{sense})"
    return rf"\b{pattern}{head_stem}|(?s:{sense_then_head}|{head_then_sense})"


def _gloss_patterns(question: str, compounds: Sequence[str], bm25: BM25Index) -> list[str]:
    """A topic that glosses its compound ("over-refusal: language models refusing harmless
    requests") is held by a sentence that says the gloss: its head ("refusing") with the
    word that narrows what follows it ("harmless"): "... more prone to refusal even when the
    queries are harmless". Only for a compound whose prefix changes its sense ("refusal"
    alone is not over-refusal), and only when the gloss uses the compound's head."""
    head, colon, gloss = question.partition(":")
    patterns = []
    for word in compounds if colon else ():
        *modifiers, noun = [p for p in re.split(r"[-‐‑]+", word) if p]
        if word not in head or modifiers[0].lower() not in _SENSE_WORDS:
            continue
        head_stem = stem(noun)
        words = _WORD.findall(gloss)
        at = next((i for i, w in enumerate(words) if head_stem in tokenize([w])[0]), None)
        after = [t for w in words[at + 1 :] for t in _content_stems(w)] if at is not None else []
        narrowing = [t for t in after[:-1] or after if bm25.document_frequency(t)]
        if not narrowing:
            continue  # no gloss of this compound: "over-refusal: a survey"
        rare = re.escape(max(narrowing, key=bm25.idf))
        noun_form = re.sub(r"i$", "[iy]", re.escape(head_stem))
        within = r"[^.!?]*"  # in one sentence
        patterns.append(rf"\b{noun_form}{within}\b{rare}|\b{rare}{within}\b{noun_form}")
    return patterns


# Prefixes whose compounds an abstract often writes out: "over-refusal" is "excessive
# refusal", "underfitting" "insufficient fitting". The paraphrase helps both the embedding
# (which reads "over-refusal" as "refusal") and BM25 find the papers that say it in words.
_PREFIX_SENSES = {"over": "excessive", "under": "insufficient"}
# Words that merely start with a prefix ("overall", "understand"): they carry no sense of it.
_NOT_SENSE = {
    "over": "all|view|come|lap|look|sight|head|arch|see|time|turn|tak|whelm",
    "under": "stand|go|ly|lie|score|way|tak|pin|grad|neath|min|lin",
}


def _prefixed(prefix: str) -> str:
    """A pattern for words made with the prefix: its hyphen (group 1), then the head (2)."""
    return rf"{prefix}([-‐‑]?)(?!{_NOT_SENSE[prefix]})([^\W\d_]{{4,}})"


# Words that carry a prefix's sense: a paper on "oversensitivity" with "refusal rates", or on
# "excessive refusals", is on "over-refusal" too.
_SENSE_WORDS = {
    "over": f"{_prefixed('over')}|overly|excessive(?:ly)?|exaggerat\\w*",
    "under": f"{_prefixed('under')}|insufficient(?:ly)?|inadequate(?:ly)?",
}


def with_paraphrases(question: str, bm25: BM25Index) -> str:
    """The question with a paraphrase of each prefixed compound whose head the corpus
    knows appended: "which papers study over-refusal?" -> "... (excessive refusal)"."""
    paraphrases = []
    for prefix, sense in _PREFIX_SENSES.items():
        for match in re.finditer(rf"\b{_prefixed(prefix)}", question, re.IGNORECASE):
            hyphen, head = match.groups()
            if (hyphen or len(head) >= 6) and _frequency(head, bm25) > 0:
                paraphrases.append(f"{sense} {head}")
    if not paraphrases:
        return question
    return f"{question} ({', '.join(dict.fromkeys(paraphrases))})"


# British -> American endings: an abstract says "behavior" where a question says "behaviour".
_SPELLINGS = (("our", "or"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"),
              ("isation", "ization"), ("yse", "yze"), ("tre", "ter"), ("ogue", "og"),
              ("amme", "am"), ("ence", "ense"), ("ences", "enses"), ("iser", "izer"),
              ("isers", "izers"))  # fmt: skip


# Irregular past participles, whose stems miss their verb's: "undone" is "undon", "undoes"
# is "undo"; "shown", "drawn". Not "-en": "listen" is no participle of "list".
_PARTICIPLE_ENDINGS = ("wn", "ne")


def corpus_spelling(word: str, bm25: BM25Index) -> str:
    """The word as the corpus mostly spells it: "behaviour" becomes "behavior" where more
    abstracts write that (British and American spellings are one concept)."""
    lower = word.lower()
    for british, american in _SPELLINGS:
        if lower.endswith(british):
            variant = lower[: -len(british)] + american
            if _frequency(variant, bm25) > _frequency(word, bm25):
                return variant
            break
    return word


def in_corpus_spelling(word: str, bm25: BM25Index) -> str:
    """The word as the corpus spells it (see corpus_spelling), and an irregular
    participle no abstract holds as its verb where one does ("undone": "undo")."""
    lower = word.lower()
    if (spelled := corpus_spelling(word, bm25)) != word:
        return spelled
    if lower.endswith(_PARTICIPLE_ENDINGS) and len(lower) > 4 and not _frequency(word, bm25):
        for variant in (lower[:-1], lower[:-2]):  # "shown" -> "show", "undone" -> "undo"
            if _frequency(variant, bm25):
                return variant
    return word


# A word no abstract holds, this long, may be a mistyped one ("languge") of the corpus word
# one edit away. Shorter words that neither English nor the papers hold are too often
# another field's terms ("atopic", "priori"), read then as "topic", "priors"; at seven
# letters, SciFact's claims still give one such reading in 2,500 words ("statins").
MIN_TYPO_LETTERS = 7
# A word's parts between hyphens, where a slip may be ("chain-of-thougth"); an apostrophe
# stays within its part ("shouldn't" is no slip of "should").
_LETTER_RUN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _omitted_or_swapped(word: str) -> set[str]:
    """The words the word is a slip of, one letter left out or two adjacent letters swapped
    ("wich", "abuot"): the typing slips that turn no word into another real one, as a
    substitution ("soft" for "sort") or an extra letter ("bits" for "its") would."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    edits.discard(word)
    return edits


def _edits(word: str) -> set[str]:
    """The words one deletion, insertion, substitution or swap of adjacent letters away
    (Norvig's corrector, one edit deep)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= _omitted_or_swapped(word)
    edits.discard(word)
    return edits


def corpus_word_meant(word: str, bm25: BM25Index) -> str | None:
    """The most frequent corpus word one edit away from a long word that neither the
    collection nor English holds ("represntation"), if any. A word English holds is meant
    as written ("retraining" is no slip of "retaining"), as is a British spelling whose
    American one the collection holds ("generalisation").

    The index knows stems, so a candidate counts only where it is a word: an English one
    ("representation"), or one that is its own stem ("mossbench"). "Optimication" and
    "quantiting" share stems with corpus words but are none."""
    lower = word.lower()
    if len(lower) < MIN_TYPO_LETTERS or not lower.isalpha() or _frequency(lower, bm25):
        return None
    if _frequency(in_corpus_spelling(lower, bm25), bm25):
        return None
    candidates = sorted(_edits(lower))
    frequencies = _frequencies(candidates, bm25)
    held = [(f, c) for c, f in zip(candidates, frequencies, strict=True) if f]
    if not held or is_english_word(lower):  # the word list is read only when needed
        return None
    slipped = _omitted_or_swapped(lower)
    # the commonest slip wins among words of one stem: "hallucinaton" is "hallucination"
    # (a letter left out), not "hallucinator" (a letter mistyped)
    words = [(f, c in slipped, c) for f, c in held if stem(c) == c or is_english_word(c)]
    # a term English lacks, mistyped by one vowel: "multimodel" is "multimodal"
    words = words or [(f, False, c) for f, c in held if _one_vowel_apart(lower, c)]
    return max(words)[2] if words else None


_VOWELS = frozenset("aeiouy")


def _one_vowel_apart(typed: str, word: str) -> bool:
    """Whether one vowel of the word was typed as another: "multimodel", "multimodal"."""
    if len(typed) != len(word):
        return False
    apart = [(a, b) for a, b in zip(typed, word, strict=True) if a != b]
    return len(apart) == 1 and set(apart[0]) <= _VOWELS


def with_slips_meant(question: str, bm25: BM25Index) -> tuple[str, str]:
    """The question with each mistyped word read as the corpus word it is a slip of (see
    corpus_word_meant), and a note that says so ("" when none is): 'Read "represntation"
    as "representation".' A capitalised word within the question is a name, taken as
    typed ("Llemma"); a question in another language is taken as typed too ("recusa
    excessiva" is no slip of "excessive"): one whose words are foreign, or where more
    than a third of its other words are neither English nor the collection's. A word in
    the spelling the collection does not use ("maximising") is written in the one it does,
    for the search too, without a note: it is the same word."""
    first = next((i for i, ch in enumerate(question) if ch.isalpha()), -1)
    names = {
        m.group()
        for m in _WORD.finditer(question)
        if m.group()[:1].isupper() and m.start() != first
    }
    parts = [
        part
        for word in _WORD.findall(question)
        if word not in names
        for part in _LETTER_RUN.findall(word)
        if not (part.lower().endswith("o") and f"{part}-" in word)  # "temporo-", "socio-"
    ]
    slips = {
        part: meant for part in dict.fromkeys(parts) if (meant := corpus_word_meant(part, bm25))
    }
    if slips and is_english(question):
        words = [w for w in _WORD.findall(question) if len(w) > 2 and w.isalpha()]
        strange = [
            w
            for w in words
            if w not in slips and not _frequency(w, bm25) and not is_english_word(w)
        ]
        if 3 * len(strange) > len(words):
            slips = {}
    else:
        slips = {}

    read = {typed: _cased(meant, typed) for typed, meant in slips.items()}

    def as_meant(match: re.Match) -> str:
        part = match.group()
        return read.get(part) or _cased(corpus_spelling(part, bm25), part)

    said = "; ".join(f'"{typed}" as "{meant}"' for typed, meant in read.items())
    return _LETTER_RUN.sub(as_meant, question), f"Read {said}." if said else ""


def _cased(lower: str, like: str) -> str:
    """A lower-case word as the word it stands for was cased: "Hallucination"."""
    return lower.capitalize() if like[:1].isupper() and lower != like else lower


# Shorter words one slip from a framing word are too often other words ("wok", "wit").
MIN_MISTYPED_FRAMING_LETTERS = 4
# The framing words a question is read as having mistyped: those that open questions about
# papers. Not stop words at large, whose slips are often real words ("dose" for "does",
# "hose" for "those", "Bing" for "being", "kids" for "kinds").
_MISTYPED_FRAMING = frozenset(
    "which what whom whose paper papers study studies studied work works research about "
    "there their".split()
)


def with_framing_words_meant(question: str, bm25: BM25Index) -> str:
    """The question with its mistyped framing words as meant (see framing_word_meant),
    among the words before its first topic word that the collection holds: framing opens
    a question ("wich paprs abuot jailbreaks?"), a word after the topic is part of it
    ("papers evaluating Bing Chat")."""
    parts, end = [], 0
    for match in _WORD.finditer(question):
        word = match.group()
        known = _frequency(word, bm25) > 0
        if known and _content_stems(word):
            break  # the first topic word the collection knows: the framing is over
        meant = None if known else framing_word_meant(word)
        if meant and word[:1].isupper():  # "Whcih" -> "Which"
            meant = meant.capitalize()
        parts.append(question[end : match.start()] + (meant or word))
        end = match.end()
    return "".join(parts) + question[end:]


def framing_word_meant(word: str) -> str | None:
    """The framing word that a word no abstract holds is a slip of (see
    _omitted_or_swapped): "wich" -> "which", "paprs" -> "papers", "abuot" -> "about". A
    mistyped question word is no concept the collection lacks. Acronyms ("BLEU") are
    taken as typed."""
    lower = word.lower()
    if len(lower) < MIN_MISTYPED_FRAMING_LETTERS or not lower.isalpha() or word.isupper():
        return None
    if lower in _MISTYPED_FRAMING or is_stopword(lower):
        return None
    meant = sorted(_omitted_or_swapped(lower) & _MISTYPED_FRAMING)
    return meant[0] if meant else None


def _frequencies(words: Sequence[str], bm25: BM25Index) -> list[int]:
    """How many indexed chunks hold each word (its most frequent token), tokenised at once."""
    return [
        max((bm25.document_frequency(t) for t in tokens), default=0) for tokens in tokenize(words)
    ]


# "Anthropic's Claude", "OpenAI's GPT-4": a maker's name before the name of what it made
_MAKER = re.compile(r"\b([A-Z][\w-]*['’]s)\s+([A-Z][\w.-]*)")


def _unnamed_makers(question: str, bm25: BM25Index) -> set[str]:
    """The makers the collection never names before a name it does: "Anthropic's" in
    "Which papers evaluate Anthropic's Claude models?" says no more than "Claude", and
    would count as a concept no paper holds."""
    return {
        match.group(1)
        for match in _MAKER.finditer(question)
        if not _frequency(match.group(1), bm25)
        and _frequency(match.group(2), bm25)
        and _is_name(match.group(2))
    }


# What an eponym names: "Goodhart's Law", "Simpson's Paradox" are concepts, not a maker
# before its product.
_EPONYMOUS = frozenset(
    "law laws paradox theorem principle razor test effect problem dilemma conjecture "
    "hypothesis rule constant curse game method algorithm distribution model equation "
    "inequality bound criterion index fallacy experiment".split()
)


def _is_name(word: str) -> bool:
    """Whether a capitalised word after a possessive names a product ("Claude", "GPT-4"),
    not what an eponym names ("Goodhart's Law")."""
    return word.lower() not in _EPONYMOUS


def _frequency(word: str, bm25: BM25Index) -> int:
    return _frequencies([word], bm25)[0]


# Words that carry no topic, beyond the index's stop words and the question framing.
FILLER = (
    "one ones thing things stuff way ways get got tell please know something anything "
    "everything also kind kinds sort lot lots really maybe then say says said wrote written "
    "authored published "
    # the conversational register: greetings, thanks, hedges, intensifiers, time adverbs.
    # A corpus of abstracts rarely holds them, so they would read as concepts it lacks.
    "thanks thank thx cheers hey hi hello ok okay hmm wonder wondering curious interested "
    "neat cool nice awesome great interesting fun bunch guess suppose wanna gonna want need "
    "honestly basically actually roughly briefly quickly lately recently nowadays currently "
    "today exactly generally usually perhaps possibly probably somewhat quite pretty rather "
    "else go goes going try tries trying someone anyone anybody somebody "
    # quantifiers: "how many papers ...", "how much does X improve", "how big a problem is X"
    "many much big "
    # what a paper is to the asker, not what it is about: "Which papers are relevant?"
    "relevant useful "
    # closed-class words the index's stop-word list lacks: determiners, prepositions,
    # conjunctions and sentence adverbs name no topic ("use GPT-4 or another LLM as a
    # judge", "gender, race, etc."), yet are rare enough in abstracts to pass for key terms
    "another every various either neither whether whatever whichever within upon via among "
    "amongst across toward towards instead otherwise however thus therefore hence etc per "
    "although though whereas yet already often sometimes versus"
)


@functools.cache
def _non_topic_words() -> frozenset[str]:
    import bm25s.stopwords as lists

    return frozenset(w.lower() for w in (*lists.STOPWORDS_EN_PLUS, *FILLER.split()))


# Filler words whose stems are topics' stems: "generally" is filler, but its stem is that
# of "generalization"; "probably" of "probability", "honestly" of "honesty", "interested"
# of "interest", "possibly" of "possibility". They are filler only as written.
_FILLER_WITH_TOPIC_STEMS = frozenset(
    "generally probably possibly honestly interested interesting actually exactly relevant "
    "useful".split()
)


@functools.cache
def _non_topic_stems() -> frozenset[str]:
    """The stems of the stop and filler words, but of those whose stems name topics."""
    return frozenset(stem(w) for w in _non_topic_words() - _FILLER_WITH_TOPIC_STEMS)


def is_stopword(word: str) -> bool:
    """A word that names nothing: a stop word ("are", "about") or filler ("please")."""
    word = word.lower()
    return word in _non_topic_words() or stem(word) in _non_topic_stems()


def _content_stems(word: str) -> list[str]:
    """The stems of a word that say what a question is about. A hyphenated compound keeps
    every part ("over-refusal" -> ["over", "refus"]): "over" is what makes it a concept."""
    if is_question_word(word) or word.lower() in _non_topic_words():
        return []
    stems = tokenize([word])[0]
    if "-" in word.strip("-") and len(stems) > 1:
        return stems
    return [t for t in stems if t not in _non_topic_stems()]


def has_topic_words(text: str) -> bool:
    """Whether the text names anything beyond question framing ("which of those?" and
    "which of those use it?" do not)."""
    return any(stem not in FRAMING_VERBS for w in _WORD.findall(text) for stem in _content_stems(w))


def weighted_share(weights: dict[str, float], present: set[str]) -> float:
    """The weighted share of the terms (term -> IDF weight) that are present."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total > 0 else 0.0


def bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    """Adjacent index tokens: a question's phrases ("over-refusal", "reward model")."""
    return set(itertools.pairwise(tokens))


# What makes a question, as opposed to a bare topic ("RLHF?"): a question word anywhere
# ("In SAMI, what is the win rate?"), or an auxiliary verb opening it ("Is RLHF safe?").
_WH = re.compile(r"\b(?:what|which|how|why|when|who|whom|whose|where)\b", re.IGNORECASE)
_AUXILIARY_OPENING = re.compile(
    r"\s*(?:do|does|did|is|are|was|were|can|could|should|would|will|has|have|had)\b",
    re.IGNORECASE,
)


def _asks_for_papers(sentence: str) -> bool:
    """Whether a sentence asks for papers, and not after a comparison ("DPO vs PPO: which
    papers ...?" compares)."""
    match = _ASKS_FOR_PAPERS.search(sentence)
    return bool(match) and not _COMPARISON.search(sentence[: match.start()])


# Where a question asks a second thing: "How many samples ..., and into how many
# categories ...?", "How many prompts and how many languages ...?"
_SECOND_ASK = re.compile(
    r",?\s+and\s+(?=(?:(?:in|into|on|for|by|to|from|with|at)\s+)?"
    r"(?:how|what|which|who|whom|when|where|why)\b)",
    re.IGNORECASE,
)


def asked_parts(question: str) -> list[str]:
    """The question cut where it asks another thing; one part when it asks one."""
    return [part for part in _SECOND_ASK.split(question) if part.strip()] or [question]


def classify(question: str, context: Sequence[str] = ()) -> tuple[Kind, Fact]:
    """The form an answer should take: a list of papers, a specific fact, or a comparison.
    `context`: the question's other sentences, which may ask for papers without naming a
    topic ("Do LLMs hold stable values? Which papers measure this?")."""
    from assistant.answer.sentences import split_sentences  # pysbd: "vs. DPO" is no end

    sentences = list(split_sentences(question)) or [question]
    number = _NUMBER.search(question)
    if any(_asks_for_papers(s) for s in [*sentences, *context]) and not number:
        return "list", ""
    if _AMOUNT_ASKED.match(question):  # "How often did X comply in training versus not?"
        return "specific", "number"
    # "what success rate did X reach, compared with Y?" asks the number
    beside = number and _COMPARED_WITH.search(question)
    if beside and not _COMPARISON.search(_COMPARED_WITH.sub(" ", question)):
        return "specific", "number"
    if _COMPARISON.search(question):
        return "comparison", ""
    if number and _ONE_PAPER.search(question):
        return "specific", "number"  # "Which paper turns off experts, and how many?"
    if any(_LIST.search(s) for s in sentences):
        return "list", ""
    if number:
        return "specific", "number"
    if _NAMED.search(question):
        return "specific", "named"
    if _METHOD.search(question):
        return "specific", "method"
    if defined_term(question):
        return "specific", "definition"
    if _CAUSE_ASKED.search(question) or _WHY.match(question) or _asks_aspect(question, "cause"):
        return "specific", "cause"  # "What causes over-refusal?", "Why does DPO fail?"
    if _asks_aspect(question, "limitation"):
        return "specific", "limitation"  # "What are the drawbacks of RLHF?"
    if _FINDING.search(question):
        return "specific", "finding"
    asks = _AUXILIARY_OPENING.match(question) or _WH.search(question)
    if len(question.split()) <= 8 and not asks:
        return "list", ""  # a bare topic ("jailbreak attacks", "RLHF?") asks for its papers
    return "specific", "finding"


# A question after one paper: "Which paper introduced X, and how many prompts has it?"
# ("What work has been done on X?" asks for papers.)
_ONE_PAPER = re.compile(r"\b(?:which|what)\s+(?:paper|article)\b", re.IGNORECASE)


# Verbs that frame what a question asks about ("which of those *build* a benchmark?").
# Words that frame what a question asks about without naming it: "which papers propose X",
# "how many of those use X".
FRAMING_VERBS = frozenset(
    {"introduc", "propos", "present", "investig", "examin", "explor", "evalu", "analyz", "analys",
     "address", "discuss", "describ", "focus", "use", "appli", "employ", "mention", "involv",
     "build", "creat", "construct", "develop", "design", "make", "measur", "report", "show",
     "find", "provid", "offer", "consid", "look", "deal", "tackl", "cover", "talk", "mani",
     "much", "exist", "avail"}
)  # fmt: skip
# "don't use", "are not about": not "without process labels", "show that models never refuse"
_NEGATION = re.compile(r"\b(?:do|does|did|are|is|were|was)(?:n['’]t| not)\b", re.IGNORECASE)


# "which papers do not use RL?", "papers that don't ...", "which papers are not about
# RL?", "list papers not using RL", "which of the papers never mention X?"
_LISTED_BY_ABSENCE = re.compile(
    r"\b(?:papers?|works?|studies|articles)\s+(?:that\s+|which\s+)?"
    r"(?:(?:do|does|did|are|is)(?:n['’]t| not)|not(?!\s+only\b)|never)\b",
    re.IGNORECASE,
)


def asks_by_absence(question: str) -> bool:
    """Whether a question asks for the papers that lack something ("which papers do not
    use RL?"), which a search for what papers say cannot list."""
    return bool(_LISTED_BY_ABSENCE.search(question))


_BUT_NOT = re.compile(r"^(.*?\S)\s*,?\s+but not\s+(?:about\s+|on\s+)?(.*?\w.*?)\s*[?.!]*\s*$", re.I)


def without_exclusion(question: str) -> tuple[str, str]:
    """ "which papers study refusal but not jailbreaks?" -> ("which papers study refusal?",
    "jailbreaks"); ("question", "") when it excludes nothing."""
    match = _BUT_NOT.match(question)
    return (f"{match.group(1)}?", match.group(2)) if match else (question, "")


def is_negated(question: str) -> bool:
    """Whether a follow-up asks for the papers without a property ("which of those don't
    use RL?")."""
    return bool(_NEGATION.search(question))


_ABOUT_THE_COLLECTION = re.compile(
    r"^\s*(?:how many (?:papers|abstracts|articles|documents)\b|(?:list|show)(?: me)? (?:all|every)"
    r"(?: of)?(?: the)? (?:papers|abstracts|articles)\s*[?.!]*\s*$|what(?: papers)? (?:is|are) in "
    r"(?:the|this|your) (?:collection|corpus|index))",
    re.IGNORECASE,
)


# Words a question about the collection's size may add: "in total", "does it hold".
_COUNTING_WORDS = re.compile(
    r"\b(?:in total|total|altogether|overall|all|hold|holds|contain|contains|include|"
    r"includes|indexed|stored|loaded|right now|currently|here|index|corpus|collection|"
    r"library)\b",
    re.IGNORECASE,
)


def asks_about_the_collection(question: str) -> bool:
    """ "How many papers are there?", "list all papers": about the collection, not a topic
    ("how many papers study refusal?" asks for the papers on refusal)."""
    match = _ABOUT_THE_COLLECTION.search(question)
    if match is None:
        return False
    rest = _IN_THE_COLLECTION.sub(" ", question[match.end() :])
    return not has_topic_words(_COUNTING_WORDS.sub(" ", rest))


MAX_TOPIC_CHARS = 80
SHOUTED_LETTERS = 7  # acronyms are shorter: "RLHF", "MLLMs"


# "Which papers in the collection study X?": where the papers are is no part of the topic.
_IN_THE_COLLECTION = re.compile(
    r"\b(?:in|of|from) (?:the|this|your|my) (?:collection|corpus|index|library)\b", re.IGNORECASE
)


# "[3]", "[1, 2]", "[2-4]" typed in a question: echoed in an answer, they would read as
# citations of papers it does not cite.
_CITATION_MARKER = re.compile(r"\s*\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]")


def without_citation_markers(text: str) -> str:
    """The text without "[n]" markers, for echoing it in an answer or a draft."""
    return _CITATION_MARKER.sub("", text).strip() or text


# What opens a line before a colon without naming a topic: "Quick question:", "Re:", "Hi:"
_NOT_HEADINGS = frozenset(
    "quick question re fw fwd hi hey hello ok okay so note fyi update thanks please q query "
    "follow-up followup also ps".split()
)
_POINTS_BACK = re.compile(r"\b(?:them|it|its|this|these|those|they|that)\b", re.IGNORECASE)


def colon_heading(sentence: str) -> tuple[str, str]:
    """A heading before a colon and the question after it, where that question asks for
    papers with topic words of its own ("jailbreaks: which papers show ways to get LLMs to
    X?" -> "jailbreaks", "which papers show ways ..."); else "" and the sentence (also
    where the question points back: "DPO vs PPO: which papers compare them?")."""
    head, colon, asked = sentence.partition(":")
    opener = head.strip().split()[0].lower() if head.strip() else ""
    if opener in _NOT_HEADINGS or not has_topic_words(head):  # "Quick question: ..."
        return "", sentence
    if colon and has_topic_words(asked) and not _POINTS_BACK.search(asked):
        match = asking_verb(f": {asked.strip()}")
        if match and match.start() == 0:
            return head.strip(), asked.strip()
    return "", sentence


def topic_sentence(question: str, after_colon: bool = True) -> str:
    """The sentence of a question that names its topic: the first that asks with topic
    words, else the first with topic words ("Which papers study X? See [3]." -> "Which
    papers study X?"; "I work on DPO. Which papers propose alternatives to it?" -> the
    second), without "in the collection" (and without a heading, see colon_heading, unless
    not `after_colon`)."""
    from assistant.answer.sentences import split_sentences  # pysbd: "e.g. X" is no end

    question = without_citation_markers(question)  # an answer's [n] are its own citations
    sentences = [s for s in split_sentences(question.strip()) if has_topic_words(s)]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    sentence = (asking or sentences or [question])[0]
    sentence = colon_heading(sentence)[1] if after_colon else sentence
    sentence = _THERE_IN_THE_COLLECTION.sub(r"\1 there", sentence)  # "what X are there?"
    sentence = _IN_THE_COLLECTION.sub(" ", sentence)
    return re.sub(r"\s+(?=[?.!,;:])", "", re.sub(r"\s{2,}", " ", sentence)).strip()


def asks_in_a_clause(sentence: str) -> bool:
    """Whether a question's topic sentence asks in a clause ("Do LLMs hold stable values?",
    "What methods have been proposed to X?") rather than naming a topic ("Which papers
    study X?", "papers on X", "X"): its topic phrase would not read as a noun phrase."""
    return bool(_AUXILIARY_OPENING.match(sentence)) or bool(
        re.match(r"\s*(?:what|which|how|why|when|who|where)\b", sentence, re.IGNORECASE)
        and not _LIST.match(sentence)
    )


def _shouted(word: str) -> bool:
    """A word typed in capitals ("JAILBREAKS", "RED-TEAMING"), not a name with digits."""
    letters = word.strip(",:;?!.\"'()“”‘’").replace("-", "")
    return letters.isalpha() and letters.isupper()


def _noun_at_end(words: list[str]) -> bool:
    """Whether the last word, a framing verb's form, is the noun of a topic: it follows a
    content word ("protein design", "tool use"), not a stop word ("papers measure it")."""
    last = words[-1].strip(",:;?!.").lower()
    before = words[-2].strip(",:;?!.") if len(words) > 1 else ""
    asked_with_do = any(w.lower() in {"do", "does", "did"} for w in words[:-1])
    return (
        not asked_with_do  # "benchmarks does VISCO use"
        and stem(last) in FRAMING_VERBS
        and last not in _VERB_ONLY
        and bool(_content_stems(before))
        and stem(before) not in FRAMING_VERBS
    )


# Framing verbs that are no topic's noun at its end ("... exist?", "... are available?").
_VERB_ONLY = frozenset(
    f"{verb}{ending}"
    for verb in "exist mention show discuss describe propose introduce address cover explore "
    "examine investigate tackle consider".split()
    for ending in ("", "s", "es", "ed", "d")
) | {"available"}


_ARTICLES = frozenset({"the", "a", "an"})
# Stop words that may open a bare topic ("off switch", "out-of-distribution" is one word)
_PARTICLES = frozenset({"off", "out", "up", "down"})


# What a question asks of its topic, or the frame it puts around it: "What are the
# limitations of DPO?" and "an overview of reward modeling" are about DPO and reward
# modeling, and not off the collection's topics because no abstract says "drawbacks" or
# "overview".
_ASPECT = (
    r"limitations?|drawbacks?|weakness(?:es)?|shortcomings?|disadvantages?|downsides?|"
    r"pitfalls?|caveats?|challenges?|advantages?|benefits?|strengths?|risks?|pros|cons|"
    r"problems?|issues?|overviews?|perspectives?|advances?|developments?|progress|trends?|"
    r"techniques?|approach(?:es)?|methods?|strateg(?:y|ies)|insights?|landscape|"
    r"introduction|summary|state[- ]of[- ]the[- ]art|takeaways?|findings|lessons|conclusions|"
    r"causes|reasons|sources|origins|effects|impacts?|consequences|implications"
)
# Aspects that ask what falls short, and what brings something about
_ASPECT_KINDS = {
    "limitation": frozenset(
        "limitation limitations drawback drawbacks weakness weaknesses shortcoming "
        "shortcomings disadvantage disadvantages downside downsides pitfall pitfalls caveat "
        "caveats challenge challenges risk risks problem problems issue issues cons".split()
    ),
    "cause": frozenset("causes reasons sources origins".split()),
}
_WHY = re.compile(r"\s*why\b", re.IGNORECASE)


def _asks_aspect(question: str, kind: str) -> bool:
    """Whether the question asks for an aspect of the kind ("the drawbacks of X")."""
    words = (w.lower() for m in _ASPECT_OF.finditer(question) for w in m.group(1).split())
    return any(w in _ASPECT_KINDS[kind] for w in words)


# ... or asks with a verb: "What causes over-refusal?", "What drives hallucination?"
_CAUSE_ASKED = re.compile(r"\bwhat\s+(causes|drives|explains|triggers|underlies)\b", re.I)
# ... one aspect, or two ("the pros and cons of X", "strengths and weaknesses of X"), and
# what ranks them ("the key findings on X", "open problems in X")
_RANKING = r"(?:(?:key|main|major|important|recent|latest|current|open|common|known|biggest)\s+)?"
_ASPECT_OF = re.compile(
    rf"\b({_RANKING}(?:{_ASPECT})(?:\s+(?:and|or|&)\s+(?:{_ASPECT}))?)"
    r"\s+(?:of|on|with|in|into|for|to|facing|about|regarding|from)\s+(?=\w)",
    re.IGNORECASE,
)

# The verb a comparison sets its two topics apart with: "How does DPO compare with RLHF?"
_COMPARED_IN_TOPIC = re.compile(
    r"\s+(?:compares?|differs?)\s+(?:with|to|against|from)\s+", re.IGNORECASE
)


def _compared(topic: str, kind: Kind) -> str:
    """A comparison's topic as its two sides: "DPO compare with RLHF" -> "DPO and RLHF"
    (not "LLM values differ from human values", which a list question states)."""
    return _COMPARED_IN_TOPIC.sub(" and ", topic) if kind == "comparison" else topic


def topic_phrase(question: str) -> str:
    """The question without its framing: 'Which papers study X?' -> 'X', 'Tell me about X,
    please' -> 'X'; cut to MAX_TOPIC_CHARS."""
    question = topic_sentence(question)
    words = question.rstrip("?.!").split()

    def framing(word: str) -> bool:  # "which papers study X", "how do X differ?"
        word = word.strip(",:;?!.")
        return (
            not _content_stems(word)
            or stem(word) in FRAMING_VERBS
            or bool(_COMPARISON.fullmatch(word))
        )

    framed = []
    while words and framing(words[0]):
        framed.append(words.pop(0))
    if words and framed and framed[-1].lower() in _ARTICLES:
        words.insert(0, framed[-1])  # "which papers are about *the* reversal curse?"
    elif words and framed and all(w.lower() in _PARTICLES for w in framed):
        words = framed + words  # "off switch": nothing frames it
    # at the end, a framing verb may be the topic's noun ("protein design", "tool use")
    while words and framing(words[-1]) and not _noun_at_end(words):
        words.pop()
    # a word typed in capitals, not an acronym ("JAILBREAKS", "RED-TEAMING"), reads in
    # lower case; a name with digits ("GPT-3.5", "LLAMA-2") stays as written
    words = [w.lower() if len(w) >= SHOUTED_LETTERS and _shouted(w) else w for w in words]
    topic = " ".join(words).strip(" ,:;") or question.strip().rstrip("?.!")
    if len(topic) > MAX_TOPIC_CHARS:
        topic = topic[:MAX_TOPIC_CHARS].rsplit(" ", 1)[0] + " …"
    return topic


def shown_topic(topic: str) -> str:
    """A topic as an answer's lead shows it. A long one (or one topic_phrase cut) is cut
    at its head, where what follows elaborates on it ("language models being deceptive -
    lying to users, ..."), else at a word, before any bracket the cut leaves open and
    without a dangling "or", then "…"; a short one loses a bracket its framing words left
    open ("misinformation (rebuttals, etc.)" without "etc.)")."""
    whole = topic.removesuffix(" …")
    if whole == topic and len(whole) <= MAX_TOPIC_CHARS:
        return _without_open_bracket(whole) or whole
    head, *elaboration = _ELABORATION.split(whole, maxsplit=1)
    shown = elaboration and len(head.split()) >= 2 and len(head) <= MAX_TOPIC_CHARS
    if shown and has_topic_words(head):
        return head.strip()
    if len(whole) > MAX_TOPIC_CHARS:
        whole = whole[:MAX_TOPIC_CHARS].rsplit(" ", 1)[0]
    return (_without_open_bracket(whole) or whole) + " …"


def _without_open_bracket(text: str) -> str:
    """The text without a bracket it leaves open, nor a dangling "or" or comma at its end:
    "misinformation (fact-based rebuttals, etc.)" whose "etc.)" framed nothing."""
    while text.count("(") > text.count(")"):  # "models (e.g. (small) LMs"
        text = text[: text.rfind("(")]
    return _DANGLING_END.sub("", text)


# Where a topic's head ends and its elaboration begins: "being deceptive - lying to users,
# ...", "online misinformation (fact-based rebuttals, ...)", "X: Y", "X; Y".
# A bracket elaborates only where the topic does not go on after it ("LLMs (large language
# models) when deployed as agents" does); a colon or semicolon, only before a space.
_ELABORATION = re.compile(
    rf"\s+{_DASH}\s+|\s*\((?![^()]*\)\s*\w)|[:;]\s+|,\s+(?:e\.g\.|i\.e\.|such as)\s"
)
# What a cut list must not end with: "lying to users, faking alignment, or"
_DANGLING_END = re.compile(r"(?:[\s,;:]+|\s+(?:and|or))+$", re.IGNORECASE)


# Question words the stop-word lists lack, though questions open with them.
_QUESTION_WORDS = {
    # English words a question opens or asks with that bm25s' English list lacks, though
    # other languages' lists have some ("do" and "me" are Portuguese too)
    "EN": "why what which how who whom whose when where do does did done me my mine you your "
    "we our us he she him her they them their i tell give show list explain please can could "
    "would should will shall may might must am is are was were be been being have has had",
    "FRENCH": "quel quels quelle quelles lesquels lesquelles parmi ceux celles",
    "GERMAN": "welche welcher welches welchen",
    "SPANISH": "cuál cuáles cual cuales",
    "ITALIAN": "quale quali",
    "PORTUGUESE": "qual quais",
    "DUTCH": "welke",
}


def property_phrase(question: str) -> str:
    """What a follow-up asks of its papers, for a sentence: 'which of those use RL?' -> 'RL'
    (its topic, without stray punctuation)."""
    topic = topic_phrase(question)
    return topic.strip(" ?!.,;:-–—\"'") or topic


@functools.cache
def _stopword_sets() -> dict[str, frozenset[str]]:
    import bm25s.stopwords as lists

    return {
        name: frozenset(
            w.lower()
            for w in (*getattr(lists, f"STOPWORDS_{name}"), *_QUESTION_WORDS.get(name, "").split())
        )
        for name in ("EN", *_NON_ENGLISH_LANGUAGES)
    }


def is_english(question: str, unknown_share: float = 0.0) -> bool:
    """False for a question in another language: its function words, accents, or words the
    corpus has never seen (`unknown_share` of its content words), or another script.

    The corpus and the embedding model are English-only, so such a question cannot be
    matched; short English questions without stop words ("jailbreak attacks") pass.
    """
    letters = [ch for ch in question if ch.isalpha()]
    if not letters:
        return True
    latin = sum("LATIN" in unicodedata.name(ch, "") for ch in letters)
    if latin < 0.5 * len(letters):
        return False
    words = [w.lower() for w in _WORD.findall(question)]
    sets = _stopword_sets()
    english = sum(w in sets["EN"] for w in words)
    # only the function words English does not share ("on" is English and French)
    other = max(
        sum(w in sets[name] and w not in sets["EN"] for w in words)
        for name in _NON_ENGLISH_LANGUAGES
    )
    accented = any(unicodedata.decomposition(ch) for w in words for ch in w)
    foreign = accented or unknown_share >= 0.5
    # one foreign function word tells when no English one stands beside it, or when hardly
    # a content word is one the corpus knows ("quais artigos estudam a recusa excessiva?")
    alone = english == 0 or unknown_share >= 0.8
    return not ((other >= 2 and other > english) or (other >= 1 and alone and foreign))
