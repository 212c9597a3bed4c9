"""Samba's configuration and accounts, written from the database (the one source of truth).

Shares: two per person, ``<username>-backup`` and ``<username>-data``, one per area. Two shares rather than
one share holding both folders, because each area has its own quota and its own rules (backup/ is what
goes to the peers and the cloud), and Samba reports free space and turns read-only per share: with one
share, a full backup/ would have made data/ read-only too, and Explorer could show only one free figure.
``access based share enum`` lists to each person only the shares they may open, so nobody sees another
person's name in a share list.

Accounts: each device password is its own Samba account (``zoe~3``: Samba keeps one password per
account), with the NT hash sealed at creation. Only the person's own device accounts are ``valid users``
of their shares; files are written as the service account (``force user``).

Quotas: the share reports the person's quota as the disk size and what is left as free space (Samba's
``dfree command``, figures from our counters), so Explorer and Finder refuse a copy that cannot fit before
it starts. Samba has no hook to refuse one write past a quota, so when an area is full its share turns
read-only (and the clients connected to it are asked to log in again, which applies it) until the person
frees space; the portal says so on their dashboard. That is the choice the issue offers, taken because it
never leaves half a file behind.

Deletes: Samba's recycle module moves them into a staging folder inside the person's trash, and
``serve_smb`` turns each into a trash entry the portal shows (``anemone.files.trash.adopt_smb_deleted``).

Names: ``mangled names = no``: a name SMB cannot carry (``a:b``, ``what?``, made in the portal) is shown
as it is, never as an invented 8.3 name; SMB clients themselves cannot create such names.
"""

from __future__ import annotations

import json
import os
import pwd
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from anemone.accounts.models import User
from anemone.engines import samba
from anemone.engines.samba import Account, Layout
from anemone.files import paths, trash
from anemone.files.services import TEMP_PREFIX
from anemone.files.usage import COUNTER
from anemone.shares.models import DevicePassword, ShareAccess, ShareSettings

UID_BASE = 3_000_000  # a device account's uid is UID_BASE + its row id: owns nothing on the machine
NOGROUP = 65534
GUEST = Account("nobody", 65534, NOGROUP)  # smbd wants a guest account even with guest access off
DFREE_SCRIPT = Path(__file__).with_name("smb_dfree.py")


def layout() -> Layout:
    return Layout(Path(settings.DATA_DIR) / "samba")


def service_account() -> Account:
    """Whoever runs Anemone owns the files; smbd writes as that account (``force user``)."""
    return Account(pwd.getpwuid(os.getuid()).pw_name, os.getuid(), os.getgid())


def device_account(row: DevicePassword) -> Account:
    return Account(row.smb_login, UID_BASE + row.pk, NOGROUP)


def share_name(user: User, area: str) -> str:
    return f"{user.username}-{area}"


def usable_devices() -> list[DevicePassword]:
    """Device passwords that may log in over SMB: active people whose shares are allowed."""
    switched_off = ShareAccess.objects.filter(enabled=False).values("user_id")
    return list(DevicePassword.objects.filter(user__is_active=True).exclude(smb_nt_hash="")
                .exclude(user_id__in=switched_off).select_related("user").order_by("user__username", "number"))


# --- the accounts ------------------------------------------------------------------------------------------

def write_accounts(devices: list[DevicePassword] | None = None) -> bool:
    """The nss_wrapper accounts and Samba's passdb, from the database. smbd reads the passdb at each login,
    so this alone refuses a revoked password at once. Returns whether anything changed."""
    from anemone import crypto

    devices = usable_devices() if devices is None else devices
    where = layout()
    where.create()
    accounts = [device_account(row) for row in devices]
    passwd, group = samba.accounts_files(service_account(), GUEST, accounts)
    changed = samba.write_atomically(where.passwd, passwd)
    changed |= samba.write_atomically(where.group, group)
    lines = [samba.passdb_line(account, crypto.unseal(row.smb_nt_hash), row.created_at.timestamp())
             for account, row in zip(accounts, devices, strict=True)]
    changed |= samba.write_atomically(where.passdb, "".join(lines))
    return changed


