"""The `assistant` console script: parse options, make one library call, render the result.

Library errors become one line on stderr and a non-zero exit; nothing here holds logic
that a notebook user would miss.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from assistant import arguments
from assistant.errors import AssistantError
from assistant.redaction import debug_enabled, install_log_redaction, redact

if TYPE_CHECKING:
    from assistant.corpus import Problem

_DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the index lives [env: ASSISTANT_DATA_DIR].",
)


def _use_chroma_server(context: click.Context, parameter: click.Parameter, url: str | None):
    """--chroma-url http(s)://host:port: the same as setting CHROMA_HOST, CHROMA_PORT and
    CHROMA_SSL (the token stays in CHROMA_API_KEY: never on a command line)."""
    if url:
        from urllib.parse import urlparse

        try:  # "http://[foo" (an unclosed IPv6 bracket) or a port that is no number
            parsed = urlparse(url if "://" in url else f"http://{url}")
            port = parsed.port
        except ValueError:
            parsed, port = urlparse(""), -1
        host_ok = bool(parsed.hostname) and not re.search(r"[\s\x00-\x1f\x7f]", url.strip())
        if parsed.scheme not in ("http", "https") or not host_ok or port in (-1, 0):
            raise click.BadParameter(
                "expected http://HOST:PORT or https://HOST:PORT", context, parameter
            )
        if parsed.username or parsed.password:
            raise click.BadParameter(
                "put no credentials in the URL: set CHROMA_API_KEY", context, parameter
            )
        secure = parsed.scheme == "https"
        os.environ["CHROMA_HOST"] = parsed.hostname
        os.environ["CHROMA_PORT"] = str(port or (443 if secure else 8000))
        os.environ["CHROMA_SSL"] = "1" if secure else "0"
    return url


_CHROMA_URL = click.option(
    "--chroma-url",
    callback=_use_chroma_server,
    expose_value=False,
    help="Use a Chroma server, e.g. http://localhost:8000 or https://chroma.lab.org "
    "[env: CHROMA_HOST, CHROMA_PORT, CHROMA_SSL; token: CHROMA_API_KEY].",
)
_COLLECTION = click.option(
    "--collection", help="Corpus collection to use [env: ASSISTANT_COLLECTION; default: papers]."
)


def _count_option(name: str, default: int, minimum: int, help: str):
    """A whole-number option whose range click checks, naming the flag in its error
    ("Invalid value for '--words': -5 is not in the range x>=50")."""
    return click.option(
        name, default=default, type=click.IntRange(min=minimum), show_default=True, help=help
    )


_FILTER_OPTIONS = (
    click.option(
        "--since", type=click.IntRange(min=1), metavar="YEAR", help="Only papers from YEAR on."
    ),
    click.option(
        "--until", type=click.IntRange(min=1), metavar="YEAR", help="Only papers up to YEAR."
    ),
    click.option("--author", metavar="NAME", help="Only papers with an author named NAME."),
)


def filter_options(command: Callable) -> Callable:
    """--since, --until and --author, handed to the command as one `filters` dict."""

    @wraps(command)
    def wrapper(*args, since=None, until=None, author=None, **kwargs):
        return command(*args, filters={"since": since, "until": until, "author": author}, **kwargs)

    for option in reversed(_FILTER_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


MAX_LISTED = 20


def _fail(message: str, code: int) -> NoReturn:
    from assistant.corpus.text import strip_controls

    click.echo(f"error: {strip_controls(redact(message))}", err=True)
    sys.exit(code)


def one_line_errors(command: Callable) -> Callable:
    """Turn every failure into one line on stderr; ASSISTANT_DEBUG=1 shows tracebacks."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AssistantError as error:
            _fail(str(error), error.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as error:
            if debug_enabled() or not error.filename:
                _unexpected(error)
            reason = error.strerror or type(error).__name__
            _fail(f"{error.filename}: {reason}; check the path and its permissions", 1)
        except Exception as error:
            _unexpected(error)

    return wrapper


def _unexpected(error: Exception) -> NoReturn:
    """A failure no message was written for: its type and text, or with ASSISTANT_DEBUG
    its traceback (redacted like everything else)."""
    if debug_enabled():
        click.echo(redact("".join(traceback.format_exception(error))), err=True)
        sys.exit(1)
    detail = " ".join(str(error).split())[:300]
    name = type(error).__name__
    _fail(f"unexpected {name}: {detail} (rerun with ASSISTANT_DEBUG=1 for details)", 1)


def _assistant(data_dir: Path | None, collection: str | None, **overrides):
    from assistant.app import Assistant

    assistant = Assistant(data_dir=data_dir, collection=collection, **overrides)
    assistant.progress = _progress_printer()  # on stderr, only if indexing happens
    return assistant


def _llm_assistant(data_dir, collection, model, base_url, fallback, **checks):
    """An Assistant with the LLM options of the command line applied."""
    return _assistant(
        data_dir, collection, llm_model=model, openai_base_url=base_url, fallback=fallback,
        **checks,
    )  # fmt: skip


def answer_checks(command: Callable) -> Callable:
    """--rerank and --verify: optional LLM passes around an answer."""
    command = click.option(
        "--verify",
        is_flag=True,
        default=None,
        help="Ask the LLM whether the cited abstracts support each sentence "
        "[env: ASSISTANT_VERIFY=1].",
    )(command)
    return click.option(
        "--rerank",
        type=click.Choice(["fitted", "llm"]),
        help="Who decides which papers are relevant: the fitted model (default) or the LLM "
        "in one batched call [env: ASSISTANT_LLM_RERANK=1].",
    )(command)


def _checks(rerank: str | None, verify: bool | None) -> dict:
    return {"llm_rerank": None if rerank is None else rerank == "llm", "verify": verify}


def _progress_printer():
    """Opens a progress bar once indexing has a paper to count or a model to load, closes
    it when it is done: a run that finds no paper shows nothing but its one-line error."""
    state: dict = {}

    def update(done: int, total: int, stage: str) -> None:
        if stage.startswith(("Done", "Failed")):  # a failure's own one-line error follows
            if "context" in state:
                state["bar"](done, max(total, done), stage)
                state.pop("context").__exit__(None, None, None)
                state.pop("bar")
            return
        if "bar" not in state:
            if not done and stage.startswith(("Reading files", "Building the keyword index")):
                return
            from assistant.display import progress_bar

            state["context"] = progress_bar(stage)
            state["bar"] = state["context"].__enter__()
        state["bar"](done, total, stage)

    return update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="assistant")
