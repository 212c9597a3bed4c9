"""Self-service restore from peers: snapshots, browsing, streamed downloads, restore into the area.

A person only ever opens their own repository, with their own key: the repository is chosen from
(target carrying them, their username), never from a path they type. Paths inside a snapshot go
through the same validation as paths of the area. A restore is staged in a hidden folder of the
backup area and renamed into ``restored-<peer>-<snapshot time>/`` when complete — never over
existing files, never half-visible. The admin's bulk restore (after a disaster) restores each
person's latest snapshot into their area, or into a ``restored-…`` folder when the area is not empty.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime

from anemone.engines import restic
from anemone.files import paths
from anemone.files.services import TEMP_PREFIX
from anemone.files.uploads import free_name
from anemone.files.usage import change_usage, tree_size
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, Trigger
from p2p import repos
from p2p.backup import hint
from p2p.models import PeerTarget

KIND = "p2p-restore"
BULK_KIND = "p2p-bulk-restore"
TASK = "p2p.tasks.run_restore"
SNAPSHOT_ID = re.compile(r"^[0-9a-f]{8,64}$")


class NotCarried(LookupError):
    """This target does not carry that person (or does not exist): answered as 'not found'."""


def targets_of(person) -> list[PeerTarget]:  # type: ignore[no-untyped-def]
    return [t for t in PeerTarget.objects.select_related("peer") if t.carried_users().filter(pk=person.pk).exists()]


def target_of(person, peer_name: str) -> PeerTarget:  # type: ignore[no-untyped-def]
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


def list_snapshots(target: PeerTarget, person) -> list[restic.Snapshot]:  # type: ignore[no-untyped-def]
    """The person's snapshots on the peer, newest first (none yet: no repository before the first backup)."""
    try:
        return list(reversed(restic.snapshots(repos.repository(target, person))))
    except restic.RepositoryMissing:
        return []


def browse(target: PeerTarget, person, snapshot_id: str, relpath: str = "") -> list[restic.Node]:  # type: ignore[no-untyped-def]
    nodes = restic.ls(repos.repository(target, person), check_snapshot_id(snapshot_id), snapshot_path(relpath))
    return sorted(nodes, key=lambda n: (n.type != "dir", n.name.lower()))


def node_type(target: PeerTarget, person, snapshot_id: str, relpath: str) -> str:  # type: ignore[no-untyped-def]
    """"file" or "dir" — or FileNotFoundError: restic dump needs to know which it streams."""
    where = snapshot_path(relpath)
    if where == "/":
        return "dir"
    parent = where.rsplit("/", 1)[0] or "/"
    for node in restic.ls(repos.repository(target, person), check_snapshot_id(snapshot_id), parent):
        if node.path == where:
            return node.type
    raise FileNotFoundError("No such file or folder in this snapshot.")


def find_snapshot(target: PeerTarget, person, snapshot_id: str) -> restic.Snapshot:  # type: ignore[no-untyped-def]
    """One of the person's snapshots by id or id prefix, else FileNotFoundError: restic 0.14's `ls` of an
    unknown id prints nothing and exits 0, so browsing alone would show an unknown snapshot as empty."""
    check_snapshot_id(snapshot_id)
    for snapshot in list_snapshots(target, person):
        if snapshot.id.startswith(snapshot_id):
            return snapshot
    raise FileNotFoundError("No such snapshot.")


def browse_folder(target: PeerTarget, person, snapshot_id: str,  # type: ignore[no-untyped-def]
                  relpath: str = "") -> tuple[restic.Snapshot, list[restic.Node]]:
    """(snapshot, children of the folder): a missing snapshot or folder raises FileNotFoundError instead
    of looking empty (restic lists nothing for both)."""
    snapshot = find_snapshot(target, person, snapshot_id)
    nodes = browse(target, person, snapshot.id, relpath)
    if not nodes and snapshot_path(relpath) != "/" and node_type(target, person, snapshot.id, relpath) != "dir":
        raise FileNotFoundError("Not a folder of this snapshot.")
    return snapshot, nodes


def snapshot_stats(target: PeerTarget, person,  # type: ignore[no-untyped-def]
                   snapshots: list[restic.Snapshot]) -> dict[str, dict[str, int]]:
    """{snapshot id: {"files", "bytes"}} from the runs that wrote them (restic 0.14's snapshot list has no
    sizes, and its backup summary names the short id); snapshots made elsewhere are simply absent."""
    from anemone.runs.models import RunItem
    from p2p.backup import KIND as BACKUP_KIND

    by_id = {key: s.id for s in snapshots for key in (s.id, s.short_id)}
    items = RunItem.objects.filter(run__kind=BACKUP_KIND, run__target_id=target.pk, user=person,
                                   stats__snapshot_id__in=list(by_id)).values_list("stats", flat=True)
    return {by_id[s["snapshot_id"]]: {"files": s.get("total_files", 0), "bytes": s.get("total_bytes", 0)}
            for s in items}


def landing_folder(target: PeerTarget, snapshot: restic.Snapshot) -> str:
    """The folder of backup/ a restore of this snapshot lands in (a -2, -3... suffix when taken)."""
    return f"restored-{target.peer.name}-{_stamp(snapshot)}"


