"""The run lifecycle, in one place: start → begin → progress → finish | fail, and recovery.

Every kind only implements a body (``RunKind.body(run, tracker) -> Outcome``, anemone/runs/registry.py);
``request`` starts a run of any kind and ``execute`` owns the rest:
the queued→running transition (conditional update, so a redelivered task does nothing), a heartbeat
so a SIGKILLed worker's run is later marked interrupted, the throttled progress writes, and turning
any exception into a readable message on the run.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anemone.engines.proc import pid_alive
from anemone.runs import messages, registry
from anemone.runs.models import ACTIVE_STATUSES, Run, RunItem, RunStatus, Trigger
from anemone.runs.registry import RunKind

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10
STALE_AFTER_SECONDS = 90
PROGRESS_MIN_INTERVAL = 1.0
LOG_TAIL_LINES = 200
# A lost database connection (PostgreSQL restarted, network cut): Django does not reconnect by itself inside a
# task, so every later query of this worker would fail too and the run would stay "running".
CONNECTION_ERRORS = (OperationalError, InterfaceError)
FINALISE_RETRY_SECONDS = 60
DATABASE_LOST = messages.english("runs.interrupted_database")


class RunActive(Exception):
    """A run of this target is already queued or running."""

    def __init__(self, run: Run | None):
        self.run = run
        super().__init__(_("A run of this target is already queued or running.") + (f" (#{run.pk})" if run else ""))


class StepError(Exception):
    """A failure of one named step, with what the person should do about it.

    ``code``/``params``: the same failure as data (anemone.runs.messages), shown in the reader's language;
    step, message and hint may then be given as messages (``messages.msg(...)``) instead of text.
    """

    def __init__(self, step: str, message: str, hint: str = "", *, code: str = "",
                 params: dict | None = None):
        self.step, self.message, self.hint = step, message, hint
        self.code, self.params = code, params or {}
        super().__init__(self.human())

    @classmethod
    def of(cls, step: dict, message: dict | str, hint: dict | None = None) -> StepError:
        """The failure as data: ``step`` and ``hint`` are messages (``messages.msg``), ``message`` a message or
        an engine's own words. The English (log, ``message`` column) is rendered from them, so no body writes
        a text twice."""
        params: dict[str, Any] = {"step": step, "message": message, **({"hint": hint} if hint else {})}
        text = {name: part if isinstance(part, str) else messages.english(part["code"], part["params"])
                for name, part in params.items()}
        return cls(text["step"], text["message"], text.get("hint", ""),
                   code="runs.step_error_hint" if hint else "runs.step_error", params=params)

    def as_data(self) -> tuple[str, dict]:
        """(code, params) of the whole failure, for the Run's message."""
        if self.code:
            return self.code, self.params
        params = {"step": self.step, "message": self.message}
        if self.hint:
            return "runs.step_error_hint", {**params, "hint": self.hint}
        return "runs.step_error", params

    def human(self) -> str:
        text = f"{self.step}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


@dataclass
class Outcome:
    """What a run body reports back; status is derived from errors unless given."""

    message: str = ""
    status: str | None = None
    errors: list[str] = field(default_factory=list)
    code: str = ""  # the message as data (anemone.runs.messages); `message` may then stay empty
    params: dict = field(default_factory=dict)


def forget_connection() -> None:
    """Drop this thread's database connection after it broke, so that the next query opens a new one."""
    try:
        connection.close()
    except CONNECTION_ERRORS:
        pass


def _worker_identity() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def start(kind: str, target_id: int, *, label: str = "", trigger: str = Trigger.MANUAL,
          user=None, options: dict | None = None) -> Run:
    """Create the queued Run of a target, or raise RunActive. The database enforces uniqueness."""
    reap_stale(kind=kind, target_id=target_id)
    try:
        with transaction.atomic():
            return Run.objects.create(
                kind=kind, target_id=target_id, target_label=label[:128], trigger=trigger,
                requested_by=user if user and user.pk else None, options=options or {},
            )
    except IntegrityError:
        active = Run.objects.filter(kind=kind, target_id=target_id, status__in=ACTIVE_STATUSES).first()
        raise RunActive(active) from None


def skip(run: Run, message: str, *, code: str = "", params: dict | None = None) -> Run:
    """Record a run that had nothing to do on purpose (e.g. its USB drive is absent)."""
    return _finalise(run, RunStatus.SKIPPED, message, code, params)


# Callbacks told of every progress write of runs executing in this process (the CLI's progress bar).
progress_listeners: list[Callable[[Run], None]] = []