def cli() -> None:
    """Answer questions about paper abstracts, with citations.

    Offline by default (local embeddings, BM25, extractive answers). Set OPENAI_API_KEY
    or OPENAI_BASE_URL to have an LLM write the answers.
    """
    install_log_redaction(debug=debug_enabled())


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the index and build it again.")
@click.option("--prune", is_flag=True, help="Remove indexed papers not found in PATHS.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["seed", "jsonl", "csv", "bib", "arxiv"]),
    help="Corpus format, overriding the file extension (.txt .jsonl .csv .bib .json).",
)
@click.option(
    "--filter-category",
    "categories",
    multiple=True,
    help="arXiv snapshot: keep only records in this category (repeatable), e.g. cs.CL.",
)
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def index(paths, rebuild, prune, fmt, categories, data_dir, collection) -> None:
    """Index corpus files or folders (default: the bundled seeds/).

    Formats: the seed listings (.txt), JSON Lines (.jsonl), CSV (.csv), BibTeX (.bib) and
    the arXiv metadata snapshot (.json, one object per line). Bad records are reported
    with file and line and skipped.
    """
    from rich.markup import escape

    from assistant.corpus.text import strip_controls
    from assistant.display import err
    from assistant.errors import CorpusError

    assistant = _assistant(data_dir, collection)
    report = assistant.index(
        paths, rebuild=rebuild, prune=prune, fmt=fmt, categories=list(categories) or None
    )
    if paths and report.added + report.updated + report.unchanged == 0:
        raise CorpusError(_nothing_indexed(paths, report.problems, categories))
    for problem in report.problems[:MAX_LISTED]:
        label = "[yellow]skipped[/yellow]" if problem.skipped else "[cyan]note[/cyan]"
        err.print(f"{label} {escape(strip_controls(str(problem)))}", soft_wrap=True)
    if len(report.problems) > MAX_LISTED:
        err.print(f"... and {len(report.problems) - MAX_LISTED} more skipped records or notes")
    for title in report.title_only[:MAX_LISTED]:
        shown = strip_controls(title)
        err.print(f"no abstract, indexed by title only: {shown}", soft_wrap=True, markup=False)
    err.print(report.summary())


def _blank(path: Path) -> bool:
    """Whether a file holds nothing but white space (read up to its first 4 KB)."""
    with path.open("rb") as handle:
        return not handle.read(4096).strip()


