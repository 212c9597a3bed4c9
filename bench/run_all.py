"""`make bench`: every benchmark in turn, each in its own process; each appends its table to RESULTS.md.

    .venv/bin/python bench/run_all.py                      # all, full size
    BENCH_SCALE=0.05 .venv/bin/python bench/run_all.py     # all, quick (each script reads BENCH_SCALE)
    .venv/bin/python bench/run_all.py p2p_backup           # only these
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Registered benchmarks, in the order they run. A new bench script is added here.
SCRIPTS = ["cloud_sync.py", "p2p_backup.py", "shares.py"]


def main(argv: list[str]) -> int:
    unregistered = sorted(p.name for p in HERE.glob("*.py") if p.name not in {*SCRIPTS, Path(__file__).name})
    if unregistered:
        print(f"not registered in run_all.py (skipped): {', '.join(unregistered)}", flush=True)
    wanted = [s for s in SCRIPTS if not argv or s.removesuffix(".py") in {a.removesuffix(".py") for a in argv}]
    failed = []
    for script in wanted:
        print(f"== {script}", flush=True)
        start = time.monotonic()
        code = subprocess.run([sys.executable, str(HERE / script)], check=False).returncode
        print(f"== {script}: exit {code} after {time.monotonic() - start:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
