"""Which removable drives are mounted, read from /proc/self/mountinfo (no udev/udisks needed).

A "drive" is a real filesystem mounted at or under one of the configured roots (default /mnt,
/media, /run/media) that can hold a backup: writable by us, not a kernel or system mount (/proc,
/sys, /dev, /run outside /run/media, /boot). The root filesystem and the filesystem holding the data
directory are never offered, whatever their mount point: a backup "to the drive" that lands on the
server's own disk is no backup. A mount we cannot write to (read-only, like a system's read-only
tmpfs under /mnt) is not a drive either — unless it already holds an Anemone backup, which can still
be imported from a write-protected drive (it is then shown read-only, with no "back up here"). Labels and UUIDs come from ``lsblk --json`` (``blkid`` for loop devices lsblk skips),
sizes from statvfs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from anemone.engines import proc

MOUNTINFO = "/proc/self/mountinfo"
# Kernel and virtual filesystems that are never a drive someone plugged in.
PSEUDO_FS = {
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "mqueue", "debugfs", "tracefs", "securityfs",
    "pstore", "bpf", "fusectl", "configfs", "binfmt_misc", "hugetlbfs", "nsfs", "autofs", "rpc_pipefs",
    "efivarfs", "selinuxfs", "overlay", "squashfs", "ramfs", "fuse.gvfsd-fuse", "fuse.portal", "nfsd",
}
# Where the system mounts its own filesystems: never a drive, even under a root such as "/".
SYSTEM_MOUNTS = ("/proc", "/sys", "/dev", "/run", "/boot", "/efi")
SYSTEM_EXCEPTIONS = ("/run/media",)  # udisks mounts people's drives here
_OCTAL = re.compile(r"\\([0-7]{3})")


class NotOnDrive(Exception):
    """A path we were about to write to is not on the job's drive (the one thing we never do)."""


@dataclass(frozen=True)
class MountEntry:
    """One line of /proc/self/mountinfo, with octal escapes (\\040 for space...) decoded."""

    mount_id: int
    parent_id: int
    major_minor: str
    root: str
    mount_point: str
    options: str
    fstype: str
    source: str
    super_options: str

    @property
    def read_only(self) -> bool:
        return "ro" in self.options.split(",") or "ro" in self.super_options.split(",")


@dataclass
class Drive:
    """A mounted filesystem offered as a backup drive."""

    mount_point: str
    device: str
    fstype: str
    label: str = ""
    uuid: str = ""
    size_bytes: int = 0
    free_bytes: int = 0
    read_only: bool = False
    st_dev: int = 0
    has_backup: bool = False
    backup_folders: list[str] = field(default_factory=list)

    @property
    def ejectable(self) -> bool:
        """Eject makes sense for a drive that can take a backup, or a real (block) device holding one."""
        return not self.read_only or self.device.startswith("/dev/")

    @property
    def identity(self) -> tuple[str, str]:
        if self.uuid:
            return "uuid", self.uuid
        if self.label:
            return "label", self.label
        return "path", self.mount_point

    @property
    def display_name(self) -> str:
        return self.label or self.uuid or os.path.basename(self.mount_point) or self.mount_point

    @property
    def used_percent(self) -> float:
        return round(100 * (self.size_bytes - self.free_bytes) / self.size_bytes, 1) if self.size_bytes else 0.0

    def matches(self, job) -> bool:
        """Is this the drive of a job (by UUID, else label, else mount path)?"""
        kind, value = job.drive_identity
        if not value:
            return False
        if kind == "uuid":
            return self.uuid.lower() == value.lower()
        if kind == "label":
            return self.label == value
        return os.path.realpath(self.mount_point) == os.path.realpath(value)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["identity"] = "{}:{}".format(*self.identity)
        return data


