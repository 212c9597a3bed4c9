"""Two Anemone servers, each in its own network namespace, joined by a veth link.

Addresses are documentation ranges only: the "internet" between them is 192.0.2.0/24 (veth), the
WireGuard tunnel 198.51.100.0/24. Each server has its own data dir, database and processes, runs its
commands with `ip netns exec`, and its own wireguard-go interface name (the UAPI socket directory is
shared by all namespaces). Everything started is torn down by PID, also when a test fails.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import mailbox
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "an e2e admin password"


def run(*argv: str, check: bool = True, timeout: float = 60, env=None) -> subprocess.CompletedProcess:
    result = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed: {result.stdout}{result.stderr}")
    return result


@dataclass
class Server:
    name: str
    namespace: str
    veth: str
    lan_ip: str  # on the veth link (the "internet")
    vpn_cidr: str
    interface: str
    data_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. the ANEMONE_EMAIL_* of a test mail server

    @property
    def vpn_ip(self) -> str:
        return self.vpn_cidr.split("/")[0]

    def env(self) -> dict[str, str]:
        return {"ANEMONE_DATA_DIR": str(self.data_dir), "PATH": os.environ["PATH"], "HOME": str(self.data_dir),
                **self.extra_env}

    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """`manage.py` inside this server's namespace."""
        return run("ip", "netns", "exec", self.namespace, sys.executable, str(ROOT / "manage.py"), *args,
                   check=check, timeout=timeout, env=self.env())

    def background(self, *args: str) -> subprocess.Popen:
        log = open(self.data_dir / f"{args[0]}.log", "a")
        process = subprocess.Popen(["ip", "netns", "exec", self.namespace, sys.executable, str(ROOT / "manage.py"), *args],
                                   env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def python(self, code: str, timeout: float = 120) -> str:
        """Python in this server's own Django (`manage.py shell -c`), in its namespace: what it printed. For what
        the product does on a schedule (the alerts job) or has no command for (an alert channel)."""
        return self.manage("shell", "-c", code, timeout=timeout).stdout

    def spawn(self, name: str, *argv: str) -> subprocess.Popen:
        """A helper process inside this server's namespace (torn down with the server)."""
        log = open(self.data_dir / f"{name}.log", "a")
        process = subprocess.Popen(["ip", "netns", "exec", self.namespace, *argv], env=self.env(), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def in_namespace(self, *argv: str, check: bool = True, timeout: float = 60,
                     env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return run("ip", "netns", "exec", self.namespace, *argv, check=check, timeout=timeout, env=env)

    def create_person(self, username: str, keys_dir: Path) -> Path:
        """`create_user --password-file --key-out`: an active person; returns their backup key file."""
        keys_dir.mkdir(parents=True, exist_ok=True)
        password = keys_dir / f"{self.name}-{username}.password"
        password.write_text(f"{username}'s e2e password on {self.name}\n")
        key = keys_dir / f"{self.name}-{username}.key"
        self.manage("create_user", username, "--password-file", str(password), "--key-out", str(key))
        return key

    def backup_area(self, username: str) -> Path:
        return self.data_dir / "shares" / username / "backup"

    def health(self, peer: str) -> dict[str, str]:
        result = self.manage("peer_health", peer, "--json", check=False)
        checks = json.loads(result.stdout)[peer]
        return {c["key"]: c["status"] for c in checks}


@dataclass
class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 inside one server's namespace, keeping mail in a Maildir."""

    port: int
    maildir: Path

    def messages(self) -> list[email.message.EmailMessage]:
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        found = [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default) for key in box.keys()]
        return sorted(found, key=lambda m: (str(m["Date"]), str(m["Subject"])))  # type: ignore[misc]

    def told(self) -> dict[str, list[str]]:
        """{recipient: [subjects]} in the order sent."""
        out: dict[str, list[str]] = {}
        for message in self.messages():
            for rcpt in str(message["X-RcptTo"]).split(", "):
                out.setdefault(rcpt, []).append(str(message["Subject"]).strip())
        return out


def start_mail_server(server: Server, port: int = 2525) -> MailServer:
    """aiosmtpd in the server's namespace, and the server's ANEMONE_EMAIL_* pointing at it."""
    maildir = server.data_dir / "maildir"
    server.spawn("smtp", sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                 "-c", "aiosmtpd.handlers.Mailbox", str(maildir))
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2).close()"
    assert wait_for(lambda: server.in_namespace(sys.executable, "-c", probe, check=False).returncode == 0, 30, 0.2), \
        (server.data_dir / "smtp.log").read_text()
    server.extra_env.update({"ANEMONE_EMAIL_HOST": "127.0.0.1", "ANEMONE_EMAIL_PORT": str(port),
                             "ANEMONE_EMAIL_TLS": "false", "ANEMONE_EMAIL_FROM": f"anemone@{server.name}.example.org"})
    return MailServer(port, maildir)


def wait_for(predicate, timeout: float = 60, every: float = 1.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def _teardown(servers: list[Server]) -> None:
    for server in servers:
        for process in server.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        run("ip", "netns", "exec", server.namespace, "ip", "link", "delete", server.interface, check=False)
        run("ip", "netns", "delete", server.namespace, check=False)
        socket_path = Path(f"/var/run/wireguard/{server.interface}.sock")
        wait_for(lambda path=socket_path: not path.exists(), 10, 0.2)  # wireguard-go exits with its interface
        socket_path.unlink(missing_ok=True)


def _setup_server(server: Server, peer_lan_ip: str) -> None:
    server.data_dir.mkdir(parents=True, mode=0o700)  # private, or the start-up check refuses it
    password = server.data_dir / "password"
    password.write_text(PASSWORD + "\n")
    server.manage("migrate", "--noinput", "-v", "0")
    server.manage("setup", "--server-name", server.name, "--admin", "admin", "--password-file", str(password))
    server.manage("identity", "--endpoint", f"{server.lan_ip}:51820", "--vpn-address", server.vpn_cidr,
                  "--interface", server.interface)


@pytest.fixture
def two_servers(tmp_path):
    """Alice's and Bob's servers, set up but not paired; yields (alice, bob)."""
    if os.geteuid() != 0 or not shutil.which("wireguard-go"):
        pytest.fail("the two-server tests need root and wireguard-go (make test installs it)")
    tag = secrets.token_hex(2)
    alice = Server("alice", f"anemone-a-{tag}", f"veA{tag}", "192.0.2.1", "198.51.100.1/24", f"wga{tag}", tmp_path / "alice")
    bob = Server("bob", f"anemone-b-{tag}", f"veB{tag}", "192.0.2.2", "198.51.100.2/24", f"wgb{tag}", tmp_path / "bob")
    servers = [alice, bob]
    try:
        for server in servers:
            run("ip", "netns", "add", server.namespace)
        run("ip", "link", "add", alice.veth, "type", "veth", "peer", "name", bob.veth)
        for server in servers:
            run("ip", "link", "set", server.veth, "netns", server.namespace)
            server.in_namespace("ip", "address", "add", f"{server.lan_ip}/24", "dev", server.veth)
            server.in_namespace("ip", "link", "set", server.veth, "up")
            server.in_namespace("ip", "link", "set", "lo", "up")
        _setup_server(alice, bob.lan_ip)
        _setup_server(bob, alice.lan_ip)
        yield alice, bob
    finally:
        _teardown(servers)


def pair(alice: Server, bob: Server) -> None:
    """Exchange invitation codes — the only way the two servers learn about each other."""
    code_a = alice.manage("peer_info", "--code").stdout.strip()
    code_b = bob.manage("peer_info", "--code").stdout.strip()
    bob.manage("add_peer", "--code", code_a)
    alice.manage("add_peer", "--code", code_b)


def connect(alice: Server, bob: Server) -> None:
    """Tunnels up, endpoints serving, first packets exchanged."""
    for server in (alice, bob):
        server.manage("wireguard", "up")
        server.background("serve_sftp")
    probe = f"import socket; socket.create_connection(({bob.vpn_ip!r}, 2222), timeout=2).close()"
    assert wait_for(lambda: alice.in_namespace(sys.executable, "-c", probe, check=False).returncode == 0, 60), \
        "bob's SFTP endpoint is not reachable through the tunnel"
