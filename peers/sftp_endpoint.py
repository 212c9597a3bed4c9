"""The incoming SFTP endpoint: `rclone serve sftp` with our auth proxy, our P2P key as host key.

Each enabled peer's key logs in to DATA_DIR/incoming/<peer>/ only (rclone's local backend rooted
there; measured to confine `..`, absolute paths and renames; clients cannot create symlinks).
The index the proxy reads is rewritten on every peer change and every 10 s here. rclone caches an
accepted login (per user, key and address) for minutes, so when a peer loses access (removed,
disabled, key changed) the server is restarted: live sessions drop and the peer is refused within
~10 s; other peers' clients reconnect (restic's rclone backend retries).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection

from anemone.engines import proc
from anemone.engines.paths import rclone_binary
from peers import services
from peers.identity import get_identity, p2p_key_path

REFRESH_SECONDS = 10


def proxy_script(check_ip: bool) -> Path:
    """A tiny executable that runs peers.auth_proxy with our venv's Python, without Django."""
    path = Path(settings.DATA_DIR) / "sftp" / "auth-proxy"
    base = Path(__file__).resolve().parents[1]
    log = Path(settings.DATA_DIR) / "logs" / "sftp-logins.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    text = (f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(base)!r})\n"
            f"from peers.auth_proxy import main\nmain({str(services.index_path())!r}, {check_ip!r}, {str(log)!r})\n")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text)
    path.chmod(0o700)
    return path


def default_listen() -> str:
    identity = get_identity()
    return settings.SFTP_LISTEN or f"{identity.vpn_ip}:{identity.sftp_port}"


def _over_cap(entries: list[dict]) -> set[str]:  # type: ignore[type-arg]
    from peers.auth_proxy import folder_bytes

    return {e["name"] for e in entries if e.get("cap") and folder_bytes(e["root"]) >= e["cap"]}


def _start(listen: str, check_ip: bool):  # type: ignore[no-untyped-def]
    argv = [rclone_binary(), "serve", "sftp", "--addr", listen, "--key", str(p2p_key_path()),
            "--auth-proxy", str(proxy_script(check_ip)), "-v"]
    return proc.spawn(argv, env={"RCLONE_CONFIG": "/dev/null"}, stdout=None, stderr=None)


def serve(listen: str, *, check_ip: bool | None = None, stop: threading.Event | None = None,
          refresh: float = REFRESH_SECONDS) -> int:
    """Run the endpoint until `stop` is set or rclone exits; returns rclone's exit status."""
    get_identity()
    if check_ip is None:
        check_ip = not listen.startswith(("127.", "localhost", "[::1]"))
    services.incoming_root().mkdir(parents=True, exist_ok=True, mode=0o700)
    over_cap = _over_cap(services.write_index())
    services.restart_marker().unlink(missing_ok=True)
    server = _start(listen, check_ip)
    stop = stop or threading.Event()
    try:
        while server.poll() is None and not stop.wait(refresh):
            connection.close()  # a fresh connection each time: never read from an old snapshot
            now_over = _over_cap(services.write_index())
            if now_over - over_cap:  # a peer just passed its cap: its cached read-write login must go
                services.revoke_logins()
            over_cap = now_over
            if services.restart_marker().exists():  # a peer lost access: drop rclone's cached logins
                services.restart_marker().unlink(missing_ok=True)
                proc.terminate(server)
                server = _start(listen, check_ip)
    finally:
        proc.terminate(server)
    return server.returncode or 0