class Tracker:
    """Throttled progress and log tail of one running Run (≤ 1 DB write per second)."""

    def __init__(self, run: Run):
        self.run = run
        self.lines: deque[str] = deque(run.log_tail.splitlines()[-LOG_TAIL_LINES:], maxlen=LOG_TAIL_LINES)
        self._last_write = 0.0
        self._lock = threading.Lock()

    def log(self, line: str) -> None:
        with self._lock:
            self.lines.append(line[:1000])

    def progress(self, *, force: bool = False, **values: object) -> None:
        """Set any of percent, current_item, bytes_done, bytes_total, files_done, files_total."""
        for name, value in values.items():
            if value is not None:
                setattr(self.run, name, value)
        now = time.monotonic()
        if force or now - self._last_write >= PROGRESS_MIN_INTERVAL:
            self.flush()
            self._last_write = now

    def flush(self) -> None:
        with self._lock:
            self.run.log_tail = "\n".join(self.lines)
        self.run.progress_updated_at = timezone.now()
        for listener in progress_listeners:
            listener(self.run)
        try:
            Run.objects.filter(pk=self.run.pk, status=RunStatus.RUNNING).update(
                percent=min(max(self.run.percent, 0.0), 100.0), current_item=self.run.current_item[:512],
                bytes_done=self.run.bytes_done, bytes_total=self.run.bytes_total, files_done=self.run.files_done,
                files_total=self.run.files_total, log_tail=self.run.log_tail,
                progress_updated_at=self.run.progress_updated_at, heartbeat_at=timezone.now(),
            )
        except CONNECTION_ERRORS:  # the work goes on; the next progress write reconnects
            log.warning("progress of run %s not saved: database connection lost", self.run.pk)
            forget_connection()


def begin(run_id: int) -> Run | None:
    """queued → running, only once: a redelivered or duplicate task gets None and does nothing."""
    host, pid = _worker_identity()
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, worker_host=host, worker_pid=pid
    )
    return Run.objects.get(pk=run_id) if claimed else None


def _heartbeat(run_id: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                Run.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())
            except Exception:  # a busy database must not kill the run; the next beat retries
                log.warning("heartbeat of run %s failed", run_id, exc_info=True)
                close_old_connections()
    finally:
        connection.close()  # this thread's own connection


def execute(run_id: int, body: Callable[[Run, Tracker], Outcome] | None = None) -> Run | None:
    """Execute a queued Run: claim it, its kind's precheck, then the body (the kind's, unless given);
    record how it ended. Never raises for the body's failures."""
    run = begin(run_id)
    if run is None:
        log.info("run %s is not queued any more; nothing to do", run_id)
        return None
    if body is None:
        try:
            kind = registry.get(run.kind)
        except KeyError:
            return _finalise(run, RunStatus.FAILED, f"Unknown run kind {run.kind!r}: is its app still installed?")
        try:
            reason = kind.precheck(run)
        except Exception as exc:  # the precheck looks at the world (drives, peers): it must not strand the run
            log.exception("precheck of run %s crashed", run_id)
            return _finalise(run, RunStatus.FAILED, f"Unexpected error before starting: {exc}")
        if isinstance(reason, dict):  # a message: code + params (anemone.runs.messages.msg)
            return skip(run, "", code=reason["code"], params=reason.get("params") or {})
        if reason:
            return skip(run, reason)
        body = kind.body
    tracker = Tracker(run)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(run_id, stop), daemon=True)
    beat.start()
    try:
        outcome = body(run, tracker)
    except StepError as exc:
        tracker.log(exc.human())
        code, params = exc.as_data()
        outcome = Outcome(status=RunStatus.FAILED, message=exc.human(), code=code, params=params)
    except CONNECTION_ERRORS:
        log.warning("run %s lost its database connection", run_id, exc_info=True)
        forget_connection()
        tracker.log(DATABASE_LOST)
        outcome = Outcome(status=RunStatus.INTERRUPTED, code="runs.interrupted_database")
    except Exception as exc:  # the run must end readable, whatever happened
        log.exception("run %s crashed", run_id)
        tracker.log(traceback.format_exc(limit=5))
        outcome = Outcome(status=RunStatus.FAILED, code="runs.unexpected_error", params={"error": str(exc)})
    finally:
        stop.set()
    tracker.flush()
    status = outcome.status or (RunStatus.PARTIAL if outcome.errors else RunStatus.SUCCEEDED)
    if status == RunStatus.SUCCEEDED:
        run.percent = 100.0
    # A coded outcome's English column is its own rendering (its errors are among its lines), not the errors alone.
    english = outcome.message or ("" if outcome.code else "\n".join(outcome.errors[:20]))
    return _finalise(run, status, english, outcome.code, outcome.params)


def _finalise(run: Run, status: str, message: str, code: str = "",
              params: dict | None = None) -> Run:
    """Record how the run ended; through a database restart, retried on a new connection for a minute (past
    that, the reaper marks it interrupted once its heartbeat is stale)."""
    deadline = time.monotonic() + FINALISE_RETRY_SECONDS
    while True:
        try:
            return _record_end(run, status, message, code, params or {})
        except CONNECTION_ERRORS:
            if time.monotonic() > deadline:
                raise
            log.warning("the end of run %s could not be saved yet: database connection lost; retrying", run.pk)
            forget_connection()
            time.sleep(2)


