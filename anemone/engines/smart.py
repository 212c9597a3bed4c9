"""smartctl (smartmontools), the one wrapper: which disks report SMART trouble.

Read-only questions only: ``--scan`` for the disks, then ``-H -l selftest`` per disk with ``-n standby`` so a
sleeping disk is not spun up every few minutes just to be asked (it is asked again at the next check). A disk
that cannot be asked (a VM's virtual disk, a loop device, a USB bridge without SAT) is "unknown", never
"failing": only what the disk itself says counts. Where smartmontools is not installed the watch says nothing.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

from anemone.engines import proc

TIMEOUT = 60
# smartctl's exit status is a bit mask (smartctl(8) "RETURN VALUES"): the bits that mean the disk is in trouble.
FAILING_BIT, PREFAIL_BIT, SELFTEST_BIT = 1 << 3, 1 << 4, 1 << 7
UNREADABLE_BITS = (1 << 0) | (1 << 1) | (1 << 2)  # bad arguments, device not opened / asleep, command failed


@dataclass(frozen=True)
class DiskHealth:
    device: str
    model: str
    serial: str
    problems: tuple[str, ...]  # "failing" (overall health check failed), "prefail", "selftest"

    @property
    def in_trouble(self) -> bool:
        return bool(self.problems)


def available() -> bool:
    return shutil.which("smartctl") is not None


def _json(argv: list[str]) -> dict:
    """smartctl's --json answer (any exit status: it is a bit mask read by the caller); {} if unreadable."""
    lines: list[str] = []
    proc.run(argv, timeout=TIMEOUT, on_line=lambda stream, line: lines.append(line) if stream == "stdout" else None)
    try:
        return json.loads("\n".join(lines))
    except json.JSONDecodeError:
        return {}


def scan() -> list[tuple[str, str]]:
    """(device, device type) of every disk smartctl finds."""
    found = _json(["smartctl", "--scan", "--json"])
    return [(d["name"], d.get("type", "auto")) for d in found.get("devices", []) if d.get("name")]


def health(device: str, device_type: str = "auto") -> DiskHealth | None:
    """What the disk says of itself; None when it cannot be asked (asleep, unsupported, gone)."""
    return parse_health(_json(["smartctl", "--json", "-H", "-l", "selftest", "-n", "standby", "-d", device_type,
                               device]), device)


def parse_health(data: dict, device: str) -> DiskHealth | None:
    status = int(data.get("smartctl", {}).get("exit_status", 1))
    passed = data.get("smart_status", {}).get("passed")
    if status & UNREADABLE_BITS and passed is None:
        return None
    problems = []
    if status & FAILING_BIT or passed is False:
        problems.append("failing")
    if status & PREFAIL_BIT:
        problems.append("prefail")
    if status & SELFTEST_BIT:
        problems.append("selftest")
    return DiskHealth(device=device, model=str(data.get("model_name", "")), serial=str(data.get("serial_number", "")),
                      problems=tuple(problems))