def refresh_accounts_if_served() -> None:
    """After a change to people or passwords: rewrite the passdb when this server has SMB set up."""
    if layout().conf.exists() and ShareSettings.load().smb_enabled:
        write_accounts()


# --- space and quotas ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Space:
    """What a share reports (bytes) and whether it is full (then read-only)."""

    total: int
    free: int
    full: bool


def area_space(user: User, area: str) -> Space:
    """The person's quota as the disk size and what is left of it as free space; the disk's own figures
    when no quota applies; never more free space than the disk has."""
    disk = os.statvfs(paths.area_root(user, area))
    disk_free, disk_total = disk.f_bavail * disk.f_frsize, disk.f_blocks * disk.f_frsize
    used = getattr(user, COUNTER[area])
    limits = []
    if user.quota_total_bytes:
        limits.append(user.quota_total_bytes - user.usage_total_bytes)
    if area == "backup" and user.quota_backup_bytes:
        limits.append(user.quota_backup_bytes - user.usage_backup_bytes)
    if not limits:
        return Space(total=disk_total, free=disk_free, full=disk_free <= 0)
    left = min(limits)
    free = max(0, min(left, disk_free))
    return Space(total=max(used + free, 1), free=free, full=left <= 0)


# --- smb.conf ------------------------------------------------------------------------------------------------

def listen_parameters(listen: str) -> dict[str, str]:
    host, _sep, port = listen.rpartition(":")
    host = host.strip("[]")
    parameters = {"smb ports": port}
    if host not in ("0.0.0.0", "::"):
        parameters.update({"interfaces": host, "bind interfaces only": "yes"})
    return parameters


def global_section(listen: str, denied_addresses: list[str]) -> dict[str, str]:
    where = layout()
    section = {
        "server role": "standalone server",
        "workgroup": "WORKGROUP",
        "server string": "Anemone",
        "security": "user",
        "passdb backend": f"smbpasswd:{where.passdb}",
        **{key: str(folder) for key, folder in where.state_dirs().items()},
        **listen_parameters(listen),
        "disable netbios": "yes",
        "server min protocol": "SMB3_00",
        "server smb encrypt": "desired",
        "ntlm auth": "ntlmv2-only",
        "map to guest": "never",
        "restrict anonymous": "2",
        "guest account": GUEST.name,
        "access based share enum": "yes",
        "usershare max shares": "0",
        "load printers": "no",
        "printing": "bsd",
        "printcap name": "/dev/null",
        "disable spoolss": "yes",
        "unix charset": "UTF-8",
        "mangled names": "no",
        "log level": "1 auth_json_audit:3",
        "max log size": "0",
    }
    if denied_addresses:  # clients locked out by the login throttle, refused before they can log in
        section["hosts deny"] = " ".join(denied_addresses)
    return section


def share_section(user: User, area: str, logins: list[str], read_only: bool, dfree_command: Path) -> dict[str, str]:
    service = service_account()
    staging = trash.smb_staging(user, area)
    return {
        "path": str(paths.area_root(user, area)),
        "comment": f"{user.username} {area}",
        "valid users": " ".join(logins),
        "force user": service.name,
        "force group": service.name,  # nss_wrapper's group file names the service group after the account
        "read only": "yes" if read_only else "no",
        "guest ok": "no",
        "wide links": "no",
        "follow symlinks": "no",
        "hide dot files": "yes",
        "veto files": f"/{TEMP_PREFIX}*/",
        "delete veto files": "no",
        "create mask": "0600",
        "directory mask": "0700",
        "vfs objects": "recycle",
        "recycle:repository": str(staging),
        "recycle:keeptree": "yes",
        "recycle:versions": "yes",
        "recycle:touch": "no",
        "recycle:directory_mode": "0700",
        "dfree command": str(dfree_command),
    }


