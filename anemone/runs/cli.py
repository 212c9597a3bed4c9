"""Commands that start runs: one base (RunCommand), one `--wait` (run in this process when no worker is up,
draw a progress bar), one exit-code table."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

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


# One table for every command that waits for a run (documented in docs/operations.md, "Scripts").
EXIT_CODES: dict[str, int] = {RunStatus.SUCCEEDED: 0, RunStatus.FAILED: 1, RunStatus.INTERRUPTED: 1,
                              RunStatus.SKIPPED: 3, RunStatus.PARTIAL: 4}


def exit_code(run: Run) -> int:
    return EXIT_CODES.get(run.status, 1)


def worst(codes: list[int]) -> int:
    """Several runs (every peer): failed beats partial beats skipped beats succeeded."""
    for code in (1, 4, 3):
        if code in codes:
            return code
    return 0


def first_line(run: Run) -> str:
    text = run.shown_message  # in the command's language, like the pages
    return f"{run.status}: {text.splitlines()[0] if text else ''}".strip()


def wait_and_report(run: Run, out: OutputWrapper, *, here: bool, bar_out: OutputWrapper | None = None) -> int:
    """A command's ``--wait``: draw the bar on ``bar_out`` (stderr; the run executes in this process when no
    worker is up, else the worker's progress is followed), print "<status>: <message>" on ``out`` and
    return the run's exit code (EXIT_CODES)."""
    run = wait_for(run, bar_out or out, (lambda: services.hand_over(run, inline=True)) if here else None)
    text = run.shown_message
    out.write(f"{run.status}: {text}" if text else run.status)  # the outcome first: scripts read one line
    return exit_code(run)


class RunCommand(BaseCommand):
    """Base of the commands that start runs (``cloud_sync``, ``backup_now``, ``usb_backup_now``, restores).

    Subclasses add their arguments and implement ``requests(options)``: the runs to start, as
    (label, start) pairs where ``start(queue)`` calls ``runs.request(..., trigger=Trigger.CLI, queue=queue)``.
    Without ``--wait`` each run is queued and its id printed; with ``--wait`` the bar is drawn on stderr,
    the message printed, and the command exits with EXIT_CODES (the worst of its runs).
    """

    wait_help = "draw the progress bar and exit with the run's result (0 succeeded, 1 failed, 3 skipped, 4 partial)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--wait", action="store_true", help=self.wait_help)

    def requests(self, options: dict[str, Any]) -> list[tuple[str, Callable[[bool], Run]]]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        wait = options["wait"]
        here = wait and not cluster_running()
        codes: list[int] = []
        failures: list[str] = []
        for label, start in self.requests(options):
            prefix = f"{label}: " if label else ""
            try:
                run = start(not here)
            except services.RunActive as exc:
                raise CommandError(f"{prefix}{exc}") from exc
            if not wait:
                self.stdout.write(f"{prefix}queued run {run.pk}")
                continue
            if label:
                self.stdout.write(f"{label}:")
            codes.append(wait_and_report(run, self.stdout, here=here, bar_out=self.stderr))
            if codes[-1]:
                failures.append(f"{prefix}{first_line(Run.objects.get(pk=run.pk))}")
        if code := worst(codes):
            raise CommandError("; ".join(failures), returncode=code)
