"""Drive detection: recorded mountinfo/lsblk samples, this machine's real mountinfo, real mounts."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from usbbackup import detection

ROOTS = ["/mnt", "/media", "/run/media"]

# Recorded on desktops and servers (Debian 12, Fedora 39, Ubuntu 22.04), trimmed to what matters.
SAMPLE_MOUNTINFO = r"""22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
30 29 259:1 / /boot/efi rw,relatime shared:3 - vfat /dev/nvme0n1p1 rw,fmask=0077,dmask=0077
45 29 0:40 / /run/user/1000 rw,nosuid,nodev,relatime shared:300 - tmpfs tmpfs rw,size=1606788k,mode=700
98 29 8:17 / /media/alice/BACKUP rw,nosuid,nodev,relatime shared:52 - ext4 /dev/sdb1 rw
102 29 8:33 / /run/media/bob/Disque\040Photos rw,nosuid,nodev,relatime shared:55 - exfat /dev/sdc1 rw,fmask=0022,dmask=0022,iocharset=utf8,errors=remount-ro
110 29 8:49 / /media/usb\040key\134old rw,nosuid,nodev,relatime shared:60 master:1 - vfat /dev/sdd1 rw,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro
120 29 8:65 / /mnt/Windows\040Data ro,relatime shared:70 - ntfs3 /dev/sde1 ro,uid=1000,gid=1000,iocharset=utf8
121 29 8:81 / /media/alice/NTFS\011Tab rw,nosuid,nodev,relatime shared:71 - fuseblk /dev/sdf1 rw,user_id=0,group_id=0,default_permissions,allow_other,blksize=4096
130 29 0:55 / /mntx/other rw,relatime shared:80 - ext4 /dev/sdg1 rw
131 98 0:56 / /media/alice/BACKUP/.snap rw,relatime - autofs systemd-1 rw,fd=45
this line is garbage
"""

SAMPLE_LSBLK = json.dumps({"blockdevices": [
    {"name": "sdb", "path": "/dev/sdb", "label": None, "uuid": None, "fstype": None, "mountpoints": [None],
     "size": "931.5G", "children": [
         {"name": "sdb1", "path": "/dev/sdb1", "label": "BACKUP", "uuid": "3f1c9a2e-7d1b-4c55-9a7e-0f3b2c1d4e5f",
          "fstype": "ext4", "mountpoints": ["/media/alice/BACKUP"], "size": "931.5G"}]},
    {"name": "sdc1", "path": "/dev/sdc1", "label": "Disque Photos", "uuid": "64B2-1F0A", "fstype": "exfat",
     "mountpoint": "/run/media/bob/Disque Photos", "size": "58G"},
]})


def test_it_decodes_octal_escapes():
    assert detection.unescape(r"/media/usb\040key\134old\011x\012y") == "/media/usb key\\old\tx\ny"


def test_it_parses_recorded_mountinfo_of_every_filesystem_kind():
    entries = detection.parse_mountinfo(SAMPLE_MOUNTINFO)
    assert len(entries) == 12  # the garbage line is ignored
    by_point = {e.mount_point: e for e in entries}
    assert by_point["/media/alice/BACKUP"].fstype == "ext4"
    assert by_point["/media/alice/BACKUP"].source == "/dev/sdb1"
    assert by_point["/run/media/bob/Disque Photos"].fstype == "exfat"
    assert by_point["/media/usb key\\old"].fstype == "vfat"  # optional fields (shared:, master:) skipped
    assert by_point["/mnt/Windows Data"].fstype == "ntfs3" and by_point["/mnt/Windows Data"].read_only
    assert by_point["/media/alice/NTFS\tTab"].fstype == "fuseblk"
    assert not by_point["/media/alice/BACKUP"].read_only


def test_it_keeps_only_real_filesystems_under_the_roots():
    chosen = detection.candidate_mounts(detection.parse_mountinfo(SAMPLE_MOUNTINFO), ROOTS)
    assert sorted(e.mount_point for e in chosen) == sorted([
        "/media/alice/BACKUP", "/run/media/bob/Disque Photos", "/media/usb key\\old", "/mnt/Windows Data",
        "/media/alice/NTFS\tTab"])  # not /, /boot/efi, /run/user (tmpfs outside roots), /mntx, autofs


def test_it_reads_labels_and_uuids_from_lsblk_json_old_and_new():
    info = detection.parse_lsblk(SAMPLE_LSBLK)
    assert info["/dev/sdb1"]["uuid"] == "3f1c9a2e-7d1b-4c55-9a7e-0f3b2c1d4e5f"
    assert info["/media/alice/BACKUP"]["label"] == "BACKUP"
    assert info["/run/media/bob/Disque Photos"]["label"] == "Disque Photos"  # old single "mountpoint"
    assert detection.parse_lsblk("not json") == {}


def test_it_parses_blkid_export():
    assert detection.parse_blkid_export('DEVNAME=/dev/loop0\nLABEL=BACKUP1\nUUID=81df-73e9\nTYPE=ext4\n') == {
        "label": "BACKUP1", "uuid": "81df-73e9", "fstype": "ext4"}


def test_it_reads_the_real_mountinfo_as_findmnt_does_even_with_odd_mount_points(mounts):
    """util-linux's findmnt is the reference: same mounts, same decoded paths (space, tab, \\, é, newline)."""
    odd = mounts.tmpfs("Disque Photos\tn°2\\old é\nx")
    for _attempt in range(5):  # other test sessions on this machine may mount something in between
        entries = detection.read_mountinfo()
        listed = json.loads(subprocess.run(["findmnt", "--json", "--list", "-o", "ID,TARGET,FSTYPE"], check=True,
                                           capture_output=True, text=True).stdout)["filesystems"]
        if detection.read_mountinfo() == entries:
            break
    assert [(e.mount_id, e.mount_point, e.fstype) for e in entries] == [
        (int(f["id"]), f["target"], f["fstype"]) for f in listed]
    assert str(odd) in [e.mount_point for e in entries] and "/" in [e.mount_point for e in entries]
    assert [d.mount_point for d in detection.detect_drives()] == [str(odd)]


