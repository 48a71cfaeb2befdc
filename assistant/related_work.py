"""Drafting a related-work section: relevant papers, grouped into themes, cited prose.

Themes come from clustering the papers' embeddings (average-linkage on cosine distance,
the number of themes chosen by silhouette); each theme is named by its most distinctive
words. Offline, each paragraph strings the papers' most relevant sentences together with
connectives; with an LLM, the related-work prompt writes it and the citations are checked
as for answers. Markdown uses [n]; LaTeX uses \\cite{key} with keys matching `--bib`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.citations import check_citations
from assistant.answer.evidence import Sentence
from assistant.answer.extractive import short_title
from assistant.answer.model import CANNOT_ANSWER, Citation, references_markdown
from assistant.bibtex import citation_keys, to_bibtex
from assistant.index.bm25 import BM25Index, tokenize
from assistant.retrieval import PaperHit

MAX_PAPERS = 20
MAX_THEMES = 5
_CONNECTIVES = ("Similarly, ", "In a related direction, ", "Along the same lines, ", "Likewise, ")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}[A-Za-z]")  # 4+ letters, inner hyphens only
_GENERIC = frozenset(
    """large language models model llms llm paper papers study studies propose proposed
    approach method methods results show shows task tasks based using work works existing
    data performance significantly novel framework analysis also however these their this that
    which while such where when well more than into from with have been across""".split()
)


_ADJECTIVE_ENDINGS = ("ful", "ly", "ous", "ive", "ed", "able", "ible")


@dataclass
class ScoredPaper:
    """A paper the relevance decision kept, with its sentences scored against the topic."""

    hit: PaperHit
    relevance: float
    sentences: list[Sentence]

    @property
    def paper(self):
        return self.hit.paper


@dataclass
class Theme:
    name: str
    papers: list[ScoredPaper]


@dataclass
class RelatedWork:
    topic: str
    text: str  # markdown with [n]
    mode: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def keys(self) -> dict[str, str]:
        return citation_keys(c.paper for c in self.citations)

    def to_markdown(self) -> str:
        if not self.citations:
            return self.text
        return f"{self.text}\n\n**References**\n\n{references_markdown(self.citations)}\n"

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from assistant.notebook import answer_html

        return answer_html(self.text, self.citations)

    def to_latex(self) -> str:
        keys = self.keys
        by_number = {c.n: keys[c.paper.paper_id] for c in self.citations}

        def cite(match: re.Match) -> str:
            numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
            return "\\cite{" + ",".join(by_number[n] for n in numbers if n in by_number) + "}"

        parts = []
        for paragraph in self.text.split("\n\n"):
            heading = re.match(r"\*\*(.+?)\*\*\s*", paragraph)
            body = paragraph[heading.end() :] if heading else paragraph
            body = latex_escape(body)
            body = re.sub(r"\\\{?\*(.+?)\*", r"\1", body)
            body = re.sub(r"\*(.+?)\*", r"\\emph{\1}", body)
            body = re.sub(r"\s?\[(\d+(?:,\s*\d+)*)\]", lambda m: "~" + cite(m), body)
            if heading:
                body = f"\\paragraph{{{latex_escape(heading.group(1).rstrip('.'))}.}} {body}"
            parts.append(body)
        return "\n\n".join(parts) + "\n"

    def to_bibtex(self) -> str:
        return to_bibtex((c.paper for c in self.citations), self.keys)

    def to_dict(self, fmt: str = "markdown") -> dict:
        keys = self.keys
        return {
            "topic": self.topic,
            "format": fmt,
            "text": self.to_latex() if fmt == "latex" else self.text,
            "mode": self.mode,
            "abstained": self.abstained,
            "themes": [
                {"name": t.name, "papers": [self._number(p) for p in t.papers]} for t in self.themes
            ],
            "citations": [{**c.to_dict(), "key": keys[c.paper.paper_id]} for c in self.citations],
            "warnings": self.warnings,
        }

    def _number(self, paper: ScoredPaper) -> int | None:
        for citation in self.citations:
            if citation.paper.paper_id == paper.hit.paper.paper_id:
                return citation.n
        return None


def latex_escape(text: str) -> str:
    replacements = {
        "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}",
    }  # fmt: skip
    return "".join(replacements.get(char, char) for char in text)


def topical_score(paper: ScoredPaper) -> float:
    """Closeness in meaning (best chunk and best sentence) to the topic.

    A topic is a phrase, not a question: its rarest word (a British spelling, say) should
    not decide what belongs in the section, so term coverage is left out here."""
    best_sentence = max((s.score for s in paper.sentences), default=0.0)
    return (paper.hit.dense + best_sentence) / 2


def select_papers(decision, picker) -> list[ScoredPaper]:
    """The papers the relevance decision judged on topic, most topical first."""
    chosen = decision.relevant[:MAX_PAPERS]
    sentences = picker.pick([j.paper for j in chosen])
    scored = [ScoredPaper(j.hit, j.probability, sentences[j.paper.paper_id]) for j in chosen]
    return sorted(scored, key=topical_score, reverse=True)


def _average_linkage(vectors: np.ndarray, k: int) -> list[int]:
    """Cluster labels from agglomerative average-linkage clustering on cosine distance."""
    distance = 1.0 - vectors @ vectors.T
    clusters = [[i] for i in range(len(vectors))]
    while len(clusters) > k:
        best, pair = None, (0, 1)
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                d = float(distance[np.ix_(clusters[a], clusters[b])].mean())
                if best is None or d < best:
                    best, pair = d, (a, b)
        a, b = pair
        clusters[a] += clusters.pop(b)
    labels = [0] * len(vectors)
    for label, members in enumerate(clusters):
        for i in members:
            labels[i] = label
    return labels


def _without_singletons(vectors: np.ndarray, labels: list[int]) -> list[int]:
    """Each one-paper cluster joined to the cluster it is closest to on average: a one-paper
    theme reads as a list entry, and average linkage leaves outliers alone."""
    labels = list(labels)
    while len(set(labels)) > 1:
        sizes = Counter(labels)
        lonely = [i for i, label in enumerate(labels) if sizes[label] == 1]
        if not lonely:
            break
        i = lonely[0]
        others = set(labels) - {labels[i]}
        labels[i] = max(
            others,
            key=lambda other: float(
                np.mean([vectors[i] @ vectors[j] for j, lb in enumerate(labels) if lb == other])
            ),
        )
    return labels


def _silhouette(vectors: np.ndarray, labels: list[int]) -> float:
    if len(set(labels)) < 2:
        return -1.0  # undefined for one cluster; the worst value, so any split is preferred
    distance = 1.0 - vectors @ vectors.T
    labels_array = np.array(labels)
    scores = []
    for i in range(len(vectors)):
        same = labels_array == labels_array[i]
        if same.sum() <= 1:
            scores.append(0.0)
            continue
        a = distance[i, same].sum() / (same.sum() - 1)
        b = min(distance[i, labels_array == other].mean() for other in set(labels) - {labels[i]})
        scores.append((b - a) / max(a, b, 1e-9))
    return float(np.mean(scores))


def cluster(papers: list[ScoredPaper], vectors: dict[str, np.ndarray]) -> list[list[ScoredPaper]]:
    """Groups of at least two papers each, as many as the silhouette prefers (one group when
    no split leaves every group two papers)."""
    if len(papers) < 4:
        return [papers]
    matrix = np.vstack([vectors[p.hit.paper.paper_id] for p in papers])
    options = range(2, min(MAX_THEMES, len(papers) // 2) + 1)
    labelings = [_without_singletons(matrix, _average_linkage(matrix, k)) for k in options]
    labels = max(labelings, key=lambda labels: _silhouette(matrix, labels))
    groups: dict[int, list[ScoredPaper]] = {}
    for paper, label in zip(papers, labels, strict=True):
        groups.setdefault(label, []).append(paper)
    return sorted(groups.values(), key=lambda g: -max(topical_score(p) for p in g))


def _forms(paper: ScoredPaper) -> Counter:
    """The paper's words as written, its title counted three times."""
    title = paper.hit.paper.title
    return Counter(_WORD.findall(f"{title} {title} {title} {paper.hit.paper.abstract}"))


