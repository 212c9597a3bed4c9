"""`--wait` for management commands: run in this process when no worker is up, draw a progress bar."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TextIO

from django.core.management.base import OutputWrapper

from anemone.runs import services
from anemone.runs.models import Run, RunStatus


def cluster_running() -> bool:
    """Is a django-q2 cluster alive to pick the task up?"""
    from django_q.status import Stat

    try:
        return bool(Stat.get_all())
    except Exception:  # broker not reachable: run here
        return False


def bar(run: Run, width: int = 30) -> str:
    filled = int(width * run.percent / 100)
    detail = f" {run.current_item[:40]}" if run.current_item and run.is_active else ""
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {run.percent:5.1f}% {run.status}{detail}"


def wait_for(run: Run, out: TextIO | OutputWrapper, execute_here: Callable[[], None] | None = None, poll: float = 0.5) -> Run:
    """Draw the run's bar until it ends: run `execute_here` in this process, or poll a worker's progress."""
    # Django's OutputWrapper ends every write with a newline; the bar redraws one line with "\r".
    write = partial(out.write, ending="") if isinstance(out, OutputWrapper) else out.write

    def draw(current: Run) -> None:
        write(bar(current).ljust(100))
        out.flush()

    if execute_here is not None:
        services.progress_listeners.append(draw)
        try:
            execute_here()
        finally:
            services.progress_listeners.remove(draw)
    while True:
        run.refresh_from_db()
        draw(run)
        if not run.is_active:
            break
        time.sleep(poll)
    out.write("\n")
    return run


def exit_code(run: Run) -> int:
    return 0 if run.status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED) else 1


def wait_and_report(run: Run, out: OutputWrapper, task_path: str, *, here: bool, verb: str) -> Run:
    """A command's `--wait`: draw the bar (running the task in this process when no worker is up), print the
    run's message, and exit non-zero with its first line unless the run succeeded."""
    from django.core.management.base import CommandError

    run = wait_for(run, out, (lambda: services.dispatch(run, task_path, inline=True)) if here else None)
    text = run.shown_message  # in the command's language, like the pages
    out.write(text)
    if exit_code(run):
        raise CommandError(f"{verb} {run.status}: {text.splitlines()[0] if text else ''}")
    return run
