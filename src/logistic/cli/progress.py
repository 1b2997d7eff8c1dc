"""The live progress line of a long ``fit``, on stderr when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

#: A fit shows its progress once it has run this long (seconds), on a terminal only.
PROGRESS_DELAY_S = 1.0


class FitProgress:
    """The live progress line of a long fit: iteration, loss J, ‖∇J‖∞, passes over the data
    and the elapsed time, drawn by rich on ``console`` (stderr).

    Called as the estimator's ``callback(iteration, state)``. Nothing is drawn until the fit
    has run ``delay`` seconds, so a quick fit leaves no trace; ``close()`` (or leaving the
    ``with`` block) stops the display and leaves its last line.
    """

    def __init__(
        self, console: Console, max_iter: int, delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console, self.max_iter, self.clock = console, max_iter, clock
        self.delay = PROGRESS_DELAY_S if delay is None else delay
        self.start = clock()
        self._progress: Progress | None = None
        self._task = None

    def __call__(self, iteration: int, state: dict) -> None:
        if self._progress is None:
            if self.clock() - self.start < self.delay:
                return
            self._open()  # drawn from the first update below, not before it
        passes = state.get("passes")
        self._progress.update(
            self._task, completed=min(iteration, self.max_iter), iteration=iteration,
            loss=f"{state['loss']:.8g}", grad_norm=f"{state['grad_norm']:.2e}",
            passes="-" if passes is None else str(passes),
        )
        if not self._progress.live.is_started:
            self._progress.start()

    def _open(self) -> None:
        # no bar: most fits stop long before max_iter, and the line fits 80 columns
        columns = (
            TextColumn("[bold]fit[/]"),
            TextColumn("iteration {task.fields[iteration]}/{task.total:.0f}"),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("‖∇J‖∞ {task.fields[grad_norm]}"),
            TextColumn("passes {task.fields[passes]}"),
            ElapsedColumn(self.start, self.clock),
        )
        # stdout (the summary, predictions) stays where it goes; warnings printed to stderr
        # during the fit appear above the line
        self._progress = Progress(*columns, console=self.console, refresh_per_second=4,
                                  redirect_stdout=False)
        self._task = self._progress.add_task(
            "fit", total=max(self.max_iter, 1), iteration=0, loss="-", grad_norm="-",
            passes="-",
        )

    def close(self) -> None:
        """Stops the display (if it started), leaving its last state on the terminal."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> FitProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class ElapsedColumn(ProgressColumn):
    """Seconds since the fit began (not since the display appeared)."""

    def __init__(self, start: float, clock: Callable[[], float]) -> None:
        super().__init__()
        self.start, self.clock = start, clock

    def render(self, task: Task) -> Text:
        return Text(f"{self.clock() - self.start:.1f} s")


@contextmanager
def fit_progress(quiet: bool, max_iter: int) -> Iterator[FitProgress | None]:
    """A :class:`FitProgress` on stderr for ``fit``, or None (no callback) when ``quiet`` or
    when stderr is not a terminal."""
    console = None if quiet else progress_console()
    if console is None:
        yield None
        return
    with FitProgress(console, max_iter) as progress:
        yield progress


def progress_console() -> Console | None:
    """A console on stderr when stderr is a terminal, else None. The check is ``isatty``
    itself: rich would also draw into a pipe when FORCE_COLOR is set."""
    stream = sys.stderr
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        terminal = False
    return Console(file=stream, highlight=False) if terminal else None
