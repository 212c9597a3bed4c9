"""Benchmark: Anemone's P2P backup vs the raw `restic backup` it wraps, through our incoming endpoint.

Same data (~1 GiB in ~3,000 mixed files, cloud_sync.py's "mixed" set, written into one person's backup
area), same endpoint (`rclone serve sftp` + the auth proxy on 127.0.0.1, started as
tests/fixtures/incoming.py does, with a self-paired peer as tests/p2p/conftest.py makes), same restic
flags (restic's rclone: backend, the remote defined by env vars, its own --cache-dir, --json, tags, host,
exclude). For each repetition, in rotating order:

- Anemone: `p2p.request_run("p2p", target_id, inline=True)` in this process (Django already set up),
  full run into a fresh repository (its probe, init, backup and first-run maintenance included), then a
  no-op run; every restic call it makes is timed, to show where the time goes;
- raw restic: `restic init` + `restic backup` into a fresh repository, then the same backup again;
- the CLI `manage.py backup_now --peer friend --user alice --wait` (Django start-up included), full and no-op.

Prints a markdown table of medians and appends it with a note to bench/RESULTS.md. Everything it makes
(scratch data dir, data, repositories, the endpoint's rclone) is removed at the end.

    .venv/bin/python bench/p2p_backup.py                                  # scale 1.0, 5 repetitions
    .venv/bin/python bench/p2p_backup.py --scale 0.02 --repeat 2 --no-append   # quick check
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from anemone.runs.services import request as request_run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PEER = "friend"
PERSON = "alice"
RESTIC_COMMANDS = ("backup", "init", "forget", "check", "stats", "unlock", "snapshots", "cat")
TARGETS = {"full": 1.05, "noop": 1.2}


@dataclass
class Bench:
    work: Path
    area: Path
    target: object
    person: object
    endpoint: object
    files: int = 0
    size: int = 0
    calls: list[tuple[str, float]] = field(default_factory=list)  # restic calls of Anemone's runs, in order


@dataclass
class Figures:
    """Seconds per repetition, by measure ("anemone full", "raw backup", ...), and restic calls by phase."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # CPU seconds, same keys
    calls: dict[str, list[list[tuple[str, float]]]] = field(default_factory=lambda: defaultdict(list))

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")),
                        help="share of the ~1 GiB / ~3,000-file data set (default 1, or $BENCH_SCALE)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (medians are reported)")
    parser.add_argument("--no-append", action="store_true", help="print the table only, leave RESULTS.md alone")
    return parser.parse_args()


def make_data(area: Path, scale: float) -> tuple[int, int]:
    """cloud_sync.py's "mixed" set: many small files, some medium, a few of 5–15 MB (random bytes)."""
    rng = random.Random(42)
    sizes = [rng.choice([4_000, 40_000, 200_000, 400_000]) for _ in range(int(2_950 * scale))]
    sizes += [rng.randint(5_000_000, 15_000_000) for _ in range(max(1, int(50 * scale)))]
    for index, size in enumerate(sizes):
        path = area / f"d{index % 100:02d}" / f"f{index:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    return len(sizes), sum(sizes)


