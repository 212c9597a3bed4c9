"""Self-service restore from peers: snapshots, browsing, streamed downloads, restore into the area.

A person only ever opens their own repository, with their own key: the repository is chosen from
(target carrying them, their username), never from a path they type. Paths inside a snapshot go
through the same validation as paths of the area, and reach restic as literal paths (a file named
``*`` is that file, not a pattern). A restore puts files back at their own paths in backup/ after a
quota check (files.landing: staged out of sight first; identical files left alone; a different current
file kept, the restored one beside it) — never over existing files, never half-visible, and a path
not in the snapshot is a failure ("not in this copy"). The admin's bulk restore (after a disaster)
restores each person's latest snapshot the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from anemone.audit import services as audit
from anemone.engines import restic
from anemone.files import landing, paths
from anemone.files.usage import QuotaExceeded
from anemone.restores.registry import RestoreSource
from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, Trigger
from p2p import hints, repos
from p2p.models import PeerTarget

KIND = "p2p-restore"
BULK_KIND = "p2p-bulk-restore"
SNAPSHOT_ID = re.compile(r"^[0-9a-f]{8,64}$")


class NotCarried(LookupError):
    """This target does not carry that person (or does not exist): answered as 'not found'."""


def targets_of(person) -> list[PeerTarget]:
    return [t for t in PeerTarget.objects.select_related("peer") if t.carried_users().filter(pk=person.pk).exists()]


def target_of(person, peer_name: str) -> PeerTarget:
    """The one owner-scoped lookup used by pages, API and commands."""
    for target in targets_of(person):
        if target.peer.name == peer_name:
            return target
    raise NotCarried(peer_name)


def check_snapshot_id(snapshot_id: str) -> str:
    if not SNAPSHOT_ID.match(snapshot_id or ""):
        raise paths.PathRefused("Not a snapshot id.")
    return snapshot_id


def snapshot_path(relpath: str) -> str:
    """A path inside a snapshot ('/' = the whole backup area), validated like an area path."""
    return "/" + "/".join(paths.split_relative(relpath))


def list_snapshots(target: PeerTarget, person) -> list[restic.Snapshot]:
    """The person's snapshots on the peer, newest first (none yet: no repository before the first backup)."""
    try:
        return list(reversed(restic.snapshots(repos.repository(target, person))))
    except restic.RepositoryMissing:
        return []


def browse(target: PeerTarget, person, snapshot_id: str, relpath: str = "") -> list[restic.Node]:
    nodes = restic.ls(repos.repository(target, person), check_snapshot_id(snapshot_id), snapshot_path(relpath))
    return sorted(nodes, key=lambda n: (n.type != "dir", n.name.lower()))


def node_type(target: PeerTarget, person, snapshot_id: str, relpath: str) -> str:
    """"file" or "dir" — or FileNotFoundError: restic dump needs to know which it streams."""
    where = snapshot_path(relpath)
    if where == "/":
        return "dir"
    parent = where.rsplit("/", 1)[0] or "/"
    for node in restic.ls(repos.repository(target, person), check_snapshot_id(snapshot_id), parent):
        if node.path == where:
            return node.type
    raise FileNotFoundError("No such file or folder in this snapshot.")


def find_snapshot(target: PeerTarget, person, snapshot_id: str) -> restic.Snapshot:
    """One of the person's snapshots by id or id prefix (its time names restored files; a restore run is
    asked with its full id), else FileNotFoundError."""
    check_snapshot_id(snapshot_id)
    for snapshot in list_snapshots(target, person):
        if snapshot.id.startswith(snapshot_id):
            return snapshot
    raise FileNotFoundError("No such snapshot.")


def browse_folder(target: PeerTarget, person, snapshot_id: str,
                  relpath: str = "") -> tuple[restic.Snapshot, list[restic.Node]]:
    """(snapshot, children of the folder): a missing snapshot or folder raises FileNotFoundError instead
    of looking empty (restic lists nothing for a path not in the snapshot)."""
    snapshot = find_snapshot(target, person, snapshot_id)
    nodes = browse(target, person, snapshot.id, relpath)
    if not nodes and snapshot_path(relpath) != "/" and node_type(target, person, snapshot.id, relpath) != "dir":
        raise FileNotFoundError("Not a folder of this snapshot.")
    return snapshot, nodes