def _words(forms: Counter) -> Counter:
    words: Counter = Counter()
    for form, n in forms.items():
        if form.lower() not in _GENERIC:
            words[form.lower()] += n
    return words


def _spelling(forms: Counter) -> dict[str, str]:
    """Each lower-cased word's most frequent written form, so acronyms stay acronyms."""
    spelling: dict[str, str] = {}
    for form, _ in forms.most_common():
        spelling.setdefault(form.lower(), form if form[1:] != form[1:].lower() else form.lower())
    return spelling


def name_themes(groups: list[list[ScoredPaper]], bm25: BM25Index, topic: str) -> list[str]:
    """Two distinctive words per group: frequent in the group, rarer elsewhere."""
    forms_of = [[_forms(p) for p in group] for group in groups]
    spelling = _spelling(sum((f for group in forms_of for f in group), Counter()))
    words_of = [[_words(forms) for forms in group] for group in forms_of]
    topic_stems = set(tokenize([topic])[0])
    counts = [sum(group_words, Counter()) for group_words in words_of]
    names = []
    for i, count in enumerate(counts):
        others = sum((c for j, c in enumerate(counts) if j != i), Counter())
        scored = []
        for word, n in count.items():
            stems = tokenize([word])[0]
            if not stems or stems[0] in topic_stems:
                continue
            spread = sum(word in paper_words for paper_words in words_of[i]) / len(groups[i])
            if (len(groups[i]) > 1 and spread < 0.5) or word.endswith(_ADJECTIVE_ENDINGS):
                continue
            scored.append((n * spread * bm25.idf(stems[0]) / (1 + others[word]), word))
        chosen, seen = [], set()
        for _, word in sorted(scored, reverse=True):
            stem = tokenize([word])[0][0]
            if stem not in seen:
                chosen.append(word)
                seen.add(stem)
            if len(chosen) == 2:
                break
        name = " and ".join(spelling.get(word, word) for word in chosen)
        names.append(name[:1].upper() + name[1:] if chosen else f"Theme {i + 1}")
    return names