@dataclass
class Plan:
    """What one pass of ``serve_smb`` found: the configuration text, who may log in, the full shares."""

    conf: str
    devices: list[DevicePassword]
    spaces: dict[str, Space]  # share name → space
    people: list[User]


def plan(listen: str, denied_addresses: list[str]) -> Plan:
    """The whole configuration from the database: a person's shares appear once they have a device
    password (nobody else could open them), and turn read-only when full."""
    layout().create()
    devices = usable_devices()
    logins: dict[int, list[str]] = {}
    people: dict[int, User] = {}
    for row in devices:
        logins.setdefault(row.user_id, []).append(row.smb_login)
        people[row.user_id] = row.user
    sections: dict[str, dict[str, str]] = {"global": global_section(listen, denied_addresses)}
    spaces = {}
    dfree = dfree_command()
    for user in sorted(people.values(), key=lambda u: u.username):
        for area in paths.AREAS:
            paths.area_root(user, area).mkdir(parents=True, exist_ok=True, mode=0o700)
            trash.smb_staging(user, area).mkdir(parents=True, exist_ok=True, mode=0o700)
            space = area_space(user, area)
            spaces[share_name(user, area)] = space
            sections[share_name(user, area)] = share_section(user, area, logins[user.pk], space.full, dfree)
    return Plan(conf=samba.render(sections), devices=devices, spaces=spaces, people=list(people.values()))


def write_plan(current: Plan) -> bool:
    """Write the accounts, the free-space figures and smb.conf. Returns whether smb.conf or the accounts
    changed (smbd then reloads)."""
    where = layout()
    changed = write_accounts(current.devices)
    figures = {str(paths.area_root(user, area)): [space.total, space.free]
               for user in current.people for area in paths.AREAS
               for space in [current.spaces[share_name(user, area)]]}
    samba.write_atomically(where.base / "dfree.json", json.dumps(figures, sort_keys=True))
    changed |= samba.write_atomically(where.conf, current.conf)
    return changed


def dfree_command() -> Path:
    """The program smbd runs for free space: our stdlib-only script behind this Python's own path."""
    target = layout().base / "dfree"
    text = f"#!{sys.executable} -I\n" + DFREE_SCRIPT.read_text().replace("@FIGURES@", str(layout().base / "dfree.json"))
    samba.write_atomically(target, text, mode=0o700)
    return target


# --- what the portal shows ----------------------------------------------------------------------------------

STATUS_FILE = "status.json"
STALE_AFTER_SECONDS = 30


def write_status(**facts: object) -> None:
    where = layout()
    where.base.mkdir(parents=True, exist_ok=True, mode=0o700)
    samba.write_atomically(where.base / STATUS_FILE, json.dumps({**facts, "updated_at": timezone.now().isoformat()}),
                           mode=0o600)


def server_status() -> dict[str, Any]:
    """What ``serve_smb`` last said (running, address, sessions, error), or "not running" when it has
    not said anything for a while (the ``smb`` process of ``make run`` is not started)."""
    try:
        facts = json.loads((layout().base / STATUS_FILE).read_text())
        updated = datetime.fromisoformat(facts["updated_at"])
    except (FileNotFoundError, ValueError, KeyError):
        return {"running": False, "supervisor": False, "error": ""}
    if (timezone.now() - updated).total_seconds() > STALE_AFTER_SECONDS:
        return {**facts, "running": False, "supervisor": False}
    return {**facts, "supervisor": True}


def full_shares_of(user: User) -> list[str]:
    """The areas whose share is read-only because the person's quota is used up (for the dashboard)."""
    if not DevicePassword.objects.filter(user=user).exists() or not ShareSettings.load().smb_enabled:
        return []  # most people have no device password: one query
    user.refresh_from_db(fields=["usage_backup_bytes", "usage_data_bytes", "usage_trash_bytes", "quota_total_bytes",
                                 "quota_backup_bytes"])
    return [area for area in paths.AREAS if paths.area_root(user, area).exists() and area_space(user, area).full]
