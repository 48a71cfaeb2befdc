"""Themes of a related-work section: the papers clustered by meaning, each theme named by
the noun phrases its papers share and the other themes lack.

Clustering is average-linkage on cosine distance between the papers' embeddings, the
number of themes chosen by silhouette, with no one-paper theme."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from assistant.index.bm25 import BM25Index
from assistant.writing.phrases import PaperPhrases, shared_phrases, topic_heading

MAX_THEMES = 5
T = TypeVar("T")


@dataclass
class Theme:
    """A heading and its papers."""

    name: str
    papers: list


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


def cluster(
    papers: Sequence[T], vectors: dict[str, np.ndarray], key: Callable[[T], str]
) -> list[list[T]]:
    """Groups of at least two papers each, as many as the silhouette prefers (one group when
    no split leaves every group two papers)."""
    if len(papers) < 4:
        return [list(papers)]
    matrix = np.vstack([vectors[key(p)] for p in papers])
    options = range(2, min(MAX_THEMES, len(papers) // 2) + 1)
    labelings = [_without_singletons(matrix, _average_linkage(matrix, k)) for k in options]
    labels = max(labelings, key=lambda labels: _silhouette(matrix, labels))
    groups: dict[int, list[T]] = {}
    for paper, label in zip(papers, labels, strict=True):
        groups.setdefault(label, []).append(paper)
    order = {id(p): i for i, p in enumerate(papers)}  # papers come most topical first
    return sorted(groups.values(), key=lambda g: min(order[id(p)] for p in g))


def _common(one: list[PaperPhrases], other: list[PaperPhrases]) -> int:
    """How many phrases two groups of papers have in common."""
    return len(set().union(*(p.all for p in one)) & set().union(*(p.all for p in other)))


def name_themes(
    groups: list[list], bm25: BM25Index, text_of: Callable, topic: str = ""
) -> list[Theme]:
    """A Theme per group, headed by its best shared phrase; a single group is headed by
    the topic itself, where the topic reads as a heading ("Over-refusal" for "over-refusal:
    models refusing harmless requests"). `text_of(item) -> (title, abstract)`."""
    heading = topic_heading(topic) if len(groups) == 1 else None
    if heading:
        return [Theme(heading[:1].upper() + heading[1:], groups[0])]
    phrases = [[PaperPhrases.of(*text_of(item)) for item in group] for group in groups]
    others = [
        [p for j, other in enumerate(phrases) if j != i for p in other] for i in range(len(groups))
    ]
    alone = len(groups) == 1
    shared = [
        shared_phrases(own, others[i], bm25, topic) if alone or len(own) > 1 else []
        for i, own in enumerate(phrases)
    ]
    if not alone and (lone := next((i for i, s in enumerate(shared) if not s), None)) is not None:
        # one paper, or no phrase two of its papers share: no theme ("Expert" was one
        # paper's word); its papers join the group whose phrases they share most
        j = max(
            (j for j in range(len(groups)) if j != lone),
            key=lambda j: _common(phrases[lone], phrases[j]),
        )
        merged = [list(g) for g in groups]
        merged[j].extend(merged[lone])
        return name_themes(merged[:lone] + merged[lone + 1 :], bm25, text_of, topic)
    themes = []
    for i, group in enumerate(groups):
        # a single group whose papers share no phrase: one of its papers' phrases, else
        # the topic itself
        names = shared[i] or shared_phrases(phrases[i], others[i], bm25, topic, minimum=1)
        name = names[0] if names else topic.strip() or "Related work"
        themes.append(Theme(name[:1].upper() + name[1:], group))
    return themes