def snapshot_stats(target: PeerTarget, person,
                   snapshots: list[restic.Snapshot]) -> dict[str, dict[str, int]]:
    """{snapshot id: {"files", "bytes"}} from each snapshot's own summary (restic >= 0.17 writes it into the
    snapshot); snapshots written by an older restic have none and are absent."""
    return {s.id: {"files": s.files, "bytes": s.size or 0} for s in snapshots if s.files is not None}


def beside_name_example(snapshot: restic.Snapshot) -> str:
    """How a restored file is named when a different current version keeps its place (for the pages)."""
    return "name" + landing.beside_suffix(datetime.fromisoformat(snapshot.time[:19]).date()) + ".ext"


def download(target: PeerTarget, person, snapshot_id: str, relpath: str) -> tuple[str, str, Iterator[bytes]]:
    """(file name, content type, chunks): a file as is, a folder as a zip — streamed, never buffered."""
    kind = node_type(target, person, snapshot_id, relpath)
    where = snapshot_path(relpath)
    repo = repos.repository(target, person)
    if kind == "dir":
        name = (where.rsplit("/", 1)[-1] or f"{person.username}-{snapshot_id[:8]}") + ".zip"
        return name, "application/zip", restic.dump(repo, snapshot_id, where, archive="zip")
    return where.rsplit("/", 1)[-1], "application/octet-stream", restic.dump(repo, snapshot_id, where)


def request_restore(target: PeerTarget, person, snapshot_id: str, *, path: str = "", requested_by=None,
                    trigger: str = Trigger.MANUAL, inline: bool = False, queue: bool = True) -> Run:
    check_snapshot_id(snapshot_id)
    where = snapshot_path(path)
    return runs.request(KIND, person, label=f"{target.peer.name} → {person.username}", trigger=trigger,
                        user=requested_by, options={"target": target.pk, "snapshot": snapshot_id, "path": where},
                        inline=inline, queue=queue)


def request_bulk_restore(target: PeerTarget, usernames: list[str], *, requested_by=None,
                         trigger: str = Trigger.MANUAL, inline: bool = False, queue: bool = True) -> Run:
    """Admin, after a disaster: each chosen person's latest snapshot back into their area."""
    run = runs.request(BULK_KIND, target, trigger=trigger, user=requested_by,
                       options={"target": target.pk, "users": usernames, "bulk": True}, inline=inline, queue=queue)
    audit.record("bulk_restore_started", target, actor=requested_by, run=run.pk, users=usernames or "all")
    return run


def _fail(item, target: PeerTarget, person, exc: Exception) -> runs.StepError:
    """The person's item failed; the run step says why, with a hint for engine errors."""
    engine = isinstance(exc, restic.ResticError)
    error = hints.error_message(exc)
    detail = messages.msg("p2p.error_hint", error=error, hint=hints.hint_message(exc)) if engine else \
        messages.msg("runs.text", text=str(exc))
    runs.finish_item(item, status=RunStatus.FAILED, errors=1, code=detail["code"], params=detail["params"])
    step = messages.msg("p2p.step_restoring", user=person.username, peer=target.peer.name)
    return runs.StepError.of(step, error, hints.hint_message(exc) if engine else None)


class SnapshotNotFound(restic.SnapshotMissing):
    """The asked snapshot is not among the person's (a stale id, or 'latest' of an empty repository)."""

    def __init__(self, snapshot: str, user: str):
        self.message_data = messages.msg("p2p.no_snapshot", snapshot=snapshot, user=user)
        super().__init__(messages.render(self.message_data["code"], self.message_data["params"]))