def _nothing_indexed(
    paths: tuple[Path, ...], problems: list[Problem], categories: tuple[str, ...] = ()
) -> str:
    """The one-line error of a run that found no paper, with the first reason it was given."""
    names = ", ".join(path.name or str(path) for path in paths[:3])
    names += f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    skipped = [problem for problem in problems if problem.skipped]
    if all(path.is_file() and _blank(path) for path in paths):
        return f"{names} {'is' if len(paths) == 1 else 'are'} empty: nothing to index"
    if categories and not skipped:
        return (
            f"no record in {names} is in {', '.join(categories)}: check --filter-category "
            "(arXiv names categories such as cs.CL, cs.LG, stat.ML)"
        )
    more = f", and {len(skipped) - 1} more skipped" if len(skipped) > 1 else ""
    why = f" ({' '.join(str(skipped[0]).split())}{more})" if skipped else ""
    return (
        f"nothing in {names} looked like a paper{why}; accepted: seed listings (.txt), "
        "JSON Lines (.jsonl), CSV with a title column (.csv), BibTeX (.bib), the arXiv "
        "snapshot (.json); --format overrides the extension"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def papers(as_json, data_dir, collection) -> None:
    """List the indexed papers."""
    from assistant import display

    found = _assistant(data_dir, collection).papers()
    if as_json:
        display.print_json({"papers": [p.to_dict() for p in found]})
    else:
        display.render_papers(found)


@cli.command()
@click.argument("query")
@_count_option("-k", 10, 1, "How many papers to show.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "bm25"]),
    default="hybrid",
    show_default=True,
    help="Retriever to use.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@filter_options
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def search(query, k, mode, as_json, data_dir, collection, filters) -> None:
    """Rank papers for QUERY, each paper once, with a snippet."""
    from assistant import display

    ranking = _assistant(data_dir, collection).search(query, k=k, mode=mode, **filters)
    if ranking.note:
        display.notice(ranking.note)
    if as_json:
        display.print_json(ranking.to_dict())
    else:
        display.render_ranking(ranking)


_LLM_OPTIONS = (
    click.option("--model", help="LLM model name [env: ASSISTANT_LLM_MODEL]."),
    click.option(
        "--base-url",
        help="OpenAI-compatible endpoint [env: OPENAI_BASE_URL]. The key is read from "
        "OPENAI_API_KEY only, never from the command line.",
    ),
    click.option(
        "--fallback",
        type=click.Choice(["none", "offline"]),
        help="If the LLM fails: report it (none) or answer offline [env: ASSISTANT_FALLBACK].",
    ),
)


def llm_options(command: Callable) -> Callable:
    for option in reversed(_LLM_OPTIONS):
        command = option(command)
    return command


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--no-llm", is_flag=True, help="Answer offline (extractive) even if an LLM is set.")
@llm_options
@answer_checks
@filter_options
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def ask(
    question, as_json, no_llm, model, base_url, fallback, rerank, verify, data_dir, collection,
    filters,
) -> None:  # fmt: skip
    """Answer QUESTION from the indexed papers, citing them as [n]."""
    from assistant import display

    assistant = _llm_assistant(
        data_dir, collection, model, base_url, fallback, **_checks(rerank, verify)
    )
    assistant.notice = display.notice
    llm = False if no_llm else None
    if as_json:
        display.print_json(assistant.ask(question, llm=llm, **filters).to_dict())
        return
    with display.streamed_answer() as on_token:
        answer = assistant.ask(question, llm=llm, on_token=on_token, **filters)
        on_token.finish(answer)


@cli.command(name="related-work")
@click.argument("topic")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "latex"]),
    default="markdown",
    show_default=True,
    help="[n] citations with a reference list, or \\cite{key} for LaTeX.",
)
@click.option(
    "--bib",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the cited papers as BibTeX to this file (keys match \\cite).",
)
@_count_option("--words", 250, arguments.MIN_DRAFT_WORDS, "Length of the draft (within 15%).")
@click.option(
    "--max-papers",
    type=click.IntRange(min=1),
    help="Cite at most this many papers (default: every paper judged on topic).",
)
@click.option("--force", is_flag=True, help="Overwrite the --bib file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--no-llm", is_flag=True, help="Draft offline even if an LLM is set.")
@click.option(
    "--verify",
    is_flag=True,
    default=None,
    help="Ask the LLM whether the cited abstracts support each sentence [env: ASSISTANT_VERIFY=1].",
)
@llm_options
@filter_options
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def related_work(
    topic, fmt, bib, words, max_papers, force, as_json, no_llm, verify, model, base_url,
    fallback, data_dir, collection, filters,
) -> None:  # fmt: skip
    """Draft a cited related-work section on TOPIC from the indexed papers."""
    from assistant import display
    from assistant.corpus.text import strip_controls
    from assistant.errors import InputError

    if bib is not None and not bib.name:
        raise InputError("--bib needs a file name, e.g. --bib refs.bib")
    if bib is not None and bib.exists() and not force:
        raise InputError(f"{bib} exists: pass --force to overwrite it, or choose another file")
    if bib is not None and not bib.absolute().parent.is_dir():  # known before the draft is paid
        raise InputError(f"cannot write {bib}: no folder {bib.absolute().parent}")

    assistant = _llm_assistant(
        data_dir, collection, model, base_url, fallback, **_checks(None, verify)
    )
    draft = assistant.related_work(
        topic, words=words, max_papers=max_papers, llm=False if no_llm else None, **filters
    )
    if as_json:
        display.print_json(draft.to_dict(fmt))
    elif fmt == "latex":
        # nothing cited: the reason as LaTeX comments, harmless where the output goes
        comment = "\n".join(f"% {line}" if line else "%" for line in draft.text.splitlines())
        click.echo(strip_controls(draft.to_latex() if draft.citations else comment))
    else:
        display.render_related_work(draft)
    if bib is not None and not draft.citations:
        draft.warnings.append(f"nothing cited, so {bib} was not written")
    display.print_warnings(draft.warnings)
    if bib is not None and draft.citations:  # after the draft: a failed write loses none of it
        try:
            bib.write_text(strip_controls(draft.to_bibtex()), encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write {bib}: {error.strerror}") from None


@cli.command()
@click.option("--no-llm", is_flag=True, help="Answer offline (extractive) even if an LLM is set.")
@llm_options
@filter_options
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def chat(no_llm, model, base_url, fallback, data_dir, collection, filters) -> None:
    """A conversation in the terminal, with follow-ups and slash commands (/help)."""
    from assistant.chat_repl import run_chat

    assistant = _llm_assistant(data_dir, collection, model, base_url, fallback)
    run_chat(assistant, llm=False if no_llm else None, filters=filters)


@cli.command()
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@llm_options
@one_line_errors
def doctor(data_dir, collection, model, base_url, fallback) -> None:
    """Show the effective configuration (key masked) and check the index and the endpoint."""
    from assistant import display
    from assistant.doctor import diagnose

    assistant = _llm_assistant(data_dir, collection, model, base_url, fallback)
    report = diagnose(assistant.settings)
    display.render_doctor(report)
    if not report.healthy:
        sys.exit(1)


@cli.command(name="eval")
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@_count_option("-k", 10, 1, "Search depth for recall@k (questions).")
@click.option(
    "--retriever",
    "retrievers",
    type=click.Choice(["bm25", "dense", "hybrid"]),
    multiple=True,
    help="Retrievers to score on a BEIR folder (default: all three).",
)
@click.option("--split", help="BEIR qrels split (default: test if present, else the first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--no-llm", is_flag=True, help="Answer offline (extractive) even if an LLM is set.")
@click.option(
    "--verify",
    is_flag=True,
    default=None,
    help="With an LLM, score the share of sentences the cited abstracts support "
    "[env: ASSISTANT_VERIFY=1].",
)
@_DATA_DIR
@_COLLECTION
@_CHROMA_URL
@one_line_errors
def evaluate(target, k, retrievers, split, as_json, no_llm, verify, data_dir, collection) -> None:
    """Measure retrieval and answers.

    TARGET is a questions JSONL file (search recall@k, cited-gold shares, abstention) or a
    BEIR folder (nDCG@10, Recall@10/100, MRR@10; its corpus is indexed into collection
    beir-NAME unless --collection is given).
    """
    from assistant import display

    if target.is_dir():
        from assistant.beir import RETRIEVERS, evaluate_beir

        name = collection or f"beir-{target.resolve().name}"
        assistant = _assistant(data_dir, name)
        results = evaluate_beir(assistant, target, split, list(retrievers or RETRIEVERS))
        display.print_json(results) if as_json else display.render_beir(results)
        return
    from assistant.evaluation import evaluate_questions

    assistant = _assistant(data_dir, collection, verify=verify)
    report = evaluate_questions(assistant, target, k=k, llm=False if no_llm else None)
    if as_json:
        display.print_json(report.to_dict())
    else:
        display.render_questions_report(report)
    display.print_warnings(report.warnings)  # gold titles that name no indexed paper


def main() -> None:
    """The console script: click's usage errors (a bad option value, a missing argument)
    are one line, like every other error."""
    try:
        code = cli.main(prog_name="assistant", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()
        sys.exit(error.exit_code)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "assistant"
        from assistant.corpus.text import strip_controls

        message = strip_controls(error.format_message())
        click.echo(f"error: {message} (see: {command} --help)", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
