"""Benchmark: Anemone's cloud sync vs the raw `rclone sync` it wraps, to a real sshd on 127.0.0.1.

Data sets (made once under bench/data/): ~1 GiB in ~3,000 mixed files, and 50,000 files of 1–8 KB.
For each: full sync and no-op sync through Anemone (request_sync, inline), raw rclone with the same
flags, and raw rclone with default flags. Prints a table and appends it to bench/RESULTS.md.

    .venv/bin/python bench/cloud_sync.py            # full size
    BENCH_SCALE=0.05 .venv/bin/python bench/cloud_sync.py   # quick smoke run
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="anemone-bench-"))
os.environ["ANEMONE_DATA_DIR"] = str(WORK / "data")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anemone.settings")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

from anemone import crypto  # noqa: E402
from anemone.accounts import services as accounts  # noqa: E402
from anemone.engines import proc  # noqa: E402
from anemone.engines.paths import rclone_binary  # noqa: E402
from anemone.files.paths import area_root  # noqa: E402
from cloudbackup import backends, keys, services, sync  # noqa: E402
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


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def raw_rclone(remote: backends.Remote, source: Path, target: str, tuned: bool) -> None:
    args = [rclone_binary(), "sync", str(source), remote.path(target), "--backup-dir", remote.path(".versions-raw")]
    if tuned:
        args += sync.TUNING
    result = proc.run(args, env={**remote.env, "RCLONE_CONFIG": "/dev/null"}, timeout=3600)
    assert result.returncode == 0, result.stderr


def main() -> None:
    call_command("migrate", verbosity=0)
    crypto.create_master_key()
    alice = accounts.create_user("alice", is_admin=True)
    accounts.activate(alice, "bench password 123")
    server = start_sshd(WORK / "sshd")
    server.authorize(keys.generate())
    rows = []
    try:
        for kind in ("mixed", "small"):
            data = make_data(kind)
            files = sum(1 for _ in data.rglob("*.bin"))
            size = sum(p.stat().st_size for p in data.rglob("*.bin"))
            area = area_root(alice, "backup")
            shutil.rmtree(area)
            shutil.copytree(data, area)
            remote_dir = server.root / "srv" / kind
            remote_dir.mkdir(parents=True)
            dest = services.save_destination(Destination(name=kind, kind="sftp", host=server.host, port=server.port,
                                                         username="root", remote_path=str(remote_dir)))
            remote = backends.remote(dest)
            ours_full = timed(lambda: sync.request_sync(dest.pk, inline=True))
            ours_noop = timed(lambda: sync.request_sync(dest.pk, inline=True))
            raw_full = timed(lambda: raw_rclone(remote, area, "raw-tuned", True))
            raw_noop = timed(lambda: raw_rclone(remote, area, "raw-tuned", True))
            default_full = timed(lambda: raw_rclone(remote, area, "raw-default", False))
            rows.append((kind, files, size, ours_full, raw_full, ours_noop, raw_noop, default_full))
            print(rows[-1], flush=True)
    finally:
        stop_sshd(server)
        shutil.rmtree(WORK, ignore_errors=True)
    report(rows)


def report(rows) -> None:  # type: ignore[no-untyped-def]
    lines = [f"\n## cloud_sync.py — {time.strftime('%Y-%m-%d %H:%M')} (scale {SCALE}, 2 cores, sshd on 127.0.0.1)\n",
             "| data | files | size | Anemone full | raw rclone full (same flags) | ratio | Anemone no-op | raw no-op | ratio | raw rclone default flags, full | tuned speed-up |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for kind, files, size, ours_full, raw_full, ours_noop, raw_noop, default_full in rows:
        lines.append(f"| {kind} | {files} | {size / 2**20:.0f} MiB | {ours_full:.1f} s | {raw_full:.1f} s | "
                     f"{ours_full / raw_full:.2f}× | {ours_noop:.2f} s | {raw_noop:.2f} s | {ours_noop / raw_noop:.2f}× | "
                     f"{default_full:.1f} s | {default_full / ours_full:.2f}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