def _restore_one(run: Run, tracker: runs.Tracker, target: PeerTarget, person, snapshot_id: str,
                 where: str) -> dict[str, Any]:
    """Restore ``where`` of a snapshot back to its own paths in backup/ (files.landing's rule: identical
    files left alone, a different current file kept and the restored one beside it); returns, as a message,
    where the files went. The space is checked twice: from the snapshot's listing before anything is
    downloaded, and from what would really land once staged; a refusal or a failure leaves nothing."""
    item = runs.start_item(run, user=person)
    repo = repos.repository(target, person)
    area = paths.area_root(person, "backup")
    area.mkdir(parents=True, exist_ok=True)
    area = area.resolve()
    stage = None
    try:
        found = [s for s in restic.snapshots(repo) if snapshot_id in ("latest", s.id, s.short_id)]
        if not found:
            raise SnapshotNotFound(snapshot_id, person.username)
        snapshot = found[-1]
        tracker.progress(current_item=f"{person.username}: restoring {where}", force=True)
        nodes = restic.tree(repo, snapshot.id, where)  # a literal path: '*' is the file named '*'
        if not nodes:
            raise landing.not_in_copy(where)
        files = [(n.path.lstrip("/"), n.size) for n in nodes if n.type == "file"]
        landing.check_room(person, "backup", landing.estimate(area, files))
        stage = landing.stage_dir(person, run.pk)
        restic.restore(repo, snapshot.id, stage, path=where)
        suffix = landing.beside_suffix(datetime.fromisoformat(snapshot.time[:19]).date())
        plan = landing.plan(stage, "backup", area, suffix)
        landing.check_room(person, "backup", plan.incoming)
        landing.apply(person, plan, suffix)
    except (restic.ResticError, QuotaExceeded, landing.NothingToRestore, OSError) as exc:
        raise _fail(item, target, person, exc) from exc
    finally:
        if stage is not None:
            landing.discard(stage)
    assert stage is not None
    said = landing.landed(plan)
    runs.finish_item(item, status=RunStatus.SUCCEEDED, files=len(plan.moves), bytes_=plan.incoming,
                     restored_to=plan.place_of(stage, where.strip("/")), snapshot_id=snapshot.id,
                     code=said["code"], params=said["params"])
    run.files_done += len(plan.moves)
    run.bytes_done += plan.incoming
    return said


def restore_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    """The run, in the household's language (Settings → default language), like backups: the texts of
    exceptions it stores (quota, "not in this copy") are made while it runs."""
    from anemone.models import SiteSettings

    with translation.override(SiteSettings.load().language or "en"):
        return _restore_body(run, tracker)


def _restore_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    from anemone.accounts.models import User

    target = PeerTarget.objects.select_related("peer").get(pk=run.options["target"])
    if run.options.get("bulk"):
        people = list(target.carried_users())
        if run.options.get("users"):
            people = [p for p in people if p.username in run.options["users"]]
        landed: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for index, person in enumerate(people):
            tracker.progress(percent=100.0 * index / max(1, len(people)), force=True)
            try:
                if not list_snapshots(target, person):
                    landed.append(messages.msg("p2p.nothing_backed_up", user=person.username))
                    continue
                said = _restore_one(run, tracker, target, person, "latest", "/")
            except runs.StepError as exc:  # one person's problem must not stop the others
                code, params = exc.as_data()
                errors.append(messages.msg("p2p.person_error", user=person.username, error=messages.msg(code, **params)))
                continue
            except restic.ResticError as exc:
                errors.append(messages.msg("p2p.person_error", user=person.username, error=hints.error_message(exc)))
                continue
            landed.append(messages.msg("p2p.person_landed", user=person.username, said=said))
        summary = messages.msg("p2p.bulk_restored", done=len(people) - len(errors), count=len(people),
                               peer=target.peer.name, landed=messages.joined(landed) if landed else "")
        whole = messages.lines(summary, *errors)
        return runs.Outcome(code=whole["code"], params=whole["params"],
                            errors=[messages.english(e["code"], e["params"]) for e in errors],
                            status=RunStatus.FAILED if errors and not landed else None)
    person = User.objects.get(pk=run.target_id)
    said = _restore_one(run, tracker, target, person, run.options["snapshot"], run.options["path"])
    return runs.Outcome(code="p2p.restored", params={"path": run.options["path"], "peer": target.peer.name,
                                                     "said": said})


class PeerRestoreSource(RestoreSource):
    """The friends' servers that keep this person's repositories (browse a snapshot, download, restore)."""

    name = "p2p"
    label = _("Friends' servers")
    template = "p2p/restore_source.html"
    restore_kinds = (KIND,)

    def offers(self, person) -> list[PeerTarget]:
        return targets_of(person)