def unescape(value: str) -> str:
    """Decode the kernel's octal escapes: '\\040' → ' ', '\\011' → tab, '\\134' → backslash."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), value)


def parse_mountinfo(text: str) -> list[MountEntry]:
    """Parse mountinfo lines (proc(5)): optional fields end at a lone '-' separator."""
    entries = []
    for line in text.splitlines():
        fields = line.split(" ")
        try:
            sep = fields.index("-", 6)
            entries.append(MountEntry(
                mount_id=int(fields[0]), parent_id=int(fields[1]), major_minor=fields[2],
                root=unescape(fields[3]), mount_point=unescape(fields[4]), options=fields[5],
                fstype=fields[sep + 1], source=unescape(fields[sep + 2]),
                super_options=fields[sep + 3] if len(fields) > sep + 3 else "",
            ))
        except (ValueError, IndexError):
            continue  # a line we do not understand is not a drive
    return entries


def read_mountinfo(path: str = MOUNTINFO) -> list[MountEntry]:
    return parse_mountinfo(Path(path).read_text(errors="surrogateescape"))


def parse_lsblk(text: str) -> dict[str, dict[str, str]]:
    """lsblk --json output → {device path or mount point: {"label", "uuid", "fstype", "path"}}."""
    try:
        devices = json.loads(text).get("blockdevices") or []
    except (ValueError, AttributeError):
        return {}
    found: dict[str, dict[str, str]] = {}

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            info = {"label": node.get("label") or "", "uuid": node.get("uuid") or "",
                    "fstype": node.get("fstype") or "", "path": node.get("path") or ""}
            if info["path"]:
                found[info["path"]] = info
            points = node.get("mountpoints") or [node.get("mountpoint")]
            for point in points:
                if point:
                    found[point] = info
            walk(node.get("children") or [])

    walk(devices)
    return found


def parse_blkid_export(text: str) -> dict[str, str]:
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {"label": values.get("LABEL", ""), "uuid": values.get("UUID", ""), "fstype": values.get("TYPE", "")}


def block_info() -> dict[str, dict[str, str]]:
    """Labels and UUIDs from lsblk, if it is installed and answers; {} otherwise."""
    if not shutil.which("lsblk"):
        return {}
    try:
        result = proc.run(["lsblk", "--json", "-o", "NAME,PATH,LABEL,UUID,FSTYPE,MOUNTPOINTS,SIZE"], timeout=15)
    except proc.ProcError:
        return {}
    return parse_lsblk(result.stdout) if result.ok else {}


def blkid_info(device: str) -> dict[str, str]:
    """blkid for one device lsblk did not describe (loop devices in containers, for instance).

    ``-p`` probes the superblock itself (a cached answer may describe the previous filesystem of a
    reused loop device); without read access to the device, the cache is better than nothing.
    """
    if not device.startswith("/dev/") or not shutil.which("blkid"):
        return {}
    for args in (["-p"], []):
        try:
            result = proc.run(["blkid", *args, "-o", "export", "--", device], timeout=15)
        except proc.ProcError:
            return {}
        if result.ok and result.stdout.strip():
            return parse_blkid_export(result.stdout)
    return {}


def configured_roots() -> list[str]:
    from usbbackup.models import UsbSettings

    return UsbSettings.load().roots()


def is_under(path: str, roots: list[str]) -> bool:
    for root in roots:
        root = root.rstrip("/")
        if path == (root or "/") or path.startswith(root + "/"):  # "/" holds every path
            return True
    return False


def forbidden_devices() -> set[int]:
    """st_dev of the root filesystem and of the data directory: never a backup drive."""
    devices = {os.stat("/").st_dev}
    try:
        devices.add(os.stat(settings.DATA_DIR).st_dev)
    except OSError:
        pass
    return devices


def is_system_mount(path: str) -> bool:
    """/proc, /sys, /dev, /run (but /run/media), /boot...: the system's own mounts, whatever their type."""
    return is_under(path, list(SYSTEM_MOUNTS)) and not is_under(path, list(SYSTEM_EXCEPTIONS))


def candidate_mounts(entries: list[MountEntry], roots: list[str]) -> list[MountEntry]:
    """Real filesystems mounted under the roots; the topmost mount wins where two share a point."""
    visible: dict[str, MountEntry] = {}
    for entry in entries:
        if entry.fstype in PSEUDO_FS or is_system_mount(entry.mount_point) or not is_under(entry.mount_point, roots):
            visible.pop(entry.mount_point, None)  # a pseudo-fs stacked on a point hides what was under it
            continue
        visible[entry.mount_point] = entry
    return list(visible.values())


