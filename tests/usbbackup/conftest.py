"""Real mounts for the USB tests: a drive root in a temp dir, loop-mounted ext4 images or tmpfs.

Everything mounted here is unmounted in teardown, also when the test fails (lazy unmount as a last
resort, so a busy mount never outlives the session). Loop devices come with autoclear (mount -o
loop), so unmounting frees them.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid as uuidlib
from pathlib import Path

import pytest

MKFS_EXT4 = shutil.which("mkfs.ext4") or "/usr/sbin/mkfs.ext4"


class Mounts:
    """Mount/unmount helper that remembers what it mounted."""

    def __init__(self, root: Path):
        self.root = root
        self.mounted: list[Path] = []
        self.images: dict[Path, Path] = {}

    def tmpfs(self, name: str, size: str = "16m") -> Path:
        point = self.root / name
        point.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)], check=True)
        self.mounted.append(point)
        return point

    def ext4(self, name: str, *, label: str = "", fs_uuid: str = "", size_mb: int = 24,
             image: Path | None = None) -> Path:
        """A loop-mounted ext4 image (kept in the root's parent so it can be mounted again later)."""
        point = self.root / name
        point.mkdir(parents=True, exist_ok=True)
        if image is None:
            image = self.root.parent / f"{name.replace('/', '_')}-{uuidlib.uuid4().hex[:6]}.img"
            with open(image, "wb") as handle:
                handle.truncate(size_mb * 1024 * 1024)
            args = [MKFS_EXT4, "-q", "-F", "-m", "0"]
            if label:
                args += ["-L", label]
            args += ["-U", fs_uuid or str(uuidlib.uuid4()), str(image)]
            subprocess.run(args, check=True)
        subprocess.run(["mount", "-o", "loop", str(image), str(point)], check=True)
        self.mounted.append(point)
        self.images[point] = image
        return point

    def umount(self, point: Path) -> None:
        if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)
        if point in self.mounted:
            self.mounted.remove(point)

    def is_mounted(self, point: Path) -> bool:
        """From mountinfo (os.path.ismount misses bind mounts of the same filesystem)."""
        from usbbackup.detection import read_mountinfo

        return any(e.mount_point == str(point) for e in read_mountinfo())

    def cleanup(self) -> None:
        for point in reversed(list(self.mounted)):
            for _attempt in range(3):  # stacked mounts on one point come off one by one
                if not self.is_mounted(point):
                    break
                self.umount(point)
        self.mounted.clear()


@pytest.fixture
def usb_root(tmp_path, db):  # type: ignore[no-untyped-def]
    """A folder playing /media, configured as the only place drives are looked for."""
    from usbbackup.models import UsbSettings

    root = tmp_path / "media"
    root.mkdir()
    settings_row = UsbSettings.load()
    settings_row.mount_roots = str(root)
    settings_row.save()
    return root


@pytest.fixture
def mounts(usb_root):  # type: ignore[no-untyped-def]
    helper = Mounts(usb_root)
    yield helper
    helper.cleanup()


@pytest.fixture
def usb_drive(mounts):  # type: ignore[no-untyped-def]
    """One ext4 drive with a label and a UUID, mounted under the root ("my drive": a space in the path)."""
    return mounts.ext4("my drive", label="BACKUP1", size_mb=48)


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
