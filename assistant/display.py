"""Terminal rendering with rich: answers, search results, paper lists, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markdown import Markdown
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from assistant.answer.model import Answer
from assistant.corpus.paper import Paper
from assistant.corpus.text import strip_controls
from assistant.redaction import redact
from assistant.retrieval import Ranking


def _is_terminal(stream) -> bool:
    return bool(getattr(stream, "isatty", None) and stream.isatty())


# Piped or logged, a line is never wrapped at 80 columns: one message, one line.
out = Console(highlight=False, soft_wrap=not _is_terminal(sys.stdout))
err = Console(stderr=True, highlight=False, soft_wrap=not _is_terminal(sys.stderr))


def print_json(payload: dict) -> None:
    """The payload as JSON, its messages with their secrets masked: a warning may quote an
    endpoint's URL with its credentials ("LLM failed (cannot connect to
    http://user:KEY@host)"). The papers' own words are left as written ("the bearer of
    tail risk")."""
    sys.stdout.write(json.dumps(_redacted(payload), ensure_ascii=False, indent=2) + "\n")


# Where a payload carries messages, at any depth.
_MESSAGES = frozenset({"warnings", "warning", "error", "errors", "note", "notes"})


def _redacted(value: object, message: bool = False) -> object:
    if isinstance(value, str):
        return redact(value) if message else value
    if isinstance(value, dict):
        return {k: _redacted(v, message or k in _MESSAGES) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, message) for item in value]
    return value


class _RateColumn(ProgressColumn):
    def render(self, task) -> str:
        return f"{task.speed:,.1f} papers/s" if task.speed else ""


def _markdown(text: str) -> Markdown:
    """An answer or draft for the terminal: its markdown rendered, but with no escape
    sequences, and every link shown with its address: a quoted abstract's "[click](url)"
    is never a terminal hyperlink hiding where it goes."""
    return Markdown(strip_controls(text), hyperlinks=False)


def plain(text: object) -> Text:
    """Corpus or model text for a rich view: never read as markup ("[/INST]" in a title),
    with no escape sequences or control characters to drive the terminal."""
    return Text(strip_controls(str(text)))


def notice(message: str) -> None:
    """A one-line note on stderr (what an LLM call will cost, ...)."""
    err.print(Text(redact(strip_controls(message)), style="dim"))


@contextmanager
def progress_bar(description: str) -> Iterator:
    """A (done, total, stage) callback that drives a progress bar on stderr; where stderr
    is no terminal (a log, a pipe), a line per stage instead (a bar there printed nothing
    until its last state, silent for the 15 s of a first index)."""
    if not err.is_terminal:
        yield _stage_lines(description)
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("papers"),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int, stage: str) -> None:
            bar.update(task, completed=done, total=total or None, description=stage)

        yield update


def _stage_lines(description: str) -> Callable[[int, int, str], None]:
    said = {"stage": description}
    err.print(f"{description} …")

    def update(done: int, total: int, stage: str) -> None:
        finished = stage.startswith(("Done", "Failed"))
        if finished:
            err.print(f"{stage}: {done}/{max(total, done)} papers")
        elif stage != said["stage"]:
            err.print(f"{stage} …")
        said["stage"] = stage

    return update


class _StreamingAnswer:
    """Token callback that shows the answer growing, then the checked, final version."""

    def __init__(self) -> None:
        self.text = ""
        self.live = None

    def __call__(self, token: str) -> None:
        from rich.live import Live

        self.text += token
        if self.live is None:
            self.live = Live(_markdown(self.text), console=out, refresh_per_second=15)
            self.live.start()
        self.live.update(_markdown(self.text))

    def finish(self, answer: Answer) -> None:
        if self.live is not None:
            self.live.update(_markdown(answer.text))
            self.live.stop()
            self.live = None
            render_answer(answer, with_text=False)
        else:
            render_answer(answer)

    def abort(self) -> None:
        if self.live is not None:
            self.live.stop()


@contextmanager
def streamed_answer() -> Iterator[_StreamingAnswer]:
    """Streams on a terminal; elsewhere the final answer is printed once."""
    handler = _StreamingAnswer()
    try:
        yield handler if out.is_terminal else _Quiet()
    finally:
        handler.abort()


