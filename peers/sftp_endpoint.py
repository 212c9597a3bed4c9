"""The incoming SFTP endpoint: `rclone serve sftp` with our auth proxy, our P2P key as host key.

Each enabled peer's key logs in to DATA_DIR/incoming/<its folder>/ only (rclone's local backend rooted
there; measured to confine `..`, absolute paths and renames; clients cannot create symlinks).

This process owns the listening socket and hands it to rclone (socket activation: rclone listens on
the descriptor it inherits). rclone caches an accepted login per user, key and address, so when a peer
loses access (removed, disabled, key changed) or passes its storage cap, rclone is replaced: the old
one is stopped — live sessions drop, the over-cap peer's backup included — and a fresh one takes the
same socket. Connections arriving in between wait in the kernel's queue: nobody is ever refused
because of a restart (it used to be "Connection refused" for a moment, and a peer's backup could hit it).

The index the proxy reads is rewritten on every peer change and every few seconds here, when the
usage of capped peers is measured too: the cap holds for writes in progress, within seconds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from anemone.engines import proc
from anemone.engines.files import write_private_file
from anemone.engines.paths import rclone_binary
from peers import services
from peers.identity import get_identity, p2p_key_path

log = logging.getLogger(__name__)
REFRESH_SECONDS = 2.0
# rclone's listings see the peer's own writes at once; changes made beside it (the status file we rewrite,
# peers.hosting) only once its cached listing expires: 5 minutes by default, a re-read of a local folder here.
DIR_CACHE_TIME = "2s"
OBSERVE_SECONDS = 60.0  # how often the endpoint notes each peer's last write and rewrites its status file
# Runs in the child: the inherited socket becomes descriptor 3 and LISTEN_PID this very process (exec
# keeps the pid), as systemd's socket activation protocol wants.
HANDOVER = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.environ['LISTEN_FDS'] = '1'; "
            "os.environ['LISTEN_PID'] = str(os.getpid()); os.execv(sys.argv[2], sys.argv[2:])")


def proxy_dir() -> Path:
    """Where the proxy wrapper lives: rclone splits `--auth-proxy` on spaces, so a data dir whose path
    holds a space gets a private directory without one (0700, ours, not a symlink)."""
    preferred = Path(settings.DATA_DIR) / "sftp"
    if not any(char.isspace() for char in str(preferred)):
        return preferred
    base = tempfile.gettempdir()
    base = base if not any(char.isspace() for char in base) else "/tmp"
    digest = hashlib.sha256(str(Path(settings.DATA_DIR).resolve()).encode()).hexdigest()[:12]
    path = Path(base) / f"anemone-sftp-{os.getuid()}-{digest}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not path.is_dir() or path.is_symlink() or info.st_uid != os.getuid():
        raise RuntimeError(f"{path} is not a private directory of this account")
    os.chmod(path, 0o700)
    return path


def proxy_script(check_ip: bool) -> Path:
    """A tiny executable that runs peers.auth_proxy without Django (it imports only the standard
    library). Its interpreter is a symlink beside it, so a venv path with spaces works in the `#!` too."""
    folder = proxy_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    python = folder / "python"
    if not python.is_symlink() or os.readlink(python) != sys.executable:
        python.unlink(missing_ok=True)
        python.symlink_to(sys.executable)
    base = Path(__file__).resolve().parents[1]
    log_file = Path(settings.DATA_DIR) / "logs" / "sftp-logins.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    text = (f"#!{python}\nimport sys\nsys.path.insert(0, {str(base)!r})\n"
            f"from peers.auth_proxy import main\nmain({str(services.index_path())!r}, {check_ip!r}, {str(log_file)!r})\n")
    path = folder / "auth-proxy"
    write_private_file(path, text, mode=0o700)  # atomic: sshd may start it while we rewrite it
    return path


def default_listen() -> str:
    identity = get_identity()
    return settings.SFTP_LISTEN or f"{identity.vpn_ip}:{identity.sftp_port}"


def split_listen(listen: str) -> tuple[str, int]:
    host, _sep, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


def open_listener(listen: str) -> socket.socket:
    """Bind the endpoint's address (OSError when it is not on this machine, e.g. no tunnel yet)."""
    host, port = split_listen(listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=128)


def _over_cap(entries: list[dict]) -> set[str]:
    from peers.auth_proxy import folder_bytes

    return {e["name"] for e in entries if e.get("cap") and folder_bytes(e["root"]) >= e["cap"]}


def _observe() -> None:
    """Note the peers' writes (peers.hosting): near the writes, so a silent peer is known within a minute."""
    from peers import hosting

    try:
        hosting.observe_all()
    except Exception:  # never let a bookkeeping error stop the endpoint
        log.exception("could not note the peers' last writes")


