"""rclone's --auth-proxy for our incoming SFTP endpoint. Runs once per login, so it does NOT start
Django: it reads the index that serve_sftp keeps (DATA_DIR/sftp/peers.json) and answers in
milliseconds.

stdin:  {"user": ..., "public_key": "<base64 key blob>", "client_ip": ...}
stdout: {"type": "local", "_root": "<DATA_DIR>/incoming/<peer>"}  — or exit 1 to refuse.
"""

from __future__ import annotations

import json
import os
import sys
import time

# The user name that opens a peer's read-only status view (peers.hosting) instead of its folder.
STATUS_USER = "anemone-status"


def _log(log_path: str, text: str) -> None:
    line = f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')} {text}\n"
    sys.stderr.write(line)
    try:
        with open(log_path, "a") as handle:
            handle.write(line)
    except OSError:
        pass


def folder_bytes(root: str) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total


def index_path_hint(peer: dict) -> str:
    """DATA_DIR/sftp/<anything>, derived from the peer's DATA_DIR/incoming/<peer> root."""
    return os.path.join(os.path.dirname(os.path.dirname(peer["root"])), "sftp", "index")


def _read_only(peer: dict, root: str) -> dict:
    """A view of ``root`` where every write, delete and mkdir fails ("permission denied"): a union of read-only
    upstreams only (measured: with one writable upstream beside, rclone's union creates folders in the others)."""
    empty = os.path.join(os.path.dirname(index_path_hint(peer)), "empty")
    os.makedirs(empty, mode=0o700, exist_ok=True)  # union needs two upstreams; this one adds nothing
    os.makedirs(root, mode=0o700, exist_ok=True)
    return {"type": "union", "upstreams": f"{root}:ro {empty}:ro", "_root": ""}


def decide(request: dict, index: dict, check_ip: bool) -> tuple[dict | None, str]:
    """(backend config, reason) — config None means refuse."""
    key, ip = request.get("public_key") or "", request.get("client_ip") or ""
    if not key:
        return None, "refused: not a key login (passwords are not accepted)"
    peer = next((p for p in index.get("peers", []) if p["key"] == key), None)
    if peer is None:
        return None, f"refused: unknown key from {ip}"
    if check_ip and ip != peer["vpn_ip"]:
        return None, f"refused: peer {peer['name']} from {ip}, expected its tunnel address {peer['vpn_ip']}"
    if request.get("user") == STATUS_USER and peer.get("status"):
        return _read_only(peer, peer["status"]), f"accepted status view (read-only): peer {peer['name']} from {ip}"
    os.makedirs(peer["root"], mode=0o700, exist_ok=True)
    if peer.get("cap") and folder_bytes(peer["root"]) >= peer["cap"]:
        # Over its cap: the peer may still read (restore) but every write fails with "read only".
        return _read_only(peer, peer["root"]), f"accepted read-only: peer {peer['name']} from {ip} is over its storage cap of {peer['cap']} bytes"
    return {"type": "local", "_root": peer["root"]}, f"accepted: peer {peer['name']} from {ip}"


def main(index_path: str, check_ip: bool, log_path: str) -> None:
    try:
        request = json.load(sys.stdin)
        with open(index_path) as handle:
            index = json.load(handle)
    except (OSError, ValueError) as exc:
        _log(log_path, f"refused: proxy error {exc}")
        sys.exit(1)
    config, reason = decide(request, index, check_ip)
    _log(log_path, f"login {reason} (user {request.get('user')!r})")
    if config is None:
        sys.exit(1)
    json.dump(config, sys.stdout)