def set_up(work: Path, scale: float) -> Bench:
    """A scratch server: migrated, setup done, a person with files, a peer that is ourselves on 127.0.0.1."""
    from django.core.management import call_command

    from anemone.accounts import services as accounts
    from anemone.engines.wireguard import generate_keypair
    from anemone.files.paths import area_root
    from p2p import services
    from peers import services as peer_services
    from peers.identity import get_identity
    from peers.models import Peer
    from tests.fixtures.incoming import start_endpoint

    call_command("migrate", verbosity=0)
    password = work / "admin-password"
    password.write_text("bench admin password 123\n")
    call_command("setup", server_name="bench", admin="admin", password_file=str(password), stdout=open(os.devnull, "w"))
    person = accounts.create_user(PERSON)
    accounts.activate(person, "bench password 123")
    area = area_root(person, "backup")
    area.mkdir(parents=True, exist_ok=True)
    files, size = make_data(area, scale)
    (work / "endpoint").mkdir()
    with output_into(work / "endpoint" / "rclone.log"):  # rclone serve's login lines, out of the report
        endpoint = start_endpoint(work / "endpoint")
    peer = peer_services.save_peer(Peer(name=PEER, wg_public_key=generate_keypair()[1], allowed_ips="198.51.100.9/32",
                                        ssh_public_key=get_identity().ssh_public_key))
    peer_services.write_index()
    target = services.target_for(peer)
    target.host, target.port = "127.0.0.1", endpoint.port
    services.save_target(target)
    return Bench(work, area, target, person, endpoint, files, size)


@contextlib.contextmanager
def output_into(log: Path) -> Iterator[None]:
    """Point fds 1 and 2 at a file while child processes that inherit them are started."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with log.open("ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
    try:
        yield
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def record_restic_calls(bench: Bench) -> None:
    """Time every restic process Anemone starts (restic.py calls proc.run for each), by subcommand."""
    from anemone.engines import proc

    original = proc.run

    def timed_run(argv, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(argv, **kwargs)
        finally:
            words = [str(a) for a in argv]
            name = next((w for w in words[1:] if w in RESTIC_COMMANDS), os.path.basename(words[0]))
            if name == "check" and "--read-data-subset" in words:
                name = f"check --read-data-subset {words[words.index('--read-data-subset') + 1]}"
            if name == "forget" and "--prune" in words:
                name = "forget --prune"
            bench.calls.append((name, time.perf_counter() - start))

    proc.run = timed_run


def stored_on_endpoint(path: str) -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "incoming" / PEER / path


def fresh_anemone_repository(bench: Bench, name: str) -> Path:
    """As if never backed up: a new base path on the peer, no record, an empty cache. (A new path, not a
    deleted one: the endpoint's rclone keeps listing deleted files from its directory cache for minutes.)"""
    from p2p import repos, services
    from p2p.models import UserRepository

    bench.target.base_path = name  # type: ignore[attr-defined]
    services.save_target(bench.target)  # type: ignore[arg-type]
    shutil.rmtree(repos.cache_dir(bench.target), ignore_errors=True)
    UserRepository.objects.filter(target=bench.target).delete()
    return stored_on_endpoint(repos.repo_path(bench.target, PERSON))


def anemone_run(bench: Bench) -> list[tuple[str, float]]:
    from anemone.runs.models import RunStatus

    bench.calls.clear()
    run = request_run("p2p", bench.target.pk, options={"users": [PERSON]}, inline=True)  # type: ignore[attr-defined]
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    return list(bench.calls)


def raw_repository(bench: Bench, rep: int):  # type: ignore[no-untyped-def]
    """The same remote, login, key and flags as Anemone's repository — a fresh path and cache.
    Returns the repository and where its files land on the endpoint's side."""
    from anemone.accounts.services import backup_key
    from anemone.engines import restic
    from p2p import repos

    path = f"raw-{rep}/{PERSON}"
    repo = restic.Repository.over_rclone(repos.REMOTE, path, backup_key(bench.person), repos.remote_env(bench.target),
                                         bench.work / f"raw-cache-{rep}")
    return repo, stored_on_endpoint(path)


def raw_restic(repo, args: list[str], cwd: Path) -> None:  # type: ignore[no-untyped-def]
    """One plain restic process (subprocess, not Anemone's helper), its stdout read like a terminal would."""
    from anemone.engines.paths import restic_binary

    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}
    env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **repo.process_env()})
    result = subprocess.run([restic_binary(), *repo.global_args(), *args], env=env, cwd=cwd, capture_output=True,
                            timeout=3600)
    assert result.returncode == 0, result.stderr.decode()[-2000:]