def describe(entry: MountEntry, blocks: dict[str, dict[str, str]], forbidden: set[int]) -> Drive | None:
    """Turn one mount into a Drive, or None when it is unreachable or one of ours."""
    try:
        st_dev = os.stat(entry.mount_point).st_dev
        vfs = os.statvfs(entry.mount_point)
    except OSError:
        return None
    if st_dev in forbidden:
        return None
    info = blocks.get(entry.source) or blocks.get(entry.mount_point) or {}
    if not (info.get("uuid") or info.get("label")):  # lsblk without udev knows loop devices by name only
        info = blkid_info(entry.source) or info
    drive = Drive(
        mount_point=entry.mount_point, device=entry.source, fstype=entry.fstype,
        label=info.get("label", ""), uuid=info.get("uuid", ""),
        size_bytes=vfs.f_blocks * vfs.f_frsize, free_bytes=vfs.f_bavail * vfs.f_frsize,
        read_only=not writable(entry, vfs), st_dev=st_dev,
    )
    drive.backup_folders = backup_folders(entry.mount_point)
    drive.has_backup = bool(drive.backup_folders)
    if drive.read_only and not drive.has_backup:
        return None  # cannot hold a backup, and holds none to import: not a drive
    return drive


def writable(entry: MountEntry, vfs: os.statvfs_result) -> bool:
    """Can a backup be written there? Mounted read-write, and the service account may write at its top."""
    if entry.read_only or vfs.f_flag & os.ST_RDONLY:
        return False
    return os.access(entry.mount_point, os.W_OK | os.X_OK)


def backup_folders(mount_point: str) -> list[str]:
    """Folders at the top of a drive that hold an Anemone backup (a manifest beside a restic repo)."""
    from usbbackup.layout import MANIFEST

    try:
        names = sorted(os.listdir(mount_point))
    except OSError:
        return []
    return [n for n in names if os.path.isfile(os.path.join(mount_point, n, MANIFEST))]


def detect_drives(roots: list[str] | None = None, mountinfo: str = MOUNTINFO) -> list[Drive]:
    """Every drive mounted under the roots right now, sorted by mount point."""
    roots = configured_roots() if roots is None else roots
    entries = candidate_mounts(read_mountinfo(mountinfo), roots)
    if not entries:
        return []
    blocks = block_info()
    forbidden = forbidden_devices()
    drives = [d for d in (describe(e, blocks, forbidden) for e in entries) if d is not None]
    return sorted(drives, key=lambda d: d.mount_point)


def find_drive(job, drives: list[Drive] | None = None) -> Drive | None:
    """The job's drive if it is mounted now (wherever), else None."""
    for drive in detect_drives() if drives is None else drives:
        if drive.matches(job):
            return drive
    return None


def find_mount(mount_point: str, drives: list[Drive] | None = None) -> Drive | None:
    wanted = os.path.realpath(mount_point)
    for drive in detect_drives() if drives is None else drives:
        if os.path.realpath(drive.mount_point) == wanted:
            return drive
    return None


def ensure_on_drive(drive: Drive, path: Path | str) -> Path:
    """Refuse any path whose real location is not on this drive's mounted filesystem.

    Checked right before writing: the mount point still resolves inside itself, the path (and its
    nearest existing parent) sits on the drive's st_dev, and that device is neither the root
    filesystem's nor the data directory's. A drive unplugged and its mount point left as an empty
    folder on the root disk is refused here.
    """
    mount = os.path.realpath(drive.mount_point)
    real = os.path.realpath(path)
    if real != mount and not real.startswith(mount.rstrip("/") + "/"):
        raise NotOnDrive(f"{path} leads outside the drive mounted at {drive.mount_point}.")
    try:
        mount_dev = os.stat(mount).st_dev
    except OSError as exc:
        raise NotOnDrive(f"The drive at {drive.mount_point} is not reachable: {exc.strerror}.") from exc
    if mount_dev != drive.st_dev or mount_dev in forbidden_devices():
        raise NotOnDrive(f"{drive.mount_point} is not the drive any more (it is the server's own disk).")
    probe = Path(real)
    while not probe.exists():
        probe = probe.parent
    if os.stat(probe).st_dev != mount_dev:
        raise NotOnDrive(f"{path} is on another filesystem than the drive at {drive.mount_point}.")
    return Path(real)
