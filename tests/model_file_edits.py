"""Edits of a parsed model file for the refusal tests (imported as ``model_file_edits``:
pytest puts tests/, tests/conftest.py's folder, on the path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def set_field(path: str, value: Any) -> Callable[[dict], None]:
    """An edit that sets the field at the dotted ``path`` ("statistics.rank") to ``value``."""

    def edit(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        target[last] = value

    return edit