@pytest.mark.django_db
def test_it_never_offers_the_root_or_the_data_dir_filesystem_from_the_real_mountinfo(data_dir):
    drives = detection.detect_drives(roots=["/"])
    forbidden = {os.stat("/").st_dev, os.stat(data_dir).st_dev}
    assert all(d.st_dev not in forbidden for d in drives)
    assert all(d.fstype not in detection.PSEUDO_FS for d in drives)
    assert "/" not in [d.mount_point for d in drives]


def test_it_detects_a_real_ext4_drive_with_label_uuid_and_sizes(mounts):
    point = mounts.ext4("usb key\tnr 1", label="PHOTOS", fs_uuid="0b5e8f52-3d6a-4a7e-9c1b-2f4d6e8a0c11")
    drives = detection.detect_drives()
    assert [d.mount_point for d in drives] == [str(point)]
    drive = drives[0]
    assert (drive.fstype, drive.label, drive.uuid) == ("ext4", "PHOTOS", "0b5e8f52-3d6a-4a7e-9c1b-2f4d6e8a0c11")
    assert drive.device.startswith("/dev/loop")
    assert 15 * 2**20 < drive.size_bytes <= 24 * 2**20 and 0 < drive.free_bytes <= drive.size_bytes
    assert drive.identity == ("uuid", "0b5e8f52-3d6a-4a7e-9c1b-2f4d6e8a0c11")


def test_it_detects_a_tmpfs_and_forgets_it_once_unmounted(mounts):
    point = mounts.tmpfs("stick", size="8m")
    drive = detection.find_mount(str(point))
    assert drive is not None and drive.fstype == "tmpfs" and drive.identity == ("path", str(point))
    assert abs(drive.size_bytes - 8 * 2**20) < 2**20
    mounts.umount(point)
    assert detection.detect_drives() == []


def test_it_never_offers_a_bind_mount_of_the_root_filesystem(mounts, tmp_path):
    source = tmp_path / "on-root-disk"
    source.mkdir()
    point = mounts.root / "fake-drive"
    point.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(point)], check=True)
    mounts.mounted.append(point)
    assert any(e.mount_point == str(point) for e in detection.read_mountinfo())
    assert detection.detect_drives() == []


def test_it_never_offers_the_drive_that_holds_the_data_dir(mounts, settings):
    point = mounts.tmpfs("server-disk")
    other = mounts.tmpfs("real-usb")
    settings.DATA_DIR = point / "data"
    settings.DATA_DIR.mkdir()
    assert [d.mount_point for d in detection.detect_drives()] == [str(other)]


def test_it_refuses_paths_that_leave_the_drive(mounts, tmp_path):
    point = mounts.tmpfs("stick")
    drive = detection.find_mount(str(point))
    assert detection.ensure_on_drive(drive, point / "anemone-backup") == point / "anemone-backup"
    (point / "escape").symlink_to(tmp_path)
    with pytest.raises(detection.NotOnDrive):
        detection.ensure_on_drive(drive, point / "escape" / "x")
    with pytest.raises(detection.NotOnDrive):
        detection.ensure_on_drive(drive, point / ".." / "elsewhere")
    mounts.umount(point)  # unplugged: the empty mount point is a folder of the root disk
    with pytest.raises(detection.NotOnDrive):
        detection.ensure_on_drive(drive, point / "anemone-backup")


