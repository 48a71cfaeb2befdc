"""`assistant chat`: the terminal conversation loop (line editing, history, slash commands)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

from rich.text import Text

from assistant import display
from assistant.app import Assistant
from assistant.chat import Conversation
from assistant.corpus.text import strip_controls
from assistant.errors import AssistantError
from assistant.redaction import redact

# What /sources and /paper say when there are no references to show: before any answer,
# or after an answer that cites none (a new question the collection could not answer).
_NO_REFERENCES = {False: "No answer has references yet.", True: "The last answer cites no papers."}
HELP = """\
Ask a question, or a follow-up ("which of those use RL?", "tell me more about [2]").
  /sources      the references of the last answer, numbered as in it
  /paper N      the full abstract of reference N
  /reset        forget the conversation
  /save FILE    save the conversation as markdown with references
  /help         this text
  /quit         leave (or Ctrl-D); Ctrl-C stops a long answer
"""


def _reader(history_file: Path) -> Callable[[], str]:
    """prompt_toolkit on a terminal (editing, persistent history); plain input() elsewhere."""
    if not sys.stdin.isatty():
        return lambda: input("ask> ")
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history_file.parent.mkdir(parents=True, exist_ok=True)
    session = PromptSession(history=FileHistory(str(history_file)))
    return lambda: session.prompt("ask> ")


def run_chat(assistant: Assistant, llm: bool | None = None, filters: dict | None = None) -> None:
    out = display.out
    conversation = assistant.chat(llm=llm, **(filters or {}))
    count = len(assistant.papers())
    mode = "LLM" if conversation.use_llm else "offline"
    out.print(f"Ask about {count} papers ({mode} answers). /help for commands, Ctrl-D to leave.")
    read = _reader(assistant.settings.data_dir / "chat_history")
    # Ctrl-C stops a long answer even when the chat was started from a shell that runs it
    # with SIGINT ignored (a background job of a script): Python then leaves it ignored.
    if sys.stdin.isatty():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    while True:
        try:
            line = read().strip()
        except KeyboardInterrupt:
            continue
        except EOFError:
            out.print()
            return
        if not line:
            continue
        if line.startswith("/"):
            try:
                if _command(line, conversation) == "quit":
                    return
            except AssistantError as error:
                display.err.print(Text.assemble(("error: ", "red"), redact(str(error))))
            continue
        try:
            with display.streamed_answer() as on_token:
                answer = conversation.ask(line, on_token=on_token)
                on_token.finish(answer)
        except KeyboardInterrupt:
            out.print("\n[yellow](interrupted)[/yellow]")
        except AssistantError as error:
            message = redact(strip_controls(str(error)))
            display.err.print(Text.assemble(("error: ", "red"), message))


def _confirm(question: str) -> bool:
    """A yes from the person at the terminal; piped input holds questions, not answers to
    this one, so without a terminal the answer is no."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(question).strip().lower() in ("y", "yes")
    except (EOFError, KeyboardInterrupt):
        return False


def _command(line: str, conversation: Conversation) -> str | None:
    out = display.out
    name, _, argument = line.partition(" ")
    argument = argument.strip()
    if name in ("/quit", "/exit", "/q"):
        return "quit"
    if name == "/help":
        out.print(HELP, markup=False)
    elif name == "/reset":
        conversation.reset()
        out.print("Conversation cleared.")
    elif name == "/sources":
        last = conversation.last
        if last is None:
            out.print(_NO_REFERENCES[bool(conversation.turns)])
        else:
            display.render_references(last.citations)
    elif name == "/paper":
        count = len(conversation.last.citations) if conversation.last else 0
        try:
            paper = conversation.paper(int(argument))
        except (ValueError, IndexError, AssistantError):
            out.print(
                f"Usage: /paper N, with N from 1 to {count} (the references of the last answer)."
                if count
                else "Usage: /paper N, once an answer has references. "
                + _NO_REFERENCES[bool(conversation.turns)]
            )
        else:
            # the paper's own words, verbatim: a "[text](url)" or "<b>" in an abstract is
            # shown as written, never made a link or markup
            year = f" ({paper.year})" if paper.year else ""
            urls = "\n\n" + "\n".join(paper.urls) if paper.urls else ""
            title = Text(strip_controls(paper.title), style="bold")
            out.print(Text.assemble(title, f"{year}\n\n", strip_controls(paper.abstract + urls)))
    elif name == "/save":
        if not argument:
            out.print("Usage: /save FILE")
        else:
            _save(conversation, argument)
    else:
        out.print(f"Unknown command {strip_controls(name)}; /help lists them.", markup=False)
    return None


def _save(conversation: Conversation, argument: str) -> None:
    """Write the conversation to a file, asking before replacing one; a path that cannot be
    written says why and leaves the chat running."""
    out = display.out
    try:
        path = Path(argument).expanduser()
        shown = strip_controls(str(path))
        if path.is_dir():
            out.print(f"Cannot write {shown}: it is a directory; give a file name.", markup=False)
            return
        if path.exists() and not _confirm(f"{shown} exists. Overwrite it? [y/N] "):
            out.print(f"Not saved: {shown} is left as it was.", markup=False)
            return
        path.write_text(conversation.to_markdown(), encoding="utf-8")
    except (OSError, RuntimeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        out.print(f"Cannot write {strip_controls(argument)}: {reason}", markup=False)
    else:
        count = len(conversation.turns)
        out.print(f"Saved {count} question{'' if count == 1 else 's'} to {shown}.", markup=False)
