"""Benchmark: Anemone's cloud sync vs the raw `rclone sync` it wraps, to a real sshd on 127.0.0.1.

Data sets (made once under bench/data/): ~1 GiB in ~3,000 mixed files, and 50,000 files of 1–8 KB.
Two servers (tests/fixtures/sshd.py): "seed", the seed guide's server, whose backup account may run
commands (so rclone's defaults run `md5sum` there after every upload), and "sftp-only" (`ForceCommand
internal-sftp`, like the test fixture: rclone's hash check finds no shell and turns itself off).

Each repetition, into fresh remote folders: Anemone full and no-op (request_sync, inline, a new
destination so the first sync also prunes as the day's first would), raw rclone with the same flags
and remote definition, full and no-op, and raw rclone with default flags (the remote defined by its
connection options only), full. Anemone and raw runs alternate which goes first (use an even number
of repetitions) and each timed run starts after `sync`. The machine is shared, so each ratio is taken
between runs made back to back; the table gives medians and ranges.

    .venv/bin/python bench/cloud_sync.py                                   # full size, 4 repetitions
    BENCH_SCALE=0.05 BENCH_REPEAT=1 .venv/bin/python bench/cloud_sync.py   # quick smoke run
    BENCH_SERVERS=seed BENCH_DATA=small BENCH_CLEAN=1 .venv/bin/python bench/cloud_sync.py  # delete data after
    BENCH_DATA=mixed BENCH_REPEAT=12 BENCH_DEFAULT_REPEAT=2 .venv/bin/python bench/cloud_sync.py  # more pairs

The table is appended to bench/RESULTS.md for full-size runs only (or with BENCH_RECORD=1).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from anemone.runs.services import request as request_run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="anemone-bench-"))
os.environ["ANEMONE_DATA_DIR"] = str(WORK / "data")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anemone.settings")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "4"))
DEFAULT_REPEAT = int(os.environ.get("BENCH_DEFAULT_REPEAT", str(REPEAT)))
SERVERS = os.environ.get("BENCH_SERVERS", "seed,sftp-only").split(",")
DATA = os.environ.get("BENCH_DATA", "mixed,small").split(",")
RECORD = SCALE == 1 or os.environ.get("BENCH_RECORD") == "1"

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

from anemone import crypto  # noqa: E402
from anemone.accounts import services as accounts  # noqa: E402
from anemone.engines import proc  # noqa: E402
from anemone.engines.paths import rclone_binary  # noqa: E402
from anemone.files.paths import area_root  # noqa: E402
from anemone.runs.models import RunStatus  # noqa: E402
from cloudbackup import backends, connection, keys, services, sync  # noqa: E402
from cloudbackup.models import Destination  # noqa: E402
from tests.fixtures.sshd import start_sshd, stop_sshd  # noqa: E402


def make_data(kind: str) -> Path:
    target = ROOT / "bench" / "data" / f"{kind}-{SCALE}"
    if target.exists():
        return target
    rng = random.Random(42)
    tmp = target.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if kind == "mixed":  # ~1 GiB in ~3,000 files: many small, some medium, a few large
        sizes = [rng.choice([4_000, 40_000, 200_000, 400_000]) for _ in range(int(2_950 * SCALE))]
        sizes += [rng.randint(5_000_000, 15_000_000) for _ in range(int(50 * SCALE))]
    else:  # 50,000 files of 1–8 KB
        sizes = [rng.randint(1024, 8192) for _ in range(int(50_000 * SCALE))]
    for index, size in enumerate(sizes):
        path = tmp / f"d{index % 100:02d}" / f"f{index:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    tmp.rename(target)
    return target


def warm_up(area: Path) -> None:
    """Flush the copy's dirty pages and read it once: the first timed run must not pay for either."""
    os.sync()
    for path in area.rglob("*.bin"):
        path.read_bytes()


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    """Wall time of fn, after flushing what earlier runs left to write (on this machine, the server's disk
    is ours: without this, 50,000 files written by the previous run slow whichever run comes next)."""
    os.sync()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def anemone_sync(dest: Destination) -> None:
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message


def raw_rclone(dest: Destination, source: Path, target: str, *, defaults: bool) -> None:
    """`rclone sync` as a person would type it: the same flags as Anemone, or rclone's defaults (and a remote
    defined by its connection options only: no shell_type, so rclone detects the shell and hashes)."""
    remote = backends.remote(dest)
    env = {k: v for k, v in remote.env.items() if not (defaults and k.endswith("_SHELL_TYPE"))}
    args = [rclone_binary(), "sync", str(source), remote.path(target), "--backup-dir", remote.path(target + "-versions")]
    if not defaults:
        args += [*sync.TUNING, *backends.name_flags(dest)]
    result = proc.run(args, env={**env, "RCLONE_CONFIG": "/dev/null"}, timeout=7200)
    assert result.returncode == 0, result.stderr


