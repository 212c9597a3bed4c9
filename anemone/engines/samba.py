"""The one wrapper of Samba's programs: smbd (started and reloaded), smbstatus (who is connected),
smbcontrol (drop a client) and the files Samba reads that are not smb.conf (the passdb, the accounts).

Samba is run as our own smbd with our own configuration and state directories (never the machine's
``/etc/samba``), so the database stays the one source of truth. Samba wants a Unix account for each of its
users; a device login such as ``zoe~3`` is no account of the machine, so the accounts are given to Samba's
programs alone through nss_wrapper (``LD_PRELOAD`` and two files of our own): nothing is added to
``/etc/passwd``. Files are written as the service account (``force user``), whoever logs in.

The passdb is Samba's ``smbpasswd`` file format. smbd reads it at each login, so rewriting it (atomically)
takes effect at once: a revoked device password is refused at the next login without a reload.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from anemone.engines import proc
from anemone.engines.files import write_private_file

NSS_WRAPPER_LIBRARIES = ("/usr/lib/x86_64-linux-gnu/libnss_wrapper.so", "/usr/lib/aarch64-linux-gnu/libnss_wrapper.so",
                         "/usr/lib/libnss_wrapper.so")
RECYCLE_MODULE_DIRS = ("/usr/lib/x86_64-linux-gnu/samba/vfs", "/usr/lib/aarch64-linux-gnu/samba/vfs")


class SambaMissing(proc.ProcError):
    """smbd, its VFS modules or nss_wrapper is not installed."""


@dataclass(frozen=True)
class Layout:
    """Where our smbd keeps everything, under one folder (``DATA_DIR/samba``)."""

    base: Path

    @property
    def conf(self) -> Path:
        return self.base / "smb.conf"

    @property
    def passdb(self) -> Path:
        return self.base / "private" / "smbpasswd"

    @property
    def passwd(self) -> Path:
        return self.base / "nss" / "passwd"

    @property
    def group(self) -> Path:
        return self.base / "nss" / "group"

    @property
    def runtime(self) -> Path:
        """Samba's sockets and lock files: a short folder of the temp dir, one per data dir, because a
        socket path may not pass 108 bytes and a data dir can be deep. Lost at reboot, as they may be."""
        digest = hashlib.sha256(str(self.base).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"anemone-smb-{digest}"

    def state_dirs(self) -> dict[str, Path]:
        """smb.conf parameter → folder: nothing of Samba's goes to /var/lib/samba or /run/samba."""
        return {"private dir": self.base / "private", "state directory": self.base / "state",
                "cache directory": self.base / "cache", "binddns dir": self.base / "bind-dns",
                "lock directory": self.runtime / "lock", "pid directory": self.runtime / "run",
                "ncalrpc dir": self.runtime / "rpc"}

    def create(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self.runtime.mkdir(mode=0o700)
        except FileExistsError:
            pass
        owner = os.lstat(self.runtime)
        if not stat.S_ISDIR(owner.st_mode) or owner.st_uid != os.getuid() or owner.st_mode & 0o077:
            raise SambaMissing(f"{self.runtime} is not a private folder of ours: remove it and start again.")
        for folder in [*self.state_dirs().values(), self.passwd.parent]:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


@dataclass(frozen=True)
class Account:
    """A Unix account as nss_wrapper gives it to Samba."""

    name: str
    uid: int
    gid: int


@dataclass(frozen=True)
class Session:
    """One logged-in SMB client: the smbd process serving it, its uid (a device's account) and address."""

    pid: int
    uid: int
    remote: str
    encrypted: bool
    shares: tuple[str, ...]


@dataclass(frozen=True)
class AuthEvent:
    """One login attempt, from smbd's ``auth_json_audit`` lines."""

    account: str
    ok: bool
    status: str
    remote_ip: str


def nss_wrapper_library() -> str:
    for candidate in NSS_WRAPPER_LIBRARIES:
        if os.path.exists(candidate):
            return candidate
    raise SambaMissing("nss_wrapper is not installed (Debian package libnss-wrapper; `make run` installs it).")


def check_installed() -> None:
    """smbd, the recycle module (samba-vfs-modules) and nss_wrapper are all there, or a clear error."""
    if not any(os.path.exists(f"{folder}/sbin/smbd") for folder in ("/usr", "/usr/local")):
        raise SambaMissing("smbd is not installed (Debian package samba; `make run` installs it).")
    if not any(os.path.exists(f"{folder}/recycle.so") for folder in RECYCLE_MODULE_DIRS):
        raise SambaMissing("Samba's recycle module is not installed (Debian package samba-vfs-modules).")
    nss_wrapper_library()


def environment(layout: Layout) -> dict[str, str]:
    """What every Samba program we run gets: our accounts through nss_wrapper."""
    return {"LD_PRELOAD": nss_wrapper_library(), "NSS_WRAPPER_PASSWD": str(layout.passwd),
            "NSS_WRAPPER_GROUP": str(layout.group)}


def write_atomically(path: Path, text: str, mode: int = 0o600) -> bool:
    """Replace a file in one rename (smbd never reads half of it), only when its content changes (a change
    is what triggers a reload). Returns whether it changed."""
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    write_private_file(path, text, mode=mode)
    return True


def accounts_files(service: Account, guest: Account, devices: Iterable[Account]) -> tuple[str, str]:
    """nss_wrapper's passwd and group files. The service account owns the files; ``guest`` is the
    account smbd insists on knowing even with guest access off; the devices own nothing."""
    rows = [service, guest, *devices]
    passwd = "".join(f"{a.name}:x:{a.uid}:{a.gid}::/nonexistent:/bin/false\n" for a in rows)
    groups = {service.gid: service.name, guest.gid: "nogroup"}
    for account in devices:
        groups.setdefault(account.gid, "nogroup")
    group = "".join(f"{name}:x:{gid}:\n" for gid, name in groups.items())
    return passwd, group


def passdb_line(account: Account, nt_hash: str, changed_at: float) -> str:
    """One line of an ``smbpasswd`` file: no LanMan hash, a normal account whose password does not expire
    ([UX]) and a last-change time (0 would mean "must change at next login")."""
    if len(nt_hash) != 32 or any(c not in "0123456789ABCDEF" for c in nt_hash):
        raise ValueError("an NT hash is 32 upper-case hexadecimal digits")
    return f"{account.name}:{account.uid}:{'X' * 32}:{nt_hash}:[UX         ]:LCT-{int(changed_at):08X}:\n"


def render(sections: Mapping[str, Mapping[str, str]]) -> str:
    """smb.conf text from sections of parameters. Values come from us; a newline would start a new
    parameter, so one is refused rather than written."""
    lines = ["# Written by Anemone from its database: edits here are overwritten.\n"]
    for name, parameters in sections.items():
        lines.append(f"\n[{name}]\n")
        for key, value in parameters.items():
            if "\n" in value or "\r" in value or "\n" in key:
                raise ValueError(f"newline in smb.conf parameter {key!r}")
            lines.append(f"    {key} = {value}\n")
    return "".join(lines)


def smbd_argv(layout: Layout) -> list[str]:
    """smbd in the foreground, in our process group (stopped with us), its log on stdout for the audit."""
    return ["smbd", "--foreground", "--no-process-group", "--debug-stdout", "-s", str(layout.conf)]


def start(layout: Layout) -> subprocess.Popen[bytes]:
    check_installed()
    return proc.spawn(smbd_argv(layout), env=environment(layout), stderr=subprocess.STDOUT)


def reload(process: subprocess.Popen[bytes]) -> None:
    """smbd re-reads smb.conf on SIGHUP (and passes it to the processes serving clients)."""
    if process.poll() is None:
        process.send_signal(signal.SIGHUP)


def stop(process: subprocess.Popen[bytes]) -> None:
    proc.terminate(process, grace=5.0)


def sessions(layout: Layout) -> list[Session]:
    """Who is connected now (``smbstatus --json``); an empty list when smbd is not running."""
    result = proc.run(["smbstatus", "--json", "-s", str(layout.conf)], env=environment(layout), timeout=30)
    if not result.ok:
        return []
    return parse_sessions(result.stdout)


def parse_sessions(text: str) -> list[Session]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    shares: dict[str, list[str]] = {}
    for tcon in (data.get("tcons") or {}).values():
        shares.setdefault(str(tcon.get("session_id")), []).append(str(tcon.get("service", "")))
    found = []
    for key, session in (data.get("sessions") or {}).items():
        try:
            pid, uid = int(session["server_id"]["pid"]), int(session["uid"])
        except (KeyError, TypeError, ValueError):
            continue
        found.append(Session(pid=pid, uid=uid, remote=str(session.get("remote_machine", "")),
                             encrypted=(session.get("encryption") or {}).get("degree") in ("full", "partial"),
                             shares=tuple(shares.get(str(session.get("session_id", key)), []))))
    return found


def drop_session(session: Session) -> None:
    """End one client's connection (the smbd process serving it). Its client reconnects and logs in anew,
    which is what makes a revoked password or a share turned read-only take effect for it too."""
    try:
        os.kill(session.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def drop_address(layout: Layout, address: str) -> None:
    """End every connection from one address, logged in or not (a client locked out by the throttle)."""
    proc.run(["smbcontrol", "-s", str(layout.conf), "smbd", "kill-client-ip", address],
             env=environment(layout), timeout=30)


def parse_auth_line(line: str) -> AuthEvent | None:
    """A login attempt from one line of smbd's log (``log level = … auth_json_audit:3``), else None."""
    start_at = line.find('{"timestamp"')
    if start_at < 0 or '"Authentication"' not in line:
        return None
    try:
        data = json.loads(line[start_at:])
    except ValueError:
        return None
    auth = data.get("Authentication")
    if data.get("type") != "Authentication" or not isinstance(auth, dict):
        return None
    remote = str(auth.get("remoteAddress") or "")
    # "ipv4:127.0.0.1:56894" / "ipv6:::1:50000": the family, the address, the port.
    family, _sep, rest = remote.partition(":")
    address = rest.rpartition(":")[0] if family in ("ipv4", "ipv6") else ""
    account = str(auth.get("clientAccount") or auth.get("mappedAccount") or "")
    status = str(auth.get("status") or "")
    return AuthEvent(account=account, ok=status == "NT_STATUS_OK", status=status, remote_ip=address)


def wait_listening(host: str, port: int, timeout: float = 20.0) -> bool:
    """Has smbd bound its port yet (a TCP connect that succeeds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False