MAX_SENTENCE_WORDS = 45


def _sentence_for(paper: ScoredPaper) -> str:
    """The paper's most relevant complete sentence that is not too long (already in third
    person, without a dangling connective: see evidence.quotable)."""
    usable = [s for s in paper.sentences[:3] if "http" not in s.text] or paper.sentences[:1]
    short = [s for s in usable if len(s.text.split()) <= MAX_SENTENCE_WORDS]
    chosen = short[0] if short else min(usable, key=lambda s: len(s.text))
    return chosen.text.rstrip(" .")


def _clause(paper: ScoredPaper, n: int, connective: str) -> str:
    """'In *Title* [n], the authors show ...' or 'Similarly, *Title* [n] reports that ...'."""
    title = f"*{short_title(paper.hit.paper.title)}* [{n}]"
    sentence = _sentence_for(paper)
    if re.match(r"(The authors|They)\b", sentence):
        rest = sentence.split(" ", 2 if sentence.startswith("The authors") else 1)[-1]
        text = f"in {title}, the authors {rest}"
    else:
        first, _, remainder = sentence.partition(" ")
        if (first == "A" or first[1:].islower()) and not remainder[:1].isupper():
            first = first.lower()  # "Refusal training is ..." -> "... that refusal training is"
        text = f"{title} reports that {first} {remainder}".rstrip()
    return (connective + text if connective else text[0].upper() + text[1:]) + "."


def extractive_related_work(
    topic: str, groups: list[list[ScoredPaper]], names: list[str], words: int
) -> RelatedWork:
    """One paragraph per theme; the least topical papers (and themes left empty) are left
    out to respect `words`."""
    groups = [list(group) for group in groups]

    def draft() -> tuple[list[ScoredPaper], str]:
        papers = [p for group in groups for p in group]
        numbers = {p.hit.paper.paper_id: n for n, p in enumerate(papers, start=1)}
        paragraphs = []
        for name, group in zip(names, groups, strict=True):
            clauses = [
                _clause(p, numbers[p.hit.paper.paper_id],
                        "" if i == 0 else _CONNECTIVES[(i - 1) % len(_CONNECTIVES)])
                for i, p in enumerate(group)
            ]  # fmt: skip
            paragraphs.append(f"**{name}.** " + " ".join(clauses))
        return papers, "\n\n".join(paragraphs)

    papers, text = draft()
    while len(text.split()) > words and len(papers) > 1:
        weakest = min(papers, key=topical_score)  # a theme left with no paper goes too
        kept = [[p for p in group if p is not weakest] for group in groups]
        names = [name for name, group in zip(names, kept, strict=True) if group]
        groups = [group for group in kept if group]
        papers, text = draft()
    citations = [Citation(n, p.hit.paper) for n, p in enumerate(papers, start=1)]
    themes = [Theme(name, group) for name, group in zip(names, groups, strict=True)]
    return RelatedWork(topic, text, "extractive", False, citations, themes)


def llm_related_work(
    topic: str, groups: list[list[ScoredPaper]], names: list[str], words: int, settings
) -> RelatedWork:
    from assistant.answer.llm import _chat, build_evidence, count_tokens
    from assistant.prompts import load_prompt, system_prompt

    papers = [p for group in groups for p in group]
    system = system_prompt("related_work_system", settings.prompts_dir)
    template = load_prompt("related_work_user", settings.prompts_dir)
    overhead = count_tokens(system) + count_tokens(
        template.render(evidence="", topic=topic, words=str(words))
    )
    budget = settings.llm_context_window - settings.llm_answer_tokens - overhead - 24
    evidence = build_evidence(papers, budget)
    user = template.render(evidence=evidence.text, topic=topic, words=str(words))
    text, _ = _chat(settings, system, user, None)
    if CANNOT_ANSWER.lower().rstrip(".") in text.lower() and "[" not in text:
        return RelatedWork(topic, CANNOT_ANSWER, "llm", True)
    checked = check_citations(text, len(evidence.papers), exempt=(CANNOT_ANSWER,))
    cited = [evidence.papers[n - 1] for n in checked.order]
    citations = [Citation(i + 1, p.hit.paper) for i, p in enumerate(cited)]
    themes = [
        Theme(name, [p for p in group if p in cited])
        for name, group in zip(names, groups, strict=True)
    ]
    warnings = list(checked.warnings)
    if not citations:
        warnings.append("the draft cites none of the evidence: treat it as unsupported")
    return RelatedWork(topic, checked.text, "llm", False, citations, themes, warnings)