def _record_end(run: Run, status: str, message: str, code: str, params: dict) -> Run:
    now = timezone.now()
    if code and not message:
        message = messages.english(code, params)
    percent = 100.0 if status == RunStatus.SUCCEEDED else run.percent
    Run.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES).update(
        status=status, finished_at=now, message=message[:10000], message_code=code, message_params=params,
        percent=percent,
        files_done=run.files_done, bytes_done=run.bytes_done,
    )
    RunItem.objects.filter(run=run, status=RunStatus.RUNNING).update(status=RunStatus.INTERRUPTED, finished_at=now)
    run.refresh_from_db()
    return run


def reap_stale(kind: str | None = None, target_id: int | None = None) -> int:
    """Mark interrupted the runs whose worker died: same-host dead PID, or no heartbeat for 90 s.

    Queued runs are left alone unless they waited longer than the task retry window (their task was
    lost with the broker).
    """
    qs = Run.objects.filter(status__in=ACTIVE_STATUSES)
    if kind is not None and target_id is not None:
        qs = qs.filter(kind=kind, target_id=target_id)
    host, _pid = _worker_identity()
    now = timezone.now()
    queued_limit = now - timedelta(seconds=cast(int, settings.Q_CLUSTER["retry"]) + 600)
    reaped = 0
    for run in qs:
        if run.status == RunStatus.RUNNING:
            dead = (run.worker_host == host and run.worker_pid and not pid_alive(run.worker_pid))
            silent = run.heartbeat_at is None or (now - run.heartbeat_at).total_seconds() > STALE_AFTER_SECONDS
            if not (dead or silent):
                continue
            code = "runs.interrupted_worker"
        elif run.queued_at < queued_limit:
            code = "runs.interrupted_never_picked"
        else:
            continue
        reaped += Run.objects.filter(pk=run.pk, status=run.status).update(
            status=RunStatus.INTERRUPTED, finished_at=now, message=messages.english(code), message_code=code,
            message_params={})
        RunItem.objects.filter(run=run, status=RunStatus.RUNNING).update(
            status=RunStatus.INTERRUPTED, finished_at=now)
    return reaped


def start_item(run: Run, *, user=None, label: str = "") -> RunItem:
    return RunItem.objects.create(run=run, user=user, label=label or (user.username if user else ""))


def finish_item(item: RunItem, *, status: str, files: int = 0, bytes_: int = 0, errors: int = 0,
                message: str = "", code: str = "", params: dict | None = None,
                **stats: object) -> RunItem:
    """End one item; with ``code`` the message is data (shown in the reader's language), else plain text."""
    item.status, item.files, item.bytes, item.errors = status, files, bytes_, errors
    item.message_code, item.message_params = code, params or {}
    item.message = (message or (messages.english(code, params) if code else ""))[:5000]
    item.stats.update({k: v for k, v in stats.items() if v is not None})
    item.finished_at = timezone.now()
    item.save()
    return item


EXECUTE_TASK = "anemone.runs.tasks.execute"


def request(kind: str | RunKind, target: Any = None, *, trigger: str = Trigger.MANUAL, user=None,
            options: dict | None = None, inline: bool = False, queue: bool = True, label: str = "") -> Run:
    """The one way to start a run of any kind: the web, the API, the CLI and schedules all come here.

    ``target`` is the kind's target (an instance or its primary key; None for kinds without one). The queued
    Run is created (or RunActive raised: one active run per target, enforced by the database), the kind's
    ``prepare`` runs, then the run goes to a django-q2 worker — or executes here with ``inline=True`` (a
    ``--wait`` with no worker up). ``queue=False`` only creates the Run (the caller hands it over later).
    """
    kind = registry.get(kind) if isinstance(kind, str) else kind
    if isinstance(target, int):
        loaded = kind.load(target)
        if loaded is None and kind.target_model is not None:
            raise LookupError(f"{kind.name} target {target} does not exist")
        target_id, target = target, loaded
    else:
        target_id = int(getattr(target, "pk", 0) or 0)
    run = start(kind.name, target_id, label=label or kind.label_for(target), trigger=trigger, user=user,
                options={**kind.default_options, **(options or {})})
    kind.prepare(run, target)
    if inline or queue:
        hand_over(run, inline=inline)
    if inline:
        run.refresh_from_db()
    return run


def hand_over(run: Run, *, inline: bool = False) -> None:
    """Give a queued run to a django-q2 worker (or execute it in this process)."""
    if inline:
        execute(run.pk)
        return
    from django_q.tasks import async_task

    async_task(EXECUTE_TASK, run.pk, task_name=f"{run.kind}-{run.target_id}-run-{run.pk}", group=run.kind)


def visible_runs(user):
    """Runs a person may see: all for admins, else those about them (an item) or asked for by them
    (a restore they queued has no item until a worker starts it)."""
    if user.is_staff:
        return Run.objects.all()
    return Run.objects.filter(Q(items__user=user) | Q(requested_by=user)).distinct()


def last_runs_by_target(kind: str, *, where: Q | None = None) -> dict[int, Run]:
    """The newest run of each target of this kind (only among runs matching `where`, e.g. the last success)."""
    latest: dict[int, Run] = {}
    runs = Run.objects.filter(kind=kind) if where is None else Run.objects.filter(where, kind=kind)
    for run in runs.order_by("target_id", "-queued_at"):
        latest.setdefault(run.target_id, run)
    return latest
