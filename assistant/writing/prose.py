"""Sentences in the register of a related-work section, written around a paper's name.

An abstract says "We propose X" or "Our results show Y"; a related-work section says
"MOSSBench [3] proposes X" and "... shows Y". A sentence whose subject is the authors, the
paper or its results is rewritten that way; any other sentence is attributed ("According
to MOSSBench [3], ..."). Nothing is paraphrased beyond the subject and its verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.extractive import short_title
from assistant.answer.mentions import with_acronyms_defined
from assistant.answer.sentences import abstract_sentences, leans_back, without_connective
from assistant.corpus.contribution import PROPOSING_VERBS, contributes_in
from assistant.corpus.paper import Paper
from assistant.markup import italic, literal, unescaped

PREFERRED = 5  # of a paper's best-ranked sentences, the first written around its name wins
MIN_CUT_WORDS = 8  # a sentence is cut at a clause break only if this much stays
MAX_NAME_WORDS = 6  # a title's short name ("MOSSBench", "Refusal Tokens") up to this long
MAX_TITLE_WORDS = 8  # a title without a short name is named in full up to this long
# "We *publicly* release": any -ly adverb but the verbs that end so (apply, rely, ...)
_ADVERB = r"(?:(?P<adverb>also|further|(?!(?:ap|re|sup|multi|com|im)ply\b|rely\b)[a-z]+ly)\s+|"
_ADVERB += r"(?:then|first|here|now|finally|thus|therefore|moreover)\s+)?"
_AUTHORS = re.compile(
    r"^(?:(?:In|Through|With) this (?:paper|work|study|article|report),?\s+|Here,?\s+)?"
    r"(?P<subject>[Ww]e)\s+" + _ADVERB + r"(?P<verb>[a-z]+(?:-[a-z]+)?)\b"
)
_PAPER = re.compile(
    r"^(?P<subject>(?:This|The present|Our) (?:paper|work|study|article|survey|report|"
    r"position paper|note))\s+" + _ADVERB + r"(?P<verb>[a-z]+(?:-[a-z]+)?)\b"
)
_RESULTS = re.compile(
    r"^(?P<subject>Our (?:results|experiments|findings|analyses|evaluations|"
    r"analysis|evaluation|experiment|study|empirical results))\s+"
    + _ADVERB
    + r"(?P<verb>[a-z]+(?:-[a-z]+)?)\b"
)
_NOT_VERBS = frozenset(
    "are were is was be been can could will would may might should must do does did not "
    "the a an that which who to on in of for with from by at as and or across over under "
    "between into about against through during".split()
)
_IRREGULAR = {"are": "is", "have": "has", "do": "does", "go": "goes"}
# Verbs of what authors do, joined to the first by "and" ("We propose X and evaluate Y"):
# made singular with it ("It proposes X and evaluates Y").
_COORDINATED = re.compile(
    r"(,?\s*\b(?:and|or|then)\s+(?:(?:hence|thus|therefore|thereby|also|further)\s+)?)"
    r"(propose|introduce|present|provide|release|conduct|demonstrate|show|"
    r"find|discuss|identify|investigate|explore|examine|study|analy[sz]e|compare|highlight|"
    r"design|develop|build|construct|train|apply|use|extend|offer|report|evaluate|test|"
    r"validate|benchmark|quantify|measure|characteri[sz]e|argue|suggest|reveal|establish|"
    r"contribute|curate|collect|create|formulate|derive|prove|observe|outline|describe|"
    r"approach|call|point|replace|focus|leverage|elucidate|explain|assess|uncover|detail|"
    r"illustrate|summari[sz]e|review|survey|simulate|discover|verify|unify|perform|"
    r"achieve|obtain|employ|adopt|implement|annotate|generate|consider|conclude|"
    r"hypothesi[sz]e|recommend|attain|outperform|improve)\b"
)
# Of those, the verbs only authors do: joined by "and" after "that ...", still the authors'
# ("We argue that X and propose Y"); "We find that models fail and show gaps" is not.
_AUTHORS_ONLY = frozenset(
    "propose introduce present release conduct design develop curate collect derive "
    "formulate outline contribute call point approach".split()
)
# An infinitive the coordinated verb may be the second half of: "to detect [and improve]".
_INFINITIVE_BEFORE = re.compile(r"\bto\s+[a-z][\w-]*\s*$")
# Where the main clause ends: "we find that models ... and show" has another subject.
_SUBORDINATE = re.compile(r"\b(?:that|whether|how|which|who|when|where|because|if)\b")
_CLAUSE_CUT = re.compile(
    r",\s+(?:which|while|whereas|and thereby|thereby|achieving|resulting|leading|where|"
    r"as well as|including|such as|using|by)\b|;\s+|\s+(?:--|—)\s+"
)


def paper_name(paper: Paper, first_in_paragraph: bool = True) -> str:
    """How prose names a paper: its short name ("MOSSBench", "*Refusal Tokens*"), else its
    title in italics when short, else "one study" / "another study"."""
    name = short_title(paper.title)
    if name == paper.title and len(name.split()) > MAX_TITLE_WORDS:
        return "One study" if first_in_paragraph else "Another study"
    if name != paper.title and len(name.split()) > MAX_NAME_WORDS:
        return "One study" if first_in_paragraph else "Another study"
    return literal(name) if " " not in name else italic(name.rstrip("."))


# Verbs whose present tense ends in "ed" ("-eed" ones aside: "need", "proceed").
_PRESENT_IN_ED = frozenset({"embed", "shed", "wed", "bed", "shred", "imbed"})


def _singular(verb: str) -> str:
    """A verb of a plural subject made singular: 'propose' -> 'proposes', 'study' ->
    'studies', 'focus' -> 'focuses'; past forms stay ('found', 'showed')."""
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    past = verb.endswith("ed") and not verb.endswith("eed") and verb not in _PRESENT_IN_ED
    if past or verb in {"found", "built", "made", "shown", "began", "took"}:
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


def _singular_coordinated(rest: str) -> str:
    """The verbs joined to a subject made singular, up to where the main clause ends;
    beyond it, only the verbs only authors do."""
    end = _SUBORDINATE.search(rest)
    split = end.start() if end else len(rest)

    def singular(match: re.Match, main_clause: bool) -> str:
        joint, verb = match.groups()
        if _INFINITIVE_BEFORE.search(match.string[: match.start()]):
            return match.group(0)  # "a method to detect and improve calibration"
        # ", and hence argue": a comma takes the verb back to the subject
        if main_clause or verb in _AUTHORS_ONLY or joint.startswith(","):
            return f"{joint}{_singular(verb)}"
        return match.group(0)

    main = _COORDINATED.sub(lambda m: singular(m, True), rest[:split])
    return main + _COORDINATED.sub(lambda m: singular(m, False), rest[split:])


def _rest_in_third_person(text: str) -> str:
    """The authors' first person, after the subject, as the paper's; a question they
    quote ("Why do we need interpretability?") keeps its own."""
    parts = _QUOTED_QUESTION.split(text)
    return "".join(part if i % 2 else _third_person(part) for i, part in enumerate(parts))


_QUOTED_QUESTION = re.compile(
    r"((?<=: )(?:Why|What|How|When|Where|Which|Who|Do|Does|Can|Could|Is|Are|Should)\b[^?]*\?)"
)


def _third_person(text: str) -> str:
    text = re.sub(r"\b([Oo])ur\b", lambda m: "Its" if m.group(1) == "O" else "its", text)
    text = re.sub(r"\b(?:we|We)\b", "the authors", text)
    return re.sub(r"\bus\b", "the authors", text)


# A phrase that opens a sentence before "we" and can follow the paper's name as an aside:
# "In addition to presenting the OCW dataset, we report" -> "N [1], in addition to
# presenting the OCW dataset, reports".
_INTRO = re.compile(
    r"^(?P<intro>(?:To|In addition to|Building (?:on|upon)|Based on|Inspired by|Motivated by|"
    r"Drawing (?:on|inspiration from)|Unlike|Beyond|Besides|Following|Leveraging|Using|By)\s"
    r"[^,;]{3,100}),\s+(?=we\s)"
)


# An abstract's praise of its own work, which a related-work section does not repeat:
# "a novel approach", "the first extensive study", "a simple yet effective method".
# Only before what a paper contributes: "novel tasks" and "a novel about" keep their word.
_CONTRIBUTED = (
    r"(?!(?:and|or|but|yet)\b)(?=(?:[\w-]+\s+){0,2}?(?:study|benchmark|dataset|framework|"
    r"method|approach|technique|algorithm|architecture|objective|metric|paradigm|strategy|"
    r"pipeline|mechanism|attempt|analysis|investigation|evaluation|survey)s?\b)"
)
_NOVEL = re.compile(r"\b(?P<article>[Aa]n?\s+)?novel\s+" + _CONTRIBUTED)
_FIRST = re.compile(r"\b(?P<article>[Tt]he)\s+first\s+" + _CONTRIBUTED)
# Words whose first letter does not sound as it is written: "a unified", "an LLM", "an 8-bit".
_SOUNDS_CONSONANT = re.compile(r"(?:uni|use|usu|eu|one|once|u-)", re.IGNORECASE)
_SOUNDS_VOWEL = re.compile(r"(?:[AEFHILMNORSX](?:[A-Z0-9-]|$)|8|11|18)")
_SIMPLE_YET = re.compile(r"\bsimple (?:yet|but|and) (?:effective|powerful)\b")


def without_praise(text: str) -> str:
    """The sentence without the words an abstract praises its own work with, the article
    before them fitted to the word that follows ("a novel approach" -> "an approach")."""

    def article(match: re.Match) -> str:
        given = match.group("article")
        if not given:
            return ""
        following = match.string[match.end() :]
        vowel = following[:1].lower() in ("a", "e", "i", "o", "u")
        vowel = vowel and not _SOUNDS_CONSONANT.match(following)
        chosen = "an " if vowel or _SOUNDS_VOWEL.match(following) else "a "
        return chosen.capitalize() if given[0].isupper() else chosen

    text = _FIRST.sub(article, _NOVEL.sub(article, text))
    return _SIMPLE_YET.sub("simple", text)


def attributed(sentence: str, name: str) -> str:
    """The sentence around `name`; for a sentence whose subject is neither the authors nor
    the paper, an attribution."""
    text = without_praise(without_connective(sentence)).rstrip(" .")
    if intro := _INTRO.match(text):  # the aside follows the name, the authors' verb after it
        aside = _rest_in_third_person(intro.group("intro"))
        written = attributed("W" + text[intro.end() + 1 :], name)
        if written.startswith(f"{name} ") and name == "It":  # not "It, to mitigate X, ..."
            return f"{aside}, it{written[len(name) :]}"
        if written.startswith(f"{name} "):
            return f"{name}, {aside[0].lower()}{aside[1:]},{written[len(name) :]}"
    name_lower = name[0].lower() + name[1:] if name.startswith(("One ", "Another ")) else name
    if re.match(r"(?:we|the authors) stud(?:y|ied)\b", text, re.IGNORECASE):
        name = name.replace(" study ", " paper ", 1)  # not "One study [2] studies X"
    for pattern, plural in ((_AUTHORS, True), (_PAPER, False), (_RESULTS, None)):
        match = pattern.match(text)
        if not match or match.group("verb") in _NOT_VERBS - {"are", "have"}:
            continue
        verb = match.group("verb")
        rest = _rest_in_third_person(text[match.end("verb") :])
        if plural or (plural is None and re.search(r"[^i]s$", match.group("subject"))):
            verb, rest = _singular(verb), _singular_coordinated(rest)
        # "also" and "further" lean on the abstract's sentence before, not quoted here
        kept = match.group("adverb") not in (None, "also", "further")
        adverb = f"{match.group('adverb')} " if kept else ""
        named = _NAMED_AGAIN.match(rest)  # "VISCO [3] proposes VISCO, the first ..."
        own_name = unescaped(re.sub(r"^\*|(?<!\\)\*?\s*\[\d+\]$", "", name))  # "*X* [1]": X
        if named and named.group("name") == own_name and _PROPOSING.match(verb):
            return _ended(f"{name} is {rest[named.end() :]}")
        return _ended(f"{name} {adverb}{verb}{rest}")
    text = _rest_in_third_person(text)
    first, _, remainder = text.partition(" ")
    # "A definitive evaluation ..." reads "a definitive evaluation" after the comma
    common = first[1:].islower() or first in {"A"}
    # ... and "While OpenAI's o1 ..." reads "while OpenAI's o1": a conjunction or a
    # preposition opens no name ("IT teams" and "Will Smith" do)
    if first.lower() in _CLAUSE_OPENERS or (
        common and not remainder[:1].isupper() and first not in {"I"}
    ):
        text = first.lower() + " " + remainder
    return _ended(f"According to {name_lower}, {text}")


# What a paper proposes, named as the paper is and described: " VISCO, the first benchmark".
_NAMED_AGAIN = re.compile(r"\s(?P<name>[^,]+),\s(?=(?:a|an|the)\s)")
_PROPOSING = re.compile(rf"(?:{PROPOSING_VERBS})s?$")


# Words that open a clause or a phrase, never a name: read in lower case after a comma.
_CLAUSE_OPENERS = frozenset(
    "while although though when whereas since because if as after before unlike despite for "
    "in on with by to from of at through during given under over among across within "
    "without once unless until".split()
)


def _ended(sentence: str) -> str:
    return sentence if sentence.endswith(("?", "!")) else sentence + "."


def within(sentence: str, words: int) -> str:
    """The sentence cut at its first clause break that leaves it at most `words` words
    (and at least MIN_CUT_WORDS); failing that, at its last comma that does; failing that,
    at the cut that leaves it shortest; else whole. A cut never leaves only an opening
    phrase ("In addition to X"), half a dashed aside or half a list ("developers,
    policymakers")."""
    if len(sentence.split()) <= words:
        return sentence
    clause_heads = []
    for match in _CLAUSE_CUT.finditer(sentence):
        head = sentence[: match.start()].rstrip(" ,;")
        mark = match.group().strip()
        aside = mark in {"--", "—"} and mark in sentence[match.end() :]
        if not aside and _can_cut(head, sentence[match.end() :]):
            clause_heads.append(head)
    comma_heads = [
        sentence[: m.start()]
        for m in re.finditer(r",\s", sentence)
        if _can_cut(sentence[: m.start()], sentence[m.end() :], at_comma=True)
        and not _LIST_GOES_ON.match(sentence[m.end() - 1 :])
    ]
    fitting = [h for h in clause_heads if len(h.split()) <= words]
    fitting += [h for h in reversed(comma_heads) if len(h.split()) <= words]
    if fitting:
        return fitting[0] + "."
    shortest = min([*clause_heads, *comma_heads], key=lambda h: len(h.split()), default="")
    return shortest + "." if shortest else sentence


def _can_cut(head: str, tail: str, at_comma: bool = False) -> bool:
    """Whether the sentence may end at `head` (dropping `tail`, which a comma or a clause
    word such as ", which" opens): what stays after its opening phrases is a whole clause
    of MIN_CUT_WORDS or more, with nothing left open and its verb not in the tail."""
    return (
        len(_clause_of(head).split()) >= MIN_CUT_WORDS
        and _balanced(head)
        and not _OPEN_SUBORDINATE.search(head.rsplit(",", 1)[-1])
        and not _OPEN_QUESTION.search(head)
        and not _OPEN_END.search(head)
        and not _VERB_AFTER_ASIDE.match(tail)
        and not (at_comma and (_VERB_NEXT.match(tail) or _EXAMPLES_GO_ON.search(head)))
        and not (_FIRST_ITEM.search(head) and not _SECOND_ITEM.search(head))
        and not _COUNTED_LIST.search(head)
        and bool(_clause_of(head.rsplit(";", 1)[-1].strip()))
    )


# A subordinate clause still waiting for its main one: "finds that while X offers gains"
# (the main clause, "Y doubles it", comes after the cut).
_OPEN_SUBORDINATE = re.compile(
    r"(?:^\s*|\bthat\s+)(?:while|although|though|whereas|if|unless|because|since|when)\b|"
    r"\bthat\s+(?:among|in|for|across|on|with|despite|unlike|after|before|during)\b",
    re.IGNORECASE,
)
# A question still waiting for its verb: "an open question: does the desired safety
# refusal[, typically enforced in chat contexts, generalize ...?]".
_OPEN_QUESTION = re.compile(
    r"(?:^|[:;]\s*)(?:does|do|did|is|are|was|were|can|could|will|would|should|how|what|"
    r"why|which|whether)\b[^:;?]*$",
    re.IGNORECASE,
)
# A head that ends where its clause cannot: on "that", an article, a preposition, "i.e.",
# or inside "that, the authors argue, ...".
_OPEN_END = re.compile(
    r"(?:\b(?:that|that is|the|a|an|of|to|for|with|by|in|on|and|or|as|than|from|into|new|"
    r"i\.e|e\.g|namely|moreover|furthermore|also|but|yet|so|thus|specifically|notably|"
    r"particularly|especially|including)"
    r"\.?|\bthat,\s[^,]*)$",
    re.IGNORECASE,
)
# A tail that is an aside followed by the head's verb: "its best-aligned model[,
# PsychoCounsel-Llama3-8B, achieves ...]", "its implicit PRM[, when instantiated ..., is]".
_FINITE_VERB = (
    r"(?:is|are|was|were|has|have|had|can|could|will|would|may|might|must|should|does|do|"
    r"did|[a-z]+[^s]s|[a-z]+ed)\b"
)
_VERB_AFTER_ASIDE = re.compile(r"[^,.;]*,\s+" + _FINITE_VERB)
_VERB_NEXT = re.compile(r"\s*" + _FINITE_VERB)
# Examples that the comma continues: "models like GPT-4[, Mixtral 8x22b encounter ...]".
_EXAMPLES_GO_ON = re.compile(r"\b(?:like|such as|including|e\.g\.)\s+\S+(?:\s+\S+){0,2}$")
# An enumeration cut after its first item: "indicate: (1) deception exists[, and (2) ...]".
_FIRST_ITEM = re.compile(r"\((?:1|i|a)\)")
_SECOND_ITEM = re.compile(r"\((?:2|ii|b)\)")
# A list announced with its count, cut after its first item: "two variants: AIoT[, ...]".
_COUNTED_LIST = re.compile(
    r"\b(?:two|three|four|five|six|several|following)\b[^:]*:\s*[^,;]*$", re.IGNORECASE
)


# An opening phrase, not a clause: what is left when a cut ends "In addition to X, we ...".
_ADJUNCT = re.compile(
    r"^(?:According to|In addition to|To|By|While|Although|Though|When|Whereas|Since|After|"
    r"Before|Given|Despite|Unlike|Because|If|As|With|Through|Using|Based on|Building on|"
    r"Inspired by|Motivated by|In order to|Compared (?:to|with)|In (?:contrast|comparison) to|"
    r"Beyond|Following|Towards?|For (?:example|instance)|Such as|[A-Za-z]+ing)\b|e\.g\.|i\.e\.",
    re.IGNORECASE,
)
# After a comma, the next item of a list: "developers, policymakers, and researchers".
_LIST_GOES_ON = re.compile(r"\s*(?:(?:and|or)\s|[^,;.()]{1,30}?(?:,|\s(?:and|or)\s))")


def _clause_of(head: str) -> str:
    """A cut's head without its opening phrases ("According to [4], through a series of
    experiments, ..."); empty when it is nothing else."""
    rest = head
    while _ADJUNCT.match(rest):
        parts = re.split(r",\s", rest, maxsplit=1)  # not inside "8,000"
        if len(parts) == 1:
            return ""
        rest = parts[1].strip()
    return rest


def _balanced(text: str) -> bool:
    """No bracket, quotation or dashed aside left open."""
    return (
        text.count("(") == text.count(")")
        and text.count('"') % 2 == 0
        and (text.count(" -- ") + text.count(" — ")) % 2 == 0
    )


@dataclass
class Written:
    text: str
    contributes: bool  # the sentence is where the paper makes its contribution
    position: int  # of the sentence in the abstract
    own: bool  # written around the paper's name, not attributed to it


# Fewer words than this beside the paper's own name and a proposing verb say nothing of it:
# "MOSSBench [2] proposes the Multimodal OverSenSitivity Benchmark (MOSSBench)."
MIN_SAID_WORDS = 3
# ... the words that name a contribution (as the index stems them)
_NAMING = frozenset(
    "propos introduc develop design devis present paper work studi novel new call name dub "
    "term".split()
)


def _names_only(sentence: str, title: str) -> bool:
    """Whether the sentence only names what the paper proposes, in its title's words."""
    from assistant.index.bm25 import tokenize

    own, said = tokenize([title, sentence])
    known = _NAMING.union(own)
    rest = [t for t in said if t not in known]
    return len(rest) < MIN_SAID_WORDS


def best_sentence(
    paper: Paper,
    ranked: Sequence[int],
    name: str,
    words: int,
    skip: frozenset[int] = frozenset(),
    kind: str = "",
) -> Written:
    """The paper's best sentence for prose: among its top-ranked sentences (`ranked`
    positions, best first; none in `skip`), the first that stands alone and is written
    around its name rather than attributed to it, within `words` where one is; for a
    paper of a `kind` (one that proposes a method, introduces a benchmark, surveys), the
    first of those that says so (see contributes_in)."""
    if not paper.abstract.strip():  # "According to *X* [1], X." said nothing
        cited = re.search(r"\[\d+\]$", name)
        title = f"{italic(paper.title.rstrip('.'))}{' ' + cited.group() if cited else ''}"
        return Written(f"See also {title}.", False, 0, True)
    sentences = abstract_sentences(paper.abstract) or (paper.title,)
    abstract = " ".join(sentences)
    positions = [i for i in ranked if i < len(sentences) and i not in skip] or [0]
    written, late = [], []  # `late`: those that name "this capability" never said
    for rank, position in enumerate(positions):
        if rank >= PREFERRED and any(len(w.text.split()) <= words for w in written if w.own):
            break  # further sentences only when none of the best fits the budget
        sentence = sentences[position]
        text = attributed(with_acronyms_defined(sentence, abstract), name)
        if not leans_back(sentence):
            own = not text.startswith("According to")
            says = bool(kind) and contributes_in(sentence, kind)
            chosen = late if leans_back(sentence, late=True) else written
            chosen.append(Written(within(text, words), says, position, own))
    written = written or late
    if not written:
        first = sentences[positions[0]]
        says = bool(kind) and contributes_in(first, kind)
        written = [Written(within(attributed(first, name), words), says, positions[0], False)]
    own = [w for w in written if w.own] or written
    # of the paper's own sentences, one that says more than its name, where one does; else
    # one attributed to it that does ("According to MOSSBench [1], oversensitivity is
    # prevalent ..." over "MOSSBench [1] proposes the ... Benchmark (MOSSBench).")
    saying = [w for w in written if not _names_only(w.text, paper.title)]
    own = [w for w in saying if w.own] or saying or own
    fitting = [w for w in own if len(w.text.split()) <= words]
    return ([w for w in fitting if w.contributes] or fitting or own)[0]