def raw_backup_args() -> list[str]:
    """Exactly the arguments p2p.backup gives restic.backup for this person."""
    from anemone.files.services import TEMP_PREFIX
    from p2p import backup, repos

    args = ["backup", "--json", "--host", repos.our_slug()]
    for tag in [*backup.TAGS, f"user:{PERSON}"]:
        args += ["--tag", tag]
    return [*args, "--exclude", f"{TEMP_PREFIX}*", "--", "."]


def cli_run() -> None:
    argv = [sys.executable, str(ROOT / "manage.py"), "backup_now", "--peer", PEER, "--user", PERSON, "--wait"]
    result = subprocess.run(argv, env=dict(os.environ), capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        from anemone.runs.models import Run

        run = Run.objects.order_by("-pk").first()
        raise AssertionError(f"{result.stdout[-2000:]}{result.stderr[-2000:]}\n{run.log_tail if run else ''}")


def cpu_seconds() -> float:
    """CPU used so far by this process and by every child it has waited for (restic, the rclone restic
    runs, the CLI's process tree) — far less sensitive than wall time to other people's load."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def timed(figures: Figures, name: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    yield
    figures.times[name].append(time.perf_counter() - wall)
    figures.cpu[name].append(cpu_seconds() - cpu)


def measure_anemone(bench: Bench, figures: Figures, rep: int) -> None:
    stored = fresh_anemone_repository(bench, f"anemone-{rep}")
    for phase in ("full", "noop"):
        with timed(figures, f"anemone {phase}"):
            calls = anemone_run(bench)
        figures.times[f"anemone {phase} backup call"].append(sum(s for n, s in calls if n == "backup"))
        figures.times[f"anemone {phase} outside restic"].append(figures.times[f"anemone {phase}"][-1]
                                                                 - sum(s for _, s in calls))
        figures.calls[phase].append(calls)
    shutil.rmtree(stored, ignore_errors=True)


def measure_raw(bench: Bench, figures: Figures, rep: int) -> None:
    repo, stored = raw_repository(bench, rep)
    with timed(figures, "raw full"):
        with timed(figures, "raw init"):
            raw_restic(repo, ["init"], bench.area)
        with timed(figures, "raw full backup"):
            raw_restic(repo, raw_backup_args(), bench.area)
    with timed(figures, "raw noop"):
        raw_restic(repo, raw_backup_args(), bench.area)
    shutil.rmtree(stored, ignore_errors=True)
    shutil.rmtree(repo.cache_dir, ignore_errors=True)


def measure_cli(bench: Bench, figures: Figures, rep: int) -> None:
    stored = fresh_anemone_repository(bench, f"cli-{rep}")
    for phase in ("full", "noop"):
        with timed(figures, f"cli {phase}"):
            cli_run()
    shutil.rmtree(stored, ignore_errors=True)


def run_all(bench: Bench, repeat: int) -> Figures:
    figures = Figures()
    steps = [lambda rep: measure_anemone(bench, figures, rep), lambda rep: measure_raw(bench, figures, rep),
             lambda rep: measure_cli(bench, figures, rep)]
    for rep in range(repeat):
        for step in steps[rep % 3:] + steps[:rep % 3]:  # rotate the order: no side always goes first
            step(rep)
        print(f"repetition {rep + 1}/{repeat}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in figures.times.items()),
              flush=True)
    return figures


def call_breakdown(runs: list[list[tuple[str, float]]]) -> str:
    """Median seconds of each restic call, in the order Anemone makes them (same sequence every repetition)."""
    sequences = {tuple(n for n, _ in calls) for calls in runs}
    if len(sequences) != 1:
        return "restic calls differ between repetitions: " + "; ".join(" → ".join(s) for s in sequences)
    names = next(iter(sequences))
    parts = []
    for index, name in enumerate(names):
        label = f"{name} (fails: no repository yet)" if name == "backup" and index == 0 and names.count("backup") > 1 else name
        parts.append(f"`{label}` {statistics.median(calls[index][1] for calls in runs):.2f} s")
    return ", ".join(parts)


def report_row(figures: Figures, phase: str) -> str:
    med, ours, raw = figures.median, f"anemone {phase}", f"raw {phase}"
    ratio = med(ours) / med(raw)
    each = [a / b for a, b in zip(figures.times[ours], figures.times[raw], strict=True)]
    cpu = {name: statistics.median(figures.cpu[name]) for name in (ours, raw, f"cli {phase}")}
    raw_text = f"{med(raw):.2f} s" + (f" (init {med('raw init'):.2f} + backup {med('raw full backup'):.2f})"
                                      if phase == "full" else "")
    label = "full, fresh repository" if phase == "full" else "no-op second run"
    return (f"| {label} | {med(ours):.2f} s | {raw_text} | **{ratio:.2f}×** | {min(each):.2f}–{max(each):.2f}× | "
            f"≤ {TARGETS[phase]}× ({'met' if ratio <= TARGETS[phase] else 'not met'}) | "
            f"{med(f'{ours} backup call'):.2f} s | {med(f'{ours} outside restic'):.2f} s | "
            f"{cpu[ours]:.2f} / {cpu[raw]:.2f} s ({cpu[ours] / cpu[raw]:.2f}×) | "
            f"{med(f'cli {phase}'):.2f} s, CPU {cpu[f'cli {phase}']:.2f} s |")


def report(bench: Bench, figures: Figures, scale: float, repeat: int, load: tuple[float, float]) -> str:
    lines = [f"\n## p2p_backup.py — {time.strftime('%Y-%m-%d %H:%M')} (scale {scale}, {repeat} repetitions, "
             f"medians, 2 shared cores, our endpoint on 127.0.0.1)\n",
             f"Data: {bench.files} files, {bench.size / 2**20:.0f} MiB in one person's backup area. Wall times; "
             "CPU = this process + the processes it waited for (restic and its rclone).\n",
             "| run | Anemone (`request_backup`, inline) | raw restic (same flags) | ratio | ratio per repetition | "
             "target | Anemone: its `restic backup` calls | Anemone: outside restic | CPU Anemone / raw | "
             "CLI `backup_now --wait` |",
             "|---|---|---|---|---|---|---|---|---|---|",
             report_row(figures, "full"), report_row(figures, "noop"),
             "", f"Anemone's restic calls (medians), full run: {call_breakdown(figures.calls['full'])}.",
             f"No-op run: {call_breakdown(figures.calls['noop'])}.", "",
             f"Note ({time.strftime('%Y-%m-%d')}): the 2 cores were shared with other engineers' test runs "
             f"(load average {load[0]:.1f} at the start, {load[1]:.1f} at the end), so each figure is the median "
             f"of {repeat} repetitions run in rotating order (Anemone, raw, CLI)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="anemone-bench-p2p-"))
    os.environ["ANEMONE_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "anemone.settings"
    for name in ("DATABASE_URL", "REDIS_URL"):  # a scratch SQLite and no broker: nobody else's worker runs our tasks
        os.environ.pop(name, None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below when stopped
    import django

    django.setup()
    bench = None
    try:
        bench = set_up(work, args.scale)
        record_restic_calls(bench)
        print(f"data: {bench.files} files, {bench.size / 2**20:.0f} MiB; endpoint 127.0.0.1:{bench.endpoint.port}",
              flush=True)
        load_start = os.getloadavg()[0]
        figures = run_all(bench, args.repeat)
        text = report(bench, figures, args.scale, args.repeat, (load_start, os.getloadavg()[0]))
    finally:
        if bench is not None:
            bench.endpoint.stop.set()
            bench.endpoint.thread.join(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(text)
    if not args.no_append:
        with (ROOT / "bench" / "RESULTS.md").open("a") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
