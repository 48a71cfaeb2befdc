"""The README's commands must stay valid: every `assistant ...` line parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from assistant.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "assistant":
                if ">" in words:  # shell redirection is not an argument
                    words = words[: words.index(">")]
                commands.append(words[1:])
    return commands


def test_readme_quick_start_is_exactly_install_ask_test():
    quick = re.search(r"## Quick start\n\n```sh\n(.*?)```", README.read_text(), re.DOTALL)
    assert quick.group(1).splitlines() == [
        'pip install -e ".[dev]"',
        'assistant ask "which papers study over-refusal?"',
        "pytest",
    ]


@pytest.mark.parametrize("args", readme_commands(), ids=" ".join)
def test_readme_command_parses(args, monkeypatch):
    monkeypatch.chdir(README.parent)
    command = cli.get_command(click.Context(cli), args[0])
    assert command is not None, f"unknown command in README: {args[0]}"
    command.make_context(args[0], list(args[1:]))  # raises on unknown options or arguments
