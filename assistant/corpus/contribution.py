"""What a paper contributes, read from its title and abstract: a method, a benchmark or
dataset, a survey.

Related-work drafts tell the papers that analyse from those that build ("In contrast to
these analyses, ..."); answers read "Which papers introduce a benchmark?" as a filter on
it. The abstract says it in the authors' own words: what "we propose / introduce /
present" names, and the head noun of that ("an evaluation benchmark" measures, "a
self-evaluation technique" builds).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from assistant.corpus.paper import Paper

# The authors as the sentence's own subject ("To this end, we", "Here we", "we argue ...
# and"; not "it is imperative that we"), and an adverb after them ("We therefore").
_AUTHORS = (
    r"(?:(?:(?:^|,\s)(?:(?:Here|In this (?:paper|work|study|article)|Therefore|Thus|Hence),?\s+)?"
    r"(?:we|We|(?:This|Our) (?:paper|work|study))\s+(?:(?:also|further|then|first|here|now|"
    r"newly|therefore|thus|hence|additionally)\s+)?)|\band\s+)"
)
#: The verbs with which authors propose what they contribute.
PROPOSING_VERBS = r"propose|introduce|develop|design|devise|present"
# "we propose X": what follows the verb is what they propose.
_PROPOSAL = re.compile(rf"{_AUTHORS}(?:{PROPOSING_VERBS})s?\s+(?P<object>[^.;]*)")
# Where the thing proposed ends: "RMCBench, the first benchmark[ comprising ...]"; a list
# of things proposed goes on past "and".
_ENDS = r"to|that|which|for|in order|where|whose|by|with|on|using|of|from"
_OBJECT_END = re.compile(rf"\s(?:{_ENDS}|and)\s")
_LIST_END = re.compile(rf"\s(?:{_ENDS})\s")
# What an analysis proposes, and what a method is; the last named (the noun phrase's
# head) decides: "a self-evaluation technique" builds, "an evaluation benchmark" measures.
_MEASURES = (
    r"benchmark|dataset|data set|corpus|corpora|suite|test|testbed|evaluation|study|studies|"
    r"analysis|analyses|survey|taxonomy|perspective|hypothesis|review|metric|measure|"
    r"demonstration|game|challenge|matrix|formalism|conditions|methodology"
)
_BUILDS = (
    r"method|approach|framework|algorithm|technique|strategy|model|objective|loss|training|"
    r"prompting|system|mechanism|pipeline|architecture|paradigm|procedure|scheme|tokens?|"
    r"optimization|fine-tuning|learning|network|planner|controller|agent|classifier|"
    r"detector|estimator|solver|module|encoder|decoder|regularizer|toolkit|heuristic"
)
_OBJECT_NOUN = re.compile(rf"\b(?:(?P<measures>{_MEASURES})|(?P<builds>{_BUILDS}))(?:e?s)?\b", re.I)
# A proposal with neither noun builds when it is an action ("propose to decompose"; not
# "to address this by analysing") or named by an acronym ("... (RARG)").
_ACTION = re.compile(r"^(?:to|using|leveraging)\s")
_ANALYSING = re.compile(r"\b(?:analy[sz]|identif|evaluat|measur|examin|investigat|stud|quantif)")
_ACRONYM = re.compile(r"\([A-Z][\w-]*[A-Z][\w-]*\)")
# "...: A Survey", "A Review of ...", "Survey on ..." (not "Questioning the Survey
# Responses", "Review-Based Recommendation")
_SURVEY = re.compile(
    r"(?::\s*|\b[Aa]n?\s+)(?:[Ss]urvey|[Rr]eview|[Oo]verview)\b(?!-)"
    r"|^(?:[Ss]urvey|[Rr]eview|[Oo]verview)\s+(?:of|on)\b|\b[Ss]urvey (?:of|on)\b"
)


def proposes_method(paper: Paper) -> bool:
    """Whether the paper's authors propose a method (an approach, a training scheme, a
    named system), not only a benchmark, dataset or analysis: MOSSBench measures, Auto-CEI
    builds. A survey ("...: A Survey") proposes none, whatever framework it unifies."""
    return _proposes_method(paper.title, paper.abstract or "")


def _proposes_method(title: str, abstract: str) -> bool:
    if _SURVEY.search(title):
        return False
    return any(proposes_in(sentence) for sentence in _sentences(abstract))


def proposes_in(sentence: str) -> bool:
    """Whether the sentence is where its authors propose a method ("we propose X, an
    approach", "Our method of curiosity-driven red teaming (CRT)")."""
    return bool(_OUR_METHOD.search(sentence)) or any(
        _builds(match.group("object")) for match in _PROPOSAL.finditer(sentence)
    )


_OUR_METHOD = re.compile(
    r"\b[Oo]ur (?:proposed |new |novel )?(?:method|approach|algorithm|technique)\b"
)


def _builds(proposed: str) -> bool:
    head = _OBJECT_END.split(f" {proposed} ", maxsplit=1)[0]
    nouns = list(_OBJECT_NOUN.finditer(" ".join(head.split()[:15])))
    if nouns:
        return bool(nouns[-1].group("builds"))
    if _ACTION.match(proposed):
        return not _ANALYSING.search(proposed)
    # "... for online misinformation (RARG), which": named; not "evidence that ... (RLHF)"
    return bool(_ACRONYM.search(_CLAUSE.split(proposed, maxsplit=1)[0]))


_CLAUSE = re.compile(r"\s(?:that|which|where|whose|to)\s")


# Sentence ends, roughly: a proposal never spans two sentences, and a rough split costs
# nothing over a whole collection ("Which papers introduce a benchmark?" reads them all).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def _sentences(abstract: str) -> list[str]:
    return _SENTENCE_END.split(abstract) if abstract else []


# What authors make of data: "we create two novel datasets", "we release our new Content
# Behavior Corpus" (read for benchmarks and datasets only: "we build a model" proposes a
# method only when a proposing verb says so).
_MAKING_DATA = re.compile(
    rf"{_AUTHORS}(?:create|release|collect|construct|build|curate|compile|assemble|gather)s?"
    r"(?!\s+(?:up)?on\b)\s+(?P<object>[^.;]*)"  # not "we build upon the HH-RLHF dataset"
)
# "This paper bridges this gap by introducing ... a new dataset, Abstain-QA".
_BY_PROPOSING = re.compile(
    r"\bby\s+(?:introduc|propos|present|releas|construct|build|creat|curat|develop)ing\s+"
    r"(?P<object>[^.;]*)"
)
# "we apply X in order to develop a dataset", "we use it to bootstrap a larger dataset"
# (the authors do it; not "we urge the community to create better benchmarks")
_MAKING_TO = re.compile(
    r"\b(?:we|We)\s+(?:(?:use|apply|employ|leverage|adapt)\w*\s(?:(?!\bto\b)[^.;]){0,150}?"
    r"|(?:(?!\bto\b)[^.;]){0,150}?\bin order\s)"
    r"to\s+(?:develop|create|build|construct|curate|collect|compile|assemble|bootstrap|release)\s+"
    r"(?P<object>[^.;]*)"
)
# "Our datasets and code are available", "a probe trained on our WACK datasets"
# (a name or "new" at most between: not "our method improves benchmark performance")
_OUR_DATA = re.compile(
    r"\b[Oo]ur\s+(?P<object>(?:new\s+|novel\s+|[A-Z][\w-]*\s+)?"
    r"(?:benchmarks?|datasets?|data sets?|corpus|corpora)\b)"
    r"(?!\s+(?:performance|scores?|results?)\b)"
)
_BENCHMARK_NOUNS = frozenset(
    "benchmark benchmarks dataset datasets corpus corpora suite suites testbed testbeds".split()
)
# A title that names one: "RMCBench", "Benchmarking ...", "... the OCW Dataset".
_BENCHMARK_TITLE = re.compile(
    r"(?:\w+Bench\b|\bBenchmark(?:s|ing)?\b|\bData ?sets?\b|\bCorpus\b)"
    r"(?!\s+(?:Distillation|Poisoning|Pruning|Condensation|Selection|Contamination)\b)"
)
# "This paper offers a comprehensive survey of iNLP", "This survey ...", "we review ..."
_SURVEY_ABSTRACT = re.compile(  # (not "Our survey of 500 participants")
    r"\b[Tt]his (?:survey|review)\b|\b(?:[Tt]his|[Oo]ur) (?:paper|article|work) "
    r"(?:surveys|reviews|offers|provides|presents|gives)\b[^.]{0,30}?\b(?:survey|review|overview)\b"
)
METHOD, BENCHMARK, SURVEY = "method", "benchmark", "survey"


def contribution(paper: Paper) -> frozenset[str]:
    """What the paper contributes: any of METHOD, BENCHMARK (a benchmark or dataset) and
    SURVEY."""
    return _contribution(paper.title, paper.abstract or "")


@functools.lru_cache(maxsize=100_000)
def _contribution(title: str, abstract: str) -> frozenset[str]:
    kinds = set()
    if _proposes_method(title, abstract):
        kinds.add(METHOD)
    if names_benchmark(title) or any(_names_benchmark(o) for o in _proposed(abstract)):
        kinds.add(BENCHMARK)
    if _SURVEY.search(title) or _SURVEY_ABSTRACT.search(abstract):
        kinds.add(SURVEY)
    return frozenset(kinds)


def contributes_in(sentence: str, kind: str) -> bool:
    """Whether the sentence is where the paper makes a contribution of that kind ("we
    propose MOSSBench, a benchmark ...", "This paper offers a comprehensive survey")."""
    if kind == BENCHMARK:
        return any(_names_benchmark(o) for o in _proposed_in(sentence))
    if kind == SURVEY:
        return bool(_SURVEY_ABSTRACT.search(sentence))
    return kind == METHOD and proposes_in(sentence)


def names_benchmark(title: str) -> bool:
    """Whether a title names a benchmark or dataset ("RMCBench: ...", "... Dataset")."""
    return bool(_BENCHMARK_TITLE.search(title))


def _proposed(abstract: str) -> Iterator[str]:
    """What the authors propose, each as the text that follows their verb."""
    for sentence in _sentences(abstract):
        yield from _proposed_in(sentence)


def _proposed_in(sentence: str) -> Iterator[str]:
    for pattern in (_PROPOSAL, _BY_PROPOSING, _MAKING_DATA, _MAKING_TO, _OUR_DATA):
        for match in pattern.finditer(sentence):
            yield match.group("object")


def _names_benchmark(proposed: str) -> bool:
    """Whether one of the things proposed ("a black-box evaluation approach and a new
    dataset") is, by its head noun, a benchmark or a dataset."""
    head = _LIST_END.split(f" {proposed} ", maxsplit=1)[0]
    for item in re.split(r",\s+|\s+and\s+", " ".join(head.split()[:20])):
        nouns = _OBJECT_NOUN.findall(item)
        if nouns and nouns[-1][0].lower() in _BENCHMARK_NOUNS:
            return True
    return False
