"""Atomic file writes: a path holds either its old complete content or the new one.

The new content goes to a temporary file in the target's directory, which is flushed and
fsynced and then renamed over the target with ``os.replace`` (atomic on POSIX and Windows);
the directory is fsynced so the rename survives a power loss. Only a hard crash mid-write can
leave a stray ``.<name>.*.tmp`` file beside the target, never a partial target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from typing import TextIO

__all__ = ["write_atomically"]


def write_atomically(
    path: str | os.PathLike[str], write: Callable[[TextIO], object], *, what: str = "the file"
) -> None:
    """Writes ``path`` through ``write(handle)``: a temporary file in the same directory,
    flushed and fsynced, then ``os.replace``-d onto ``path``.

    A missing directory is a FileNotFoundError (NotADirectoryError for a file in its place)
    naming ``what`` is being saved; any failure removes the temporary file and leaves an
    existing ``path`` untouched. Through a symlink the target file is replaced and the link
    kept; the existing file's permissions are kept too. An existing ``path`` that is not a
    regular file (a device such as /dev/null, a FIFO, a socket, through symlinks too) is a
    FileExistsError and stays as it is.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)  # through a symlink: replace the file, keep the link
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise NotADirectoryError(
                f"cannot save {what} to {path}: {directory} is not a directory"
            )
        raise FileNotFoundError(
            f"cannot save {what} to {path}: the directory {directory} does not exist"
        )
    _check_regular(path, target, what)
    mode = _file_mode(target)
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            newline="\n",
            dir=directory,
            prefix=f".{os.path.basename(target)}.",
            suffix=".tmp",
            delete=False,
        ) as file:
            temporary = file.name
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _check_regular(path: str, target: str, what: str) -> None:
    """A FileExistsError unless ``target`` is absent or a regular file: replacing a device
    (/dev/null), a FIFO or a socket by a regular file would break what the user set up
    there, so nothing is written."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    except OSError:
        return  # unreadable: the write itself reports why
    if not stat.S_ISREG(mode):
        raise FileExistsError(
            errno.EEXIST,
            f"cannot save {what} to {path}: it is not a regular file (a device, FIFO or "
            "socket), and only regular files are written",
        )


def _file_mode(target: str) -> int:
    """The existing file's permissions, else what open() would give a new file (0o666 & ~umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # os.umask can only be read by setting it, which races with other threads: ask /proc.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _fsync_directory(directory: str) -> None:
    """Makes the rename durable; skipped where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