def _start(listener: socket.socket, listen: str, check_ip: bool):
    argv = [sys.executable, "-c", HANDOVER, str(listener.fileno()), rclone_binary(), "serve", "sftp",
            "--addr", listen, "--key", str(p2p_key_path()), "--auth-proxy", str(proxy_script(check_ip)),
            "--dir-cache-time", DIR_CACHE_TIME, "-v"]
    return proc.spawn(argv, env={"RCLONE_CONFIG": "/dev/null"}, stdout=None, stderr=None,
                      pass_fds=(listener.fileno(),))


def _replace(server, listener: socket.socket, listen: str, check_ip: bool):
    """Stop rclone (its cached logins and live sessions go), then start a fresh one on the same socket."""
    proc.terminate(server)
    return _start(listener, listen, check_ip)


def serve(listen: str, *, check_ip: bool | None = None, stop: threading.Event | None = None,
          refresh: float = REFRESH_SECONDS, listener: socket.socket | None = None,
          changed: Callable[[], str] | None = None) -> int:
    """Run the endpoint until `stop` is set, rclone exits or `changed()` names another address than
    `listen` (My server changed); returns rclone's exit status. OSError when `listen` cannot be bound."""
    get_identity()
    if check_ip is None:
        check_ip = not listen.startswith(("127.", "localhost", "[::1]"))
    services.incoming_root().mkdir(parents=True, exist_ok=True, mode=0o700)
    listener = listener or open_listener(listen)
    over_cap = _over_cap(services.write_index())
    services.restart_marker().unlink(missing_ok=True)
    server = _start(listener, listen, check_ip)
    stop = stop or threading.Event()
    observed = 0.0
    try:
        while server.poll() is None and not stop.wait(refresh):
            connection.close()  # a fresh connection each time: never read from an old snapshot
            if time.monotonic() - observed >= OBSERVE_SECONDS:
                _observe()
                observed = time.monotonic()
            now_over = _over_cap(services.write_index())
            if now_over - over_cap:  # a peer just passed its cap: its read-write session must end now
                log.info("over the storage cap: %s; its sessions are cut, it may only read", ", ".join(sorted(now_over - over_cap)))
                services.revoke_logins()
            over_cap = now_over
            if changed is not None and changed() != listen:
                break
            if services.restart_marker().exists():  # a peer lost access: drop rclone's cached logins
                services.restart_marker().unlink(missing_ok=True)
                server = _replace(server, listener, listen, check_ip)
    finally:
        proc.terminate(server)
        listener.close()
    return server.returncode or 0


def waiting_reason(listen: str, explicit: bool) -> tuple[str, socket.socket | None]:
    """('', bound socket) when there is something to serve, else (why not, None)."""
    from peers.models import Peer

    if not explicit and not Peer.objects.filter(enabled=True).exists():
        return "no peer yet: the endpoint starts once a friend's server is paired", None
    try:
        return "", open_listener(listen)
    except OSError as exc:
        return (f"{listen} is not on this machine yet ({exc.strerror or exc}): the endpoint starts once the "
                "WireGuard tunnel is up (`manage.py wireguard up`)"), None


def _bring_tunnel_up(listen: str, say) -> bool:
    """Once we listen on our VPN address and have peers: try to start the tunnel ourselves (True: tried)."""
    from anemone.engines.wireguard import WireGuardError
    from peers import tunnel
    from peers.models import Peer

    if split_listen(listen)[0] != get_identity().vpn_ip:
        return True  # a test or custom address: not ours to bring up
    if not Peer.objects.filter(enabled=True).exists():
        return False
    try:
        say(f"WireGuard tunnel up ({tunnel.up()})")
    except WireGuardError as exc:
        say(f"WireGuard tunnel not started: {exc}")
    return True


def run_forever(listen_option: str | None, *, say, stop: threading.Event | None = None,
                wait: float = 5.0, bring_up: bool = True) -> None:
    """The `sftp` process: serve while there is something to serve, else wait quietly, saying why in
    one line (again only when the reason changes). The default address follows My server changes.
    `bring_up`: try once to start the tunnel we listen on (tests running as root say False)."""
    stop = stop or threading.Event()
    said, tried_tunnel = "", not bring_up
    while not stop.is_set():
        connection.close()
        listen = listen_option or default_listen()
        if not tried_tunnel:
            tried_tunnel = _bring_tunnel_up(listen, say)
        reason, listener = waiting_reason(listen, explicit=bool(listen_option))
        if listener is None:
            if reason != said:
                say(f"incoming SFTP endpoint waiting: {reason}")
                said = reason
            stop.wait(wait)
            continue
        say(f"incoming SFTP endpoint on {listen}")
        said = ""
        code = serve(listen, listener=listener, stop=stop, changed=None if listen_option else default_listen)
        if not stop.is_set() and code:
            say(f"the endpoint stopped (rclone status {code}); starting it again")
            stop.wait(wait)
