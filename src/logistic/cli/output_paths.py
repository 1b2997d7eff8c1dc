"""Output paths, checked before any work: a command refuses to write where it would replace
an input, a device or a FIFO (imports nothing heavy, so the check is immediate)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from logistic.cli.errors import UsageError


def check_output_path(path: Path, *inputs: Path) -> Path:
    """Fails early (before any work) when ``path`` cannot be an output file, or is one of
    the command's ``inputs`` (writing there would replace what the user has).

    Results are written to regular files only: an existing device (/dev/null, /dev/full),
    FIFO or socket at ``path``, or behind a symlink there, is refused rather than replaced
    by a regular file; so is a dangling symlink (its target's name may be a typo, and
    writing through it would create a file where the user did not look).
    """
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name to write")
    if path.is_symlink() and not path.exists():
        raise UsageError(
            f"{path}: is a symlink to {os.readlink(path)}, which does not exist; results are "
            "not written through a dangling link: give a file name"
        )
    kind = special_file_kind(path)
    if kind is not None:
        raise UsageError(
            f"{path}: is {kind}, not a regular file; results are written to regular files "
            "only (predict writes to standard output without --out)"
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{path}: the directory {parent} does not exist")
    for source in inputs:
        if _same_file(path, source):
            raise UsageError(f"{path}: is also the input {source}; writing there would "
                             "replace it, so give --out another file name")
    return path


def special_file_kind(path: Path) -> str | None:
    """'a character device', 'a FIFO', ... for an existing path (through symlinks) that is
    neither a regular file nor a directory; None otherwise."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    kinds = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), None)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is absent (or unreadable): they cannot be one file
        return False