class _Quiet:
    """For output that is not a terminal: no live updates, the final answer once."""

    def __call__(self, token: str) -> None:
        return None

    def finish(self, answer: Answer) -> None:
        render_answer(answer)


def render_answer(answer: Answer, with_text: bool = True) -> None:
    """Rich markdown on a terminal; elsewhere (`> answer.md`) the plain markdown, unwrapped."""
    if not out.is_terminal:
        _write_markdown(answer.to_markdown())
    else:
        if with_text:
            out.print(_markdown(answer.text))
        _print_references(answer.citations)
    print_warnings(answer.warnings)


def _write_markdown(markdown: str) -> None:
    """For output that is not a terminal (`> answer.md`): the markdown as is, unwrapped."""
    sys.stdout.write(strip_controls(markdown) + "\n")


def print_warnings(warnings) -> None:
    for warning in warnings:  # they quote titles: never read them as markup
        err.print(Text.assemble(("warning: ", "yellow"), redact(strip_controls(warning))))


def render_ranking(ranking: Ranking) -> None:
    if not ranking.hits:
        out.print("No matching papers.")
        return
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("Paper", ratio=2)
    table.add_column("Snippet", ratio=3)
    table.add_column("Score", justify="right", width=7)
    for rank, hit in enumerate(ranking.hits, start=1):
        year = f" ({hit.paper.year})" if hit.paper.year else ""
        title = Text(strip_controls(hit.paper.title), style="bold") + year
        table.add_row(str(rank), title, plain(hit.snippet), f"{hit.score:.4f}")
    out.print(table)


def render_papers(papers: list[Paper]) -> None:
    table = Table(expand=True)
    table.add_column("#", justify="right", width=4)
    table.add_column("Title", ratio=4)
    table.add_column("Year", width=5)
    table.add_column("Source", ratio=1)
    for number, paper in enumerate(papers, start=1):
        table.add_row(str(number), plain(paper.title), str(paper.year or ""), plain(paper.source))
    out.print(table)
    out.print(f"{len(papers)} papers")


def render_questions_report(report) -> None:
    table = Table(title="Per question", expand=True)
    for column in (
        "id",
        "question",
        "search recall",
        "cited recall",
        "cited precision",
        "count",
        "abstained",
    ):
        table.add_column(column)

    def fmt(value) -> str:
        return "-" if value is None else f"{value:.2f}"

    for r in report.results:
        flag = Text("yes" if r.abstained else "no", "red" if not r.abstention_correct else "")
        table.add_row(
            plain(r.qid),
            plain(r.question),
            fmt(r.search_recall),
            fmt(r.cited_recall),
            fmt(r.cited_precision),
            "-" if r.stated is None else f"{r.stated}/{len(r.cited)}",
            flag,
        )
    out.print(table)
    for key, value in report.summary().items():
        out.print(f"{key}: {value}")


def render_beir(results: dict) -> None:
    table = Table(
        title=f"{results['dataset']}: {results['queries']} queries, {results['corpus']} documents"
    )
    table.add_column("retriever")
    metrics = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
    for metric in metrics:
        table.add_column(metric, justify="right")
    for name, values in results.items():
        if isinstance(values, dict):
            table.add_row(name, *(f"{values[m]:.4f}" for m in metrics))
    out.print(table)


def render_doctor(report) -> None:
    table = Table(title="Configuration", show_header=False)
    table.add_column("setting")
    table.add_column("value")
    for name, value in report.settings:  # a key may stand in the endpoint's URL
        table.add_row(name, plain(redact(str(value))))
    out.print(table)
    for check, ok, detail in report.checks:
        mark = ("ok", "green") if ok else ("FAILED", "red")
        text = strip_controls(redact(str(detail)))
        out.print(Text.assemble(mark, f"  {check}: ", text), soft_wrap=True)


def render_related_work(draft) -> None:
    """Rendered on a terminal; raw markdown (with references) when piped to a file."""
    if not out.is_terminal:
        _write_markdown(draft.to_markdown())
        return
    out.print(_markdown(draft.text))
    _print_references(draft.citations)


def render_references(citations) -> None:
    """A reference list, numbered as in the answer it belongs to."""
    for citation in citations:
        out.print(plain(citation.reference()), soft_wrap=True)


def _print_references(citations) -> None:
    if citations:
        out.print()
        out.print("[bold]References[/bold]")
        render_references(citations)
