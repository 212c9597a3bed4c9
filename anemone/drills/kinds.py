"""``DrillKind``: the run kind of a restore drill, one per backup kind ("<backup kind>-drill").

Each backup app subclasses it in its ``drill.py`` with the two things only it knows — how to list a person's
newest copy (``newest_copy``) and how to restore chosen files of it into a folder (``fetch``), both through its
own restore code and engine wrapper — and registers it. The body, the judging, the messages and the schedule
are here, once. A drill's target is the backup kind's target (Run.target_id is the same id).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q

from anemone.drills import core
from anemone.runs import messages, registry
from anemone.runs import services as runs
from anemone.runs.messages import msg
from anemone.runs.models import ACTIVE_STATUSES, Run, RunItem, RunStatus
from anemone.runs.registry import RunKind
from anemone.runs.services import Outcome, Tracker

STEP_LIST, STEP_RESTORE, STEP_COMPARE = "drills.step_list", "drills.step_restore", "drills.step_compare"
MAX_PATHS_SHOWN = 5


class DrillError(Exception):
    """A step of one person's drill failed: ``error`` (a message or the engine's own words), ``hint`` (a
    message: what to do), ``damaged`` (the copy itself is bad, not merely out of reach), ``stop`` (the whole
    destination is out of reach: the next person would fail alike, so the drill stops here)."""

    def __init__(self, error: dict[str, Any] | str, hint: dict[str, Any] | None = None, *, damaged: bool = False,
                 stop: bool = False):
        self.error = error if isinstance(error, dict) else msg("runs.text", text=error)
        self.hint = hint or msg("drills.hint_damaged" if damaged else "drills.hint_reach")
        self.damaged, self.stop = damaged, stop
        super().__init__(messages.english(self.error["code"], self.error["params"]))


class DrillKind(RunKind):
    """Subclasses set ``name``, ``label``, ``backup_kind``, ``target_model`` and implement the two methods."""

    drill = True
    backup_kind: ClassVar[str]

    def newest_copy(self, target: Any, person: Any) -> core.Copy | None:
        """The person's newest copy at the target (None: nothing yet). Raise DrillError when unreadable."""
        raise NotImplementedError

    def fetch(self, target: Any, person: Any, copy: core.Copy, files: list[core.CopiedFile], into: Any) -> None:
        """Restore exactly ``files`` of ``copy`` into ``into`` at their paths. Raise DrillError when the engine
        reports an error (files it did restore may stay: they are judged all the same)."""
        raise NotImplementedError

    def repair(self, target: Any, person: Any) -> dict[str, Any] | None:
        """After damage was found: repair what the engine can; a message saying what was done (None: nothing)."""
        return None

    # The target is the backup kind's: loaded and named the same way.
    def load(self, target_id: int) -> Any:
        return registry.get(self.backup_kind).load(target_id)

    def label_for(self, target: Any) -> str:
        return registry.get(self.backup_kind).label_for(target)

    def people(self, target: Any) -> list[Any]:
        return list(target.carried_users().order_by("username"))

    def backup_active(self, target_id: int) -> Run | None:
        """The backup of this target that is queued or running, if any (a drill never runs beside one)."""
        return Run.objects.filter(kind=self.backup_kind, target_id=target_id, status__in=ACTIVE_STATUSES).first()

    def backup_interfered(self, run: Run) -> bool:
        """A backup of the target is active now or ran since this drill started: what the drill saw may be the
        backup's doing (a prune removing packs, a sync moving files to .versions/), not damage."""
        since = run.started_at or run.queued_at
        return Run.objects.filter(kind=self.backup_kind, target_id=run.target_id).filter(
            Q(status__in=ACTIVE_STATUSES) | Q(started_at__gte=since) | Q(finished_at__gte=since)).exists()

    def precheck(self, run: Run) -> dict[str, Any] | None:
        if self.load(run.target_id) is None:
            return msg("drills.target_gone")
        if self.backup_active(run.target_id) is not None:
            return msg("drills.backup_running")
        return None

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        return drill_body(self, run, tracker)


def drill_body(kind: DrillKind, run: Run, tracker: Tracker) -> Outcome:
    target = kind.load(run.target_id)
    if target is None:
        return Outcome(status=RunStatus.FAILED, code="drills.target_gone")
    people = kind.people(target)
    failures: list[dict[str, Any]] = []
    checked = drilled = 0
    interrupted = False
    for index, person in enumerate(people):
        if kind.backup_active(run.target_id) is not None:  # a backup started: it goes first, the drill comes back
            interrupted = True
            break
        tracker.progress(percent=100.0 * index / max(1, len(people)), current_item=person.username, force=True)
        item = runs.start_item(run, user=person)
        said, stop = drill_person(kind, run, tracker, target, person, item)
        if item.status == RunStatus.SKIPPED:
            if stop:  # a backup got in the way: it goes first, the drill comes back within the hour
                interrupted = True
                break
            continue
        drilled += 1
        checked += int(item.stats.get("checked", 0))
        if said is not None:
            failures.append(said)
        if stop:
            break
    run.files_done = checked
    run.bytes_done = sum(int(i.stats.get("bytes", 0)) for i in run.items.all())
    count = msg("runs.people", count=drilled)
    if failures:
        whole = messages.lines(msg("drills.failed", failed=len(failures), people=count), *failures)
        return Outcome(status=RunStatus.FAILED, code=whole["code"], params=whole["params"],
                       errors=[messages.english(f["code"], f["params"]) for f in failures])
    if interrupted:  # what was found before the backup started stands (above); otherwise no verdict
        return Outcome(status=RunStatus.SKIPPED, code="drills.backup_started")
    if not drilled:
        return Outcome(status=RunStatus.SKIPPED, code="drills.nothing_to_check")
    return Outcome(code="drills.passed", params={"checked": checked, "people": count})


