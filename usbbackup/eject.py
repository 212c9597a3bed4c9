"""Safe removal: flush, unmount, power the drive off where the system allows.

A busy drive (a shell sitting in it, a file open) cannot be unmounted; we then say which programs
hold it, found by scanning /proc/<pid>/{cwd,root,exe,fd/*} for paths on that mount, so the admin
knows what to close.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from anemone.engines import proc
from usbbackup.detection import Drive


class EjectError(Exception):
    """The drive could not be unmounted; the message says why and what holds it."""

    def __init__(self, message: str, holders: list[Holder] | None = None):
        self.holders = holders or []
        super().__init__(message)


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    path: str


@dataclass
class EjectResult:
    mount_point: str
    unmounted: bool = False
    powered_off: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = _("%(mount)s is unmounted.") % {"mount": self.mount_point}
        if self.powered_off:
            text += " " + _("The drive is powered off: you can unplug it.")
        else:
            text += " " + _("You can unplug it safely.")
        return " ".join([text, *self.notes])


def _under(path: str, mount: str) -> bool:
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def _command(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = handle.read().split(b"\0")
        name = os.path.basename(argv[0].decode(errors="replace")) if argv and argv[0] else ""
    except OSError:
        name = ""
    if not name:
        try:
            with open(f"/proc/{pid}/comm") as handle:
                name = handle.read().strip()
        except OSError:
            name = "?"
    return name


def holders(mount_point: str) -> list[Holder]:
    """Processes with their working dir, root, binary or an open file on this mount."""
    mount = os.path.realpath(mount_point)
    found: list[Holder] = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        links = [f"/proc/{pid}/{n}" for n in ("cwd", "root", "exe")]
        try:
            links += [f"/proc/{pid}/fd/{fd}" for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            pass
        for link in links:
            try:
                target = os.readlink(link)
            except OSError:
                continue
            if _under(target, mount) and not (link.endswith("/root") and target == "/"):
                found.append(Holder(pid=int(pid), command=_command(pid), path=target))
                break
    return found


def describe_holders(found: list[Holder]) -> str:
    return ", ".join(f"{h.command} (pid {h.pid}, {h.path})" for h in found[:10])


def unmount(drive: Drive) -> None:
    """umount, with a readable error naming what holds the drive when it is busy."""
    try:
        result = proc.run(["umount", "--", drive.mount_point], timeout=120)
    except proc.ProcError as exc:
        raise EjectError(str(exc)) from exc
    if result.ok:
        return
    found = holders(drive.mount_point)
    if found or "busy" in result.stderr:
        raise EjectError(
            _("The drive is busy: %(holders)s. Close these programs (or leave the folder) and try again.")
            % {"holders": describe_holders(found) or _("a program of the system")}, found)
    raise EjectError(_("Could not unmount %(mount)s: %(error)s") % {
        "mount": drive.mount_point, "error": result.stderr.strip()[-300:] or result.returncode})


def parent_disk(device: str) -> str:
    """/dev/sdb1 → /dev/sdb (udisksctl powers off whole disks)."""
    name = os.path.basename(device)
    sys_path = f"/sys/class/block/{name}"
    if os.path.exists(os.path.join(sys_path, "partition")):
        return "/dev/" + os.path.basename(os.path.dirname(os.path.realpath(sys_path)))
    return device


def power_off(device: str) -> tuple[bool, str]:
    """Spin down and power off a USB disk with udisksctl when both are available."""
    if not device.startswith("/dev/") or device.startswith(("/dev/loop", "/dev/mapper/")):
        return False, ""
    if not shutil.which("udisksctl"):
        return False, _("(Powering off needs udisks2; the drive is unmounted all the same.)")
    try:
        result = proc.run(["udisksctl", "power-off", "--no-user-interaction", "-b", parent_disk(device)], timeout=60)
    except proc.ProcError as exc:
        return False, str(exc)
    return result.ok, "" if result.ok else _("(Power off refused: %(why)s)") % {"why": result.stderr.strip()[-200:]}


def eject(drive: Drive) -> EjectResult:
    """Flush, unmount and power off one detected drive. Raises EjectError when it stays mounted."""
    from usbbackup.services import active_run_on_drive

    if not drive.ejectable:  # a read-only mount that is not a device (a system tmpfs): not ours to unmount
        raise EjectError(_("%(mount)s is not a removable drive: Anemone does not unmount it.")
                         % {"mount": drive.mount_point})
    if run := active_run_on_drive(drive):
        raise EjectError(_("A backup to this drive is running (%(run)s): wait for it to finish.") % {"run": run})
    os.sync()
    unmount(drive)
    result = EjectResult(mount_point=drive.mount_point, unmounted=True)
    powered, note = power_off(drive.device)
    result.powered_off = powered
    if note:
        result.notes.append(note)
    return result
