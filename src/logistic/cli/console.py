"""The console a command prints its results on (rich only: made before any heavy import,
so that an early error costs no more than parsing)."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout_console() -> Console:
    """The console of a command's results: standard output as it is at call time."""
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 120)  # pipes and files: do not squeeze tables
    return console