# Issue #11 item 16, recorded on this build machine (findmnt): a read-only system tmpfs under /mnt, and the
# system's own tmpfs mounts, next to one real USB stick.
SYSTEM_MOUNTINFO = r"""24 27 0:5 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334192k,nr_inodes=3083548,mode=755
25 24 0:24 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683584k
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
28 27 0:26 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755
31 23 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
45 27 0:40 / /run/user/1000 rw,nosuid,nodev,relatime shared:300 - tmpfs tmpfs rw,size=1606788k,mode=700
46 27 0:41 / /run/media/anna/STICK rw,nosuid,nodev,relatime - vfat /dev/sdb1 rw,fmask=0022
47 27 0:42 / /boot/efi rw,relatime - vfat /dev/vda1 rw
"""


def test_it_sees_the_recorded_system_tmpfs_as_read_only_and_never_a_system_mount_as_a_drive():
    entries = detection.parse_mountinfo(SYSTEM_MOUNTINFO)
    sandbox = next(e for e in entries if e.mount_point.startswith("/mnt/sandboxing"))
    assert sandbox.read_only and sandbox.fstype == "tmpfs"
    chosen = [e.mount_point for e in detection.candidate_mounts(entries, ["/"])]
    # /dev, /dev/shm, /sys/fs/cgroup, /run/user, /boot/efi are the system's; "/" is dropped later (by device).
    assert sorted(chosen) == ["/", "/mnt/sandboxing/model_tools_env/v1/python", "/run/media/anna/STICK"]


def findmnt_read_only() -> set[str]:
    listed = json.loads(subprocess.run(["findmnt", "--json", "--list", "-o", "TARGET,OPTIONS"], check=True,
                                       capture_output=True, text=True).stdout)["filesystems"]
    return {f["target"] for f in listed if "ro" in f["options"].split(",")}


@pytest.mark.django_db
def test_it_offers_no_read_only_or_system_mount_of_this_machine(data_dir):
    """This machine's real mount table (findmnt is the reference): with "/" as the only root, what is offered
    is writable, neither a system mount nor the root or data filesystem."""
    read_only = findmnt_read_only()
    offered = detection.detect_drives(roots=["/"]) + detection.detect_drives()  # "/" and the default roots
    assert [d.mount_point for d in offered if d.mount_point in read_only] == []
    assert [d.mount_point for d in offered if detection.is_system_mount(d.mount_point)] == []
    assert all(not d.read_only for d in offered)


def test_a_read_only_tmpfs_under_the_roots_is_no_drive_on_the_page_the_api_or_eject(mounts, admin_user, client):
    from tests.conftest import api_client_for

    frozen = mounts.tmpfs("system-python", size="1m")
    subprocess.run(["mount", "-o", "remount,ro", str(frozen)], check=True)
    stick = mounts.tmpfs("stick")
    assert str(frozen) in findmnt_read_only()
    assert [d.mount_point for d in detection.detect_drives()] == [str(stick)]
    client.force_login(admin_user)
    page = client.get("/usb/").content.decode()
    assert str(frozen) not in page and page.count('class="secondary eject"') == 1
    api = api_client_for(None)
    api.force_authenticate(admin_user)
    assert [d["mount_point"] for d in api.get("/api/v1/usb/drives/").json()] == [str(stick)]
    assert api.post("/api/v1/usb/drives/eject/", {"mount_point": str(frozen)}, format="json").status_code == 404
    client.post("/usb/eject/", {"mount": str(frozen)})
    assert mounts.is_mounted(frozen)  # never unmounted by us


def test_a_write_protected_drive_holding_a_backup_is_listed_read_only_to_import_from(mounts, admin_user, client):
    from usbbackup.layout import MANIFEST

    point = mounts.ext4("old drive", label="OLDBACKUP")
    (point / "anemone-backup").mkdir()
    (point / "anemone-backup" / MANIFEST).write_text("{}")
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
    drives = detection.detect_drives()
    assert [(d.mount_point, d.read_only, d.has_backup, d.ejectable) for d in drives] == [
        (str(point), True, True, True)]
    client.force_login(admin_user)
    page = client.get("/usb/").content.decode()
    assert "OLDBACKUP" in page and "Back up to this drive" not in page and "can be imported from" in page