def drill_person(kind: DrillKind, run: Run, tracker: Tracker, target: Any, person: Any,
                 item: RunItem) -> tuple[dict[str, Any] | None, bool]:
    """One person's drill; their item records it. Returns the run-wide line of a failure (no file names), and
    whether the destination is out of reach (stop: the others would fail alike)."""
    step = STEP_LIST
    copy: core.Copy | None = None
    try:
        copy = kind.newest_copy(target, person)
        if copy is None or not copy.files:
            runs.finish_item(item, status=RunStatus.SKIPPED, code="drills.no_copy", params={"user": person.username},
                             checked=0, mismatched=0, missing=0, bytes=0, mode=core.INTEGRITY)
            return None, False
        chosen = core.sample(copy.files, core.seed_for(run.pk, person.username))
        tracker.log(f"{person.username}: {len(chosen)} of {len(copy.files)} files of copy {copy.ref[:8]}")
        with core.scratch(core.scratch_root()) as folder:
            step = STEP_RESTORE
            failure: DrillError | None = None
            try:
                kind.fetch(target, person, copy, chosen, folder)
            except DrillError as exc:
                failure = exc
                tracker.log(f"{person.username}: restore reported: {exc}")
            step = STEP_COMPARE
            verdict = core.judge(chosen, folder)
    except DrillError as exc:
        return _person_error(kind, item, person, copy, step, exc, tracker), exc.stop
    for path in verdict.bad_paths:
        tracker.log(f"{person.username}: FAILED {path}")
    params: dict[str, Any] = {"copy": copy.ref[:8], "checked": verdict.checked}
    stats: dict[str, Any] = {**verdict.stats(), "copy": copy.ref, "seed": core.seed_for(run.pk, person.username)}
    if not verdict.failed and failure is None:
        how = msg("drills.mode_compared" if verdict.mode == core.COMPARED else "drills.mode_integrity")
        runs.finish_item(item, status=RunStatus.SUCCEEDED, files=verdict.checked, bytes_=verdict.bytes,
                         code="drills.person_passed", params={**params, "how": how}, **stats)
        return None, False
    if kind.backup_interfered(run):  # not a verdict on the copy: nothing is recorded as damage, nothing repaired
        runs.finish_item(item, status=RunStatus.SKIPPED, code="drills.backup_started", **stats)
        return None, True
    hint = failure.hint if failure is not None else msg("drills.hint_damaged")
    repaired = kind.repair(target, person) if failure is None or failure.damaged else None
    if repaired is not None:
        hint = repaired
    if not verdict.failed:  # everything compared fine, yet the engine reported an error about this copy
        assert failure is not None
        return _person_error(kind, item, person, copy, STEP_RESTORE, failure, tracker, stats=stats, hint=hint), False
    shown = verdict.bad_paths[:MAX_PATHS_SHOWN] + (["…"] if len(verdict.bad_paths) > MAX_PATHS_SHOWN else [])
    runs.finish_item(item, status=RunStatus.FAILED, files=verdict.checked, bytes_=verdict.bytes, errors=verdict.failed,
                     code="drills.person_failed",
                     params={**params, "bad": verdict.failed, "mismatched": verdict.mismatched,
                             "missing": verdict.missing, "paths": ", ".join(shown), "hint": hint}, **stats)
    return msg("drills.run_person_failed", user=person.username, bad=verdict.failed, checked=verdict.checked,
               step=msg(STEP_RESTORE if failure is not None else STEP_COMPARE), hint=hint), False


def _person_error(kind: DrillKind, item: RunItem, person: Any, copy: core.Copy | None, step: str, exc: DrillError,
                  tracker: Tracker, *, stats: dict[str, Any] | None = None,
                  hint: dict[str, Any] | None = None) -> dict[str, Any]:
    tracker.log(f"{person.username}: {messages.english(step)}: {exc}")
    hint = hint or exc.hint
    base = stats or {"checked": 0, "mismatched": 0, "missing": 0, "bytes": 0, "mode": core.INTEGRITY}
    runs.finish_item(item, status=RunStatus.FAILED, errors=1, code="drills.person_unrestorable",
                     params={"copy": copy.ref[:8] if copy else "—", "step": msg(step), "error": exc.error,
                             "hint": hint}, **base)
    if step != STEP_LIST:  # the engine's words about restoring may name the person's files: not run-wide
        return msg("drills.run_person_failed", user=person.username, bad=int(base.get("checked") or 1),
                   checked=int(base.get("checked") or 1), step=msg(step), hint=hint)
    return msg("drills.run_person_error", user=person.username, step=msg(step), error=exc.error, hint=hint)