def download(target: PeerTarget, person, snapshot_id: str, relpath: str) -> tuple[str, str, Iterator[bytes]]:  # type: ignore[no-untyped-def]
    """(file name, content type, chunks): a file as is, a folder as a zip — streamed, never buffered."""
    kind = node_type(target, person, snapshot_id, relpath)
    where = snapshot_path(relpath)
    repo = repos.repository(target, person)
    if kind == "dir":
        name = (where.rsplit("/", 1)[-1] or f"{person.username}-{snapshot_id[:8]}") + ".zip"
        return name, "application/zip", restic.dump(repo, snapshot_id, where, archive="zip")
    return where.rsplit("/", 1)[-1], "application/octet-stream", restic.dump(repo, snapshot_id, where)


def request_restore(target: PeerTarget, person, snapshot_id: str, *, path: str = "", requested_by=None,  # type: ignore[no-untyped-def]
                    trigger: str = Trigger.MANUAL, inline: bool = False, queue: bool = True) -> Run:
    check_snapshot_id(snapshot_id)
    where = snapshot_path(path)
    run = runs.start(KIND, person.pk, label=f"{target.peer.name} → {person.username}", trigger=trigger,
                     user=requested_by, options={"target": target.pk, "snapshot": snapshot_id, "path": where})
    if queue or inline:
        runs.dispatch(run, TASK, inline=inline)
    return run


def request_bulk_restore(target: PeerTarget, usernames: list[str], *, requested_by=None,  # type: ignore[no-untyped-def]
                         trigger: str = Trigger.MANUAL, inline: bool = False, queue: bool = True) -> Run:
    """Admin, after a disaster: each chosen person's latest snapshot back into their area."""
    run = runs.start(BULK_KIND, target.pk, label=f"{target.peer.name} → everyone", trigger=trigger,
                     user=requested_by, options={"target": target.pk, "users": usernames, "bulk": True})
    if queue or inline:
        runs.dispatch(run, TASK, inline=inline)
    return run


def _stamp(snapshot: restic.Snapshot | None) -> str:
    if snapshot is None:
        return datetime.now().strftime("%Y%m%d-%H%M%S")
    return datetime.fromisoformat(snapshot.time[:19]).strftime("%Y%m%d-%H%M%S")


def _restore_one(run: Run, tracker: runs.Tracker, target: PeerTarget, person, snapshot_id: str,  # type: ignore[no-untyped-def]
                 where: str, *, into_area_if_empty: bool) -> str:
    """Restore into a hidden staging folder, then move it into place; returns where it landed."""
    item = runs.start_item(run, user=person)
    repo = repos.repository(target, person)
    root = paths.area_root(person, "backup")
    root.mkdir(parents=True, exist_ok=True)
    stage = root / f"{TEMP_PREFIX}restore-{run.pk}-{person.username}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        found = [s for s in restic.snapshots(repo) if snapshot_id in ("latest", s.id, s.short_id)]
        if not found:
            raise restic.ResticError(f"no snapshot {snapshot_id} for {person.username}")
        snapshot = found[-1]
        tracker.progress(current_item=f"{person.username}: restoring {where}", force=True)
        restic.restore(repo, snapshot.id, stage, include=None if where == "/" else where)
    except restic.ResticError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=f"{exc} — {hint(exc)}")
        raise runs.StepError(f"Restoring {person.username} from {target.peer.name}", str(exc), hint(exc)) from exc
    size = tree_size(stage)
    visible = [e for e in os.listdir(root) if not e.startswith(TEMP_PREFIX)]
    if into_area_if_empty and not visible:
        for entry in os.listdir(stage):
            os.rename(stage / entry, root / entry)
        stage.rmdir()
        landed = ""
    else:
        final = free_name(root, f"restored-{target.peer.name}-{_stamp(snapshot)}", suffix=lambda n: f"-{n + 1}")
        os.rename(stage, final)
        landed = final.name
    change_usage(person, "backup", size)
    runs.finish_item(item, status=RunStatus.SUCCEEDED, bytes_=size, restored_to=landed or ".", snapshot_id=snapshot.id)
    run.bytes_done += size
    return landed


def restore_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    from anemone.accounts.models import User

    target = PeerTarget.objects.select_related("peer").get(pk=run.options["target"])
    if run.options.get("bulk"):
        people = list(target.carried_users())
        if run.options.get("users"):
            people = [p for p in people if p.username in run.options["users"]]
        landed, errors = [], []
        for index, person in enumerate(people):
            tracker.progress(percent=100.0 * index / max(1, len(people)), force=True)
            try:
                if not list_snapshots(target, person):
                    landed.append(f"{person.username}: nothing was backed up")
                    continue
                where = _restore_one(run, tracker, target, person, "latest", "/", into_area_if_empty=True)
            except (runs.StepError, restic.ResticError) as exc:  # one person's problem must not stop the others
                errors.append(f"{person.username}: {exc}")
                continue
            landed.append(f"{person.username} → backup/{where}")
        message = f"{len(people) - len(errors)} of {len(people)} people restored from {target.peer.name}: " + "; ".join(landed)
        return runs.Outcome(message="\n".join([message, *errors]), errors=errors,
                            status=RunStatus.FAILED if errors and not landed else None)
    person = User.objects.get(pk=run.target_id)
    where = _restore_one(run, tracker, target, person, run.options["snapshot"], run.options["path"],
                         into_area_if_empty=False)
    return runs.Outcome(message=f"Restored {run.options['path']} into backup/{where}/")
