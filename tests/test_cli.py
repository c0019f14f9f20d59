"""The `wijkbrug` command: every subcommand answers --help; bad input gets a clear error."""

import subprocess
import sys

import pytest

from bot.cli import build_parser

SUBCOMMANDS = ["train", "chat", "serve", "actions", "run", "eval-nlu", "content-review"]


def run_cli(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, **kwargs
    )


def test_top_level_help_lists_every_subcommand():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_help(name):
    result = run_cli(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"usage: wijkbrug {name}" in result.stdout


def test_installed_console_script_is_the_same_command():
    import shutil

    script = shutil.which("wijkbrug") or str(__import__("pathlib").Path(sys.executable).parent / "wijkbrug")
    result = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "usage: wijkbrug" in result.stdout


def test_chat_rejects_a_bad_clock_before_loading_anything():
    result = run_cli("chat", "--json", "--now", "tomorrow evening", input="hoi\n")
    assert result.returncode != 0
    assert "not an ISO-8601 time" in result.stderr


def test_unknown_subcommand_is_an_error():
    assert build_parser().parse_known_args(["chat"])[0].command == "chat"
    assert run_cli("dance").returncode == 2
