"""The bytes of a model file and the text checks JSON parsing leaves out: what ``load`` reads
(never a device, at most :data:`MAX_MODEL_FILE_BYTES`) and strings no output can print."""

from __future__ import annotations

import os
import re
import stat
from typing import Any

from logistic.exceptions import ModelFileError

__all__ = ["MAX_MODEL_FILE_BYTES", "first_unencodable", "read_model_bytes"]

#: The most bytes ``load`` reads (512 MiB): far above any model's JSON (a 1,000-class model
#: of 10,000 features with its statistics is ~ 500 MB), and a bound on what reading a
#: FIFO fed forever or a mistaken huge file can allocate.
MAX_MODEL_FILE_BYTES = 512 * 2**20

# Lone surrogates come only from \ud800-\udfff escapes: the document is walked only then.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def read_model_bytes(name: str) -> bytes:
    """The content of the model file ``name``: a ModelFileError for a missing or unreadable
    file, a device (/dev/zero would be read without end) or more than 512 MiB."""
    try:
        mode = os.stat(name).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise ModelFileError(f"{name} is not a logistic model file: it is a device, not a file")
        with open(name, "rb") as file:
            data = file.read(MAX_MODEL_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ModelFileError(f"model file {name} does not exist") from None
    except OSError as error:
        raise ModelFileError(
            f"cannot read model file {name}: {error.strerror or error}"
        ) from error
    if len(data) > MAX_MODEL_FILE_BYTES:
        raise ModelFileError(
            f"{name} is not a logistic model file: it holds more than "
            f"{MAX_MODEL_FILE_BYTES // 2**20} MiB, the most a model file is read to"
        )
    return data


def first_unencodable(document: Any, text: str) -> str | None:
    """An excerpt of the first string (key or value) of the parsed JSON ``document`` (from
    ``text``) that UTF-8 cannot encode: a ``\\ud800`` escape decodes to a lone surrogate,
    which no terminal, file or model name can carry."""
    if not _SURROGATE_ESCAPE.search(text):
        return None
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return ascii(item[:40])
    return None
