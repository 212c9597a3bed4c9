"""Reading what a repository holds: its snapshots, a snapshot's folders and files, a file streamed out, a
restore into a folder (split from restic.py, which re-exports them). All with ``--no-lock``: reading works
on read-only media and beside a running backup."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from anemone.engines import proc
from anemone.engines.paths import restic_binary
from anemone.engines.restic_errors import ResticError, classify
from anemone.engines.restic_repo import Repository, call, json_lines
from anemone.engines.restic_results import Node, Snapshot


def _snapshot(data: dict) -> Snapshot:
    """One entry of ``snapshots --json``; restic >= 0.17 stores the backup's summary in the snapshot itself
    (absent from snapshots written by older restic: files and size stay None)."""
    summary = data.get("summary") or {}
    return Snapshot(id=data["id"], short_id=data["short_id"], time=data["time"],
                    hostname=data.get("hostname", ""), tags=data.get("tags") or [], paths=data.get("paths") or [],
                    files=summary.get("total_files_processed"), size=summary.get("total_bytes_processed"))


def parse_snapshots(text: str) -> list[Snapshot]:
    try:
        return [_snapshot(s) for s in json.loads(text or "[]")]
    except (ValueError, KeyError, TypeError) as exc:
        raise ResticError(f"restic printed an unreadable snapshot list ({exc})") from exc


def snapshots(repo: Repository, *, tags: list[str] = (), timeout: float = 600) -> list[Snapshot]:  # type: ignore[assignment]
    """Oldest first. ``--no-lock``: listing works on read-only media and beside a running backup."""
    lines: list[str] = []
    args = ["--no-lock", "snapshots", "--json"]
    for tag in tags:
        args += ["--tag", tag]
    call(repo, args, on_line=json_lines(lines), timeout=timeout)
    return sorted(parse_snapshots("\n".join(lines)), key=lambda s: s.time)


def parse_ls(lines: list[str]) -> list[Node]:
    nodes = []
    for line in lines:
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if data.get("struct_type") == "node":
            nodes.append(Node(name=data.get("name", ""), type=data.get("type", ""), path=data.get("path", ""),
                              size=int(data.get("size") or 0), mtime=data.get("mtime", "")))
    return nodes


def ls(repo: Repository, snapshot_id: str, directory: str = "/", *, timeout: float = 600) -> list[Node]:
    """The direct children of ``directory`` in a snapshot (restic lists the folder itself too: dropped).
    An unknown snapshot id raises ``SnapshotMissing``; a path not in the snapshot lists nothing."""
    directory = "/" + directory.strip("/")
    lines: list[str] = []
    call(repo, ["--no-lock", "ls", "--json", snapshot_id, "--", directory], on_line=json_lines(lines), timeout=timeout)
    return [n for n in parse_ls(lines) if n.path != directory]


def dump(repo: Repository, snapshot_id: str, path: str, *, archive: str | None = None) -> Iterator[bytes]:
    """Stream one file (or a folder as ``archive`` "zip"/"tar") out of a snapshot, chunk by chunk.

    The caller iterates; stopping early (a closed download) stops restic. A failure after the first
    bytes can only cut the stream short, so the first chunk is read before anything is yielded.
    """
    args = [restic_binary(), *repo.global_args(), "--no-lock", "dump",
            *(["--archive", archive] if archive else []), snapshot_id, "--", path]
    process = proc.spawn(args, env=repo.process_env())
    return _stream(process)


def _stream(process: subprocess.Popen[bytes]) -> Iterator[bytes]:
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(65536)
    if not first:
        process.wait(timeout=600)
        error = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        process.stdout.close()
        if process.returncode != 0:
            raise classify(error, process.returncode)
        return iter([b""])

    def chunks() -> Iterator[bytes]:
        try:
            yield first
            while chunk := process.stdout.read(1 << 20):  # type: ignore[union-attr]
                yield chunk
            process.wait(timeout=600)
        finally:
            proc.terminate(process, grace=1.0)
            process.stdout.close()  # type: ignore[union-attr]
            process.stderr.close()  # type: ignore[union-attr]

    return chunks()


def literal_pattern(path: str) -> str:
    """A path as a restic pattern matching only itself.

    ``--include``/``--exclude`` take Go filepath.Match patterns per path component: restoring a file named
    ``*`` restored every file of its folder (issue #11, item 24). Escaping ``* ? [ \\`` with a backslash
    makes each a literal character (measured with restic 0.14 and 0.18: ``/\\*`` restores only the file ``*``).
    ``ls`` and ``dump`` take paths, not patterns: they need no escaping."""
    return re.sub(r"([*?\[\\])", r"\\\1", path)


def tree(repo: Repository, snapshot_id: str, path: str = "/", *, timeout: float = 600) -> list[Node]:
    """The node at ``path`` and everything below it (``ls --recursive``; its filter is a literal path)."""
    path = "/" + path.strip("/")
    lines: list[str] = []
    call(repo, ["--no-lock", "ls", "--json", "--recursive", snapshot_id, "--", path], on_line=json_lines(lines),
          timeout=timeout)
    return parse_ls(lines)


def restore(repo: Repository, snapshot_id: str, target: Path, *, include: str | None = None,
            path: str | None = None, paths: Sequence[str] = (), verify: bool = False,
            timeout: float = 24 * 3600) -> None:
    """Restore a snapshot (or the part under ``include``, a pattern, or ``path``/``paths``, literal paths) into
    ``target``; ``--no-lock`` for read-only media. ``verify`` re-reads what was written against the
    snapshot's content hashes (``--verify``: a restore drill)."""
    Path(target).mkdir(parents=True, exist_ok=True)
    args = ["--no-lock", "restore", snapshot_id, "--target", str(target)]
    if include:
        args += ["--include", include]
    for literal in ([path] if path else []) + list(paths):
        if literal.strip("/"):
            args += ["--include", literal_pattern("/" + literal.strip("/"))]
    if verify:
        args.append("--verify")
    call(repo, args, timeout=timeout, idle_timeout=3600)