def repetition(server, kind: str, rep: int, area: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    remote_dir = server.root / "srv" / f"{kind}-{rep}"
    remote_dir.mkdir(parents=True)
    name = f"{kind}-{server.root.parent.name.removeprefix('sshd-')}-{rep}"
    dest = services.save_destination(Destination(name=name, kind="sftp", host=server.host,
                                                 port=server.port, username="root", remote_path=str(remote_dir)))
    tested = connection.test_connection(dest)  # as a person would before the first sync: pins the host key,
    assert tested.ok, tested.message            # so raw rclone below gets the same known_hosts check
    ours = lambda: anemone_sync(dest)  # noqa: E731
    raw = lambda: raw_rclone(dest, area, "raw-same", defaults=False)  # noqa: E731
    pairs = [("ours_full", ours), ("raw_full", raw), ("ours_noop", ours), ("raw_noop", raw)]
    if rep % 2:  # alternate which goes first, so drift in the machine's load does not favour one side
        pairs = [pairs[1], pairs[0], pairs[3], pairs[2]]
    times = {name: timed(fn) for name, fn in pairs}
    if rep < DEFAULT_REPEAT:  # slow (minutes on 50,000 files): a few are enough for the speed-up, pairs want more
        times["default_full"] = timed(lambda: raw_rclone(dest, area, "raw-default", defaults=True))
    shutil.rmtree(remote_dir)
    print(f"  {kind} rep {rep}: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
          + f" (load {os.getloadavg()[0]:.1f})", flush=True)
    return times


def main() -> None:
    call_command("migrate", verbosity=0)
    crypto.create_master_key()
    alice = accounts.create_user("alice", is_admin=True)
    accounts.activate(alice, "bench password 123")
    keys.generate()
    rows = []
    try:
        for kind in DATA:
            data = make_data(kind)
            files = sum(1 for _ in data.rglob("*.bin"))
            size = sum(p.stat().st_size for p in data.rglob("*.bin"))
            area = area_root(alice, "backup")
            shutil.rmtree(area)
            shutil.copytree(data, area)
            warm_up(area)
            for name in SERVERS:
                server = start_sshd(WORK / f"sshd-{name}", shell=name == "seed")
                server.authorize(keys.public_key() or "")
                print(f"{kind} → {name} server", flush=True)
                try:
                    reps = [repetition(server, kind, rep, area) for rep in range(REPEAT)]
                finally:
                    stop_sshd(server)
                rows.append((kind, name, files, size, reps))
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
        if os.environ.get("BENCH_CLEAN"):
            shutil.rmtree(ROOT / "bench" / "data", ignore_errors=True)
    report(rows)


def spread(values: list[float], fmt: str) -> str:
    if not values:
        return "—"
    median = statistics.median(values)
    return f"{median:{fmt}}" + (f" ({min(values):{fmt}}–{max(values):{fmt}})" if len(values) > 1 else "")


def report(rows) -> None:  # type: ignore[no-untyped-def]
    lines = [f"\n## cloud_sync.py — {time.strftime('%Y-%m-%d %H:%M')} (scale {SCALE}, {REPEAT} repetitions, "
             f"{'' if DEFAULT_REPEAT >= REPEAT else f'default flags in the first {DEFAULT_REPEAT}, '}"
             f"2 shared cores, sshd on 127.0.0.1; medians, ranges in brackets; ratios per back-to-back pair)\n",
             f"Anemone's flags: `{' '.join(sync.TUNING)}` + remote `shell_type none`; default = rclone's own "
             "(4 transfers, 8 checkers, hash check over SSH when the server allows commands).\n",
             "| data | server | files | size | Anemone full | raw full (same flags) | ratio | Anemone no-op | raw no-op "
             "| ratio | raw default flags, full | speed-up vs default |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for kind, server, files, size, reps in rows:
        col = {key: [r[key] for r in reps if key in r] for key in reps[0]}
        lines.append(
            f"| {kind} | {server} | {files} | {size / 2**20:.0f} MiB | {spread(col['ours_full'], '.1f')} s "
            f"| {spread(col['raw_full'], '.1f')} s | {spread([r['ours_full'] / r['raw_full'] for r in reps], '.2f')}× "
            f"| {spread(col['ours_noop'], '.2f')} s | {spread(col['raw_noop'], '.2f')} s "
            f"| {spread([r['ours_noop'] / r['raw_noop'] for r in reps], '.2f')}× | {spread(col['default_full'], '.1f')} s "
            f"| {spread([r['default_full'] / r['ours_full'] for r in reps if 'default_full' in r], '.2f')}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    if RECORD:
        with (ROOT / "bench" / "RESULTS.md").open("a") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
