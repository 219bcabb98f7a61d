"""A rich progress bar on standard error for long operations, shown only when standard
error is a terminal (never in pipes, CI logs or tests).  Libraries take a plain
``progress`` callback; this module is the only place that draws it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STAGE_LABELS = {
    "hash": "Hashing files",
    "read": "Reading files",
    "validate": "Checking records",
    "import": "Importing rows",
}


@contextmanager
def stage_progress(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield ``progress(stage, done, total)`` drawing a bar per stage, or None when
    standard error is not a terminal (or ``enabled`` is False)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update
