"""Benchmark: many small files to an SFTP server across a link with latency, where the transfers/checkers
tuning is meant to pay (bench/cloud_sync.py runs on loopback, where it cannot).

This kernel has no netem, so a small TCP relay in this process holds every chunk for half the round-trip
time in each direction before passing it on (`--rtt-ms`, default 40 ms: a home uplink to a server in the
same country). Between the relay and an OpenSSH server (SFTP only, tests/fixtures/sshd.py) on 127.0.0.1,
each repetition into fresh remote folders times: Anemone's sync (its flags), raw rclone with rclone's
default transfers/checkers (4/8) and the same remote definition (so the only difference is the tuning),
and Anemone's no-op second sync. Data: 1,000 files of 1-8 KB (BENCH_FILES), made under bench/data/.

    .venv/bin/python bench/cloud_latency.py                 # 40 ms, 2 repetitions
    BENCH_RTT_MS=100 BENCH_REPEAT=1 .venv/bin/python bench/cloud_latency.py

The table is appended to bench/RESULTS.md (BENCH_RECORD=0 to skip).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cloud_sync as bench  # noqa: E402  (sets up Django in a scratch data dir)

RTT_MS = float(os.environ.get("BENCH_RTT_MS", "40"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
FILES = int(os.environ.get("BENCH_FILES", "1000"))
RECORD = os.environ.get("BENCH_RECORD", "1") == "1"


class DelayRelay:
    """127.0.0.1:port → target port, each chunk held rtt/2 in each direction (order kept, no bandwidth cap)."""

    def __init__(self, target_port: int, rtt_ms: float) -> None:
        self.target_port, self.delay = target_port, rtt_ms / 2000
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                due, chunk = await queue.get()
                if not chunk:
                    break
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                writer.write(chunk)
                await writer.drain()
            writer.close()

        sender = asyncio.ensure_future(send())
        try:
            while chunk := await reader.read(65536):
                queue.put_nowait((self.loop.time() + self.delay, chunk))
        except ConnectionError:
            pass
        queue.put_nowait((0.0, b""))
        await sender

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True)

    def stop(self) -> None:
        async def cancel_connections() -> None:
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(cancel_connections(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def make_small_files() -> Path:
    target = bench.ROOT / "bench" / "data" / f"latency-{FILES}"
    if not target.exists():
        rng = random.Random(7)
        tmp = target.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        for index in range(FILES):
            path = tmp / f"d{index % 20:02d}" / f"f{index:05d}.bin"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(rng.randint(1024, 8192)))
        tmp.rename(target)
    return target


def raw_default_tuning(dest, source: Path, target: str) -> None:  # type: ignore[no-untyped-def]
    """Raw rclone with Anemone's remote definition (shell_type none, pinned key) and rclone's own 4/8."""
    remote = bench.backends.remote(dest)
    args = [bench.rclone_binary(), "sync", str(source), remote.path(target), "--backup-dir",
            remote.path(target + "-versions"), *bench.backends.name_flags(dest)]
    result = bench.proc.run(args, env={**remote.env, "RCLONE_CONFIG": "/dev/null"}, timeout=7200)
    assert result.returncode == 0, result.stderr


def main() -> None:
    bench.call_command("migrate", verbosity=0)
    bench.crypto.create_master_key()
    alice = bench.accounts.create_user("alice", is_admin=True)
    bench.accounts.activate(alice, "bench password 123")
    bench.keys.generate()
    area = bench.area_root(alice, "backup")
    shutil.rmtree(area)
    shutil.copytree(make_small_files(), area)
    bench.warm_up(area)
    server = bench.start_sshd(bench.WORK / "sshd")
    server.authorize(bench.keys.public_key() or "")
    relay = DelayRelay(server.port, RTT_MS)
    reps = []
    try:
        for rep in range(REPEAT):
            remote_dir = server.root / "srv" / f"rep{rep}"
            remote_dir.mkdir(parents=True)
            dest = bench.services.save_destination(bench.Destination(
                name=f"latency-{rep}", kind="sftp", host="127.0.0.1", port=relay.port, username="root",
                remote_path=str(remote_dir)))
            tested = bench.connection.test_connection(dest)
            assert tested.ok, tested.message
            ours = lambda: bench.anemone_sync(dest)  # noqa: E731
            raw = lambda: raw_default_tuning(dest, area, "raw-default")  # noqa: E731
            pairs = [("ours_full", ours), ("raw_4_8_full", raw)]
            times = {name: bench.timed(fn) for name, fn in (pairs if rep % 2 == 0 else pairs[::-1])}
            times["ours_noop"] = bench.timed(ours)
            shutil.rmtree(remote_dir)
            print(f"  rep {rep}: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()), flush=True)
            reps.append(times)
    finally:
        relay.stop()
        bench.stop_sshd(server)
        shutil.rmtree(bench.WORK, ignore_errors=True)
    report(reps)


def report(reps: list[dict[str, float]]) -> None:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in reps)

    speedups = [r["raw_4_8_full"] / r["ours_full"] for r in reps]
    text = (f"\n## cloud_latency.py — {time.strftime('%Y-%m-%d %H:%M')} ({FILES} files of 1–8 KB, {RTT_MS:.0f} ms "
            f"round trip added by a relay, {REPEAT} repetitions, medians; OpenSSH SFTP-only server on 127.0.0.1)\n\n"
            "| Anemone full (`" + " ".join(bench.sync.TUNING) + "`) | raw rclone full, default 4 transfers / 8 checkers, "
            "same remote | speed-up | Anemone no-op |\n|---|---|---|---|\n"
            f"| {med('ours_full'):.1f} s | {med('raw_4_8_full'):.1f} s | {statistics.median(speedups):.2f}× "
            f"({min(speedups):.2f}–{max(speedups):.2f}) | {med('ours_noop'):.1f} s |\n")
    print(text)
    if RECORD:
        with (bench.ROOT / "bench" / "RESULTS.md").open("a") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
