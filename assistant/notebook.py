"""Rich display in Jupyter: answers with clickable references, rankings as tables."""

from __future__ import annotations

import hashlib
import html
import re

from assistant.markup import EMPHASIS, STRONG, converted


def _inline(text: str, anchor: str = "ref") -> str:
    """Escape, then **bold**, *italics*, _italics_ and [n] links to the reference list; a
    title's own "*" or "_" (escaped in the markdown) is no emphasis."""
    return converted(text, lambda shielded: _markup(shielded, anchor), html.escape)


def _markup(text: str, anchor: str) -> str:
    escaped = html.escape(text)
    escaped = STRONG.sub(r"<strong>\1</strong>", escaped)
    escaped = EMPHASIS.sub(r"<em>\1</em>", escaped)
    escaped = re.sub(r"(?<!\w)_(\S(?:.*?\S)?)_(?!\w)", r"<em>\1</em>", escaped)

    def link(match: re.Match) -> str:
        numbers = [n.strip() for n in match.group(1).split(",")]
        return "[" + ", ".join(f'<a href="#{anchor}-{n}">{n}</a>' for n in numbers) + "]"

    return re.sub(r"\[(\d+(?:,\s*\d+)*)\]", link, escaped)


def _block(paragraph: str, anchor: str) -> str:
    """A paragraph, or a list where its lines are "- " items."""
    lines = paragraph.split("\n")
    if all(line.startswith("- ") for line in lines):
        items = "".join(f"<li>{_inline(line[2:], anchor)}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return f"<p>{_inline(paragraph, anchor)}</p>"


def answer_html(text: str, citations) -> str:
    # anchors unique to this answer: a notebook shows many, and "#ref-1" would jump to the
    # first cell's reference list
    anchor = "ref-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    paragraphs = "".join(_block(p, anchor) for p in text.split("\n\n") if p.strip())
    if not citations:
        return f"<div>{paragraphs}</div>"
    items = []
    for c in citations:
        title = html.escape(c.paper.title)
        if _web_link(c.paper.first_url):  # never "javascript:" a corpus file holds
            title = f'<a href="{html.escape(c.paper.first_url)}" target="_blank">{title}</a>'
        year = f" ({c.paper.year})" if c.paper.year else ""
        items.append(f'<li id="{anchor}-{c.n}" value="{c.n}">{title}{year}</li>')
    return f"<div>{paragraphs}<p><strong>References</strong></p><ol>{''.join(items)}</ol></div>"


def _web_link(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))


def ranking_html(ranking) -> str:
    rows = "".join(
        f"<tr><td>{rank}</td><td><strong>{html.escape(hit.paper.title)}</strong>"
        f"{f' ({hit.paper.year})' if hit.paper.year else ''}</td>"
        f"<td>{html.escape(hit.snippet)}</td><td>{hit.score:.4f}</td></tr>"
        for rank, hit in enumerate(ranking.hits, start=1)
    )
    return (
        f"<table><caption>{html.escape(ranking.query)}</caption><thead><tr><th>#</th>"
        f"<th>Paper</th><th>Snippet</th><th>Score</th></tr></thead><tbody>{rows}</tbody></table>"
    )
