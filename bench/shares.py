"""Benchmark: the network shares against the same servers with nothing of ours in the way.

- WebDAV: Anemone's `/dav/` (the portal's WSGI application under gunicorn with the Procfile's 2 workers and
  4 threads: device-password login and throttle on every request, our provider, quota, temp file + rename)
  vs a plain WsgiDAV `FilesystemProvider` app with one Basic user, under the same gunicorn, same flags;
  clients: one `requests` session (keep-alive).
- SMB: our smbd as `serve_smb` configures it (recycle module, dfree command, per-device accounts) vs an
  smbd with one bare share and one user, same protocol and encryption settings; client: smbclient.

Measures, interleaved (Anemone then plain, then plain then Anemone…) and reported as medians of `--repeat`: a large file up and
down (1 GiB at scale 1) and 5,000 small files (4 KiB) up, then one listing of their folder. Appends a table
of seconds, MiB/s and ratios (Anemone ÷ plain: 1.00× means no cost) to bench/RESULTS.md.

    .venv/bin/python bench/shares.py                                      # scale 1, 3 repetitions
    .venv/bin/python bench/shares.py --scale 0.05 --repeat 1 --no-append  # quick check
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PERSON = "alice"
PLAIN_PASSWORD = "plain-bench-password"
SMALL_SIZE = 4096


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")),
                        help="share of 1 GiB and 5,000 small files (default 1, or $BENCH_SCALE)")
    parser.add_argument("--repeat", type=int, default=4, help="repetitions (medians are reported)")
    parser.add_argument("--no-append", action="store_true", help="print the table only, leave RESULTS.md alone")
    return parser.parse_args()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def gunicorn(app: str, port: int, cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", "2",
                             "--threads", "4", "--timeout", "600", "--no-control-socket"], cwd=cwd, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


PLAIN_DAV = '''
from wsgidav.wsgidav_app import WsgiDAVApp
app = WsgiDAVApp({{"provider_mapping": {{"/dav": {root!r}}}, "verbose": 1, "logging": {{"enable": False}},
                  "http_authenticator": {{"domain_controller": None, "accept_basic": True, "accept_digest": False,
                                          "default_to_digest": False}},
                  "simple_dc": {{"user_mapping": {{"*": {{"alice": {{"password": {password!r}}}}}}}}},
                  "lock_storage": True, "property_manager": True, "dir_browser": {{"enable": False}}}})
'''


def set_up(work: Path) -> tuple[object, str]:
    from django.core.management import call_command

    from anemone.accounts import services as accounts
    from anemone.shares import services

    call_command("migrate", verbosity=0)
    password_file = work / "admin-password"
    password_file.write_text("bench admin password 123\n")
    call_command("setup", server_name="bench", admin="admin", password_file=str(password_file),
                 stdout=open(os.devnull, "w"))
    person = accounts.create_user(PERSON)
    accounts.activate(person, "bench password 123")
    services.configure(smb=True, webdav=True)
    _row, device_password = services.create(person, "bench")
    return person, device_password


def make_data(work: Path, scale: float) -> tuple[Path, Path, int]:
    big = work / "big.bin"
    size = max(1, int(1024 * scale)) * 2**20
    with big.open("wb") as handle:
        chunk = os.urandom(2**20)
        for _ in range(size // 2**20):
            handle.write(chunk)
    small = work / "small"
    small.mkdir()
    count = max(20, int(5000 * scale))
    for index in range(count):
        (small / f"note-{index:05d}.txt").write_bytes(os.urandom(SMALL_SIZE))
    return big, small, count


def timed(action) -> float:  # type: ignore[no-untyped-def]
    """Seconds of one transfer, after the dirty pages of the previous one are written out."""
    os.sync()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def dav_round(base: str, auth: tuple[str, str], big: Path, small: Path, tag: str) -> dict[str, float]:
    session = requests.Session()
    session.auth = auth
    figures = {}

    def put_big() -> None:
        with big.open("rb") as body:
            response = session.put(f"{base}/big-{tag}.bin", data=body, timeout=600)
        assert response.status_code in (201, 204), response.text

    def get_big() -> None:
        with session.get(f"{base}/big-{tag}.bin", stream=True, timeout=600) as response:
            assert response.status_code == 200
            for _chunk in response.iter_content(2**20):
                pass

    def put_small() -> None:
        assert session.request("MKCOL", f"{base}/small-{tag}/", timeout=60).status_code == 201
        for path in sorted(small.iterdir()):
            response = session.put(f"{base}/small-{tag}/{path.name}", data=path.read_bytes(), timeout=60)
            assert response.status_code in (201, 204), response.text

    def list_small() -> None:
        response = session.request("PROPFIND", f"{base}/small-{tag}/", headers={"Depth": "1"}, timeout=120)
        assert response.status_code == 207

    figures["big up"] = timed(put_big)
    figures["big down"] = timed(get_big)
    figures["small up"] = timed(put_small)
    figures["small list"] = timed(list_small)
    return figures


def smbclient(port: int, share: str, login: str, password: str, commands: str, cwd: Path) -> None:
    result = subprocess.run(["smbclient", f"//127.0.0.1/{share}", "-p", str(port), "-U", f"{login}%{password}",
                             "-m", "SMB3", "-c", commands], cwd=cwd, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0 or "NT_STATUS" in result.stdout:
        raise RuntimeError(result.stdout + result.stderr)


def smb_round(port: int, share: str, login: str, password: str, big: Path, small: Path, tag: str,
              scratch: Path) -> dict[str, float]:
    figures = {}
    figures["big up"] = timed(lambda: smbclient(port, share, login, password, f"put {big.name} big-{tag}.bin",
                                                big.parent))
    figures["big down"] = timed(lambda: smbclient(port, share, login, password,
                                                  f"get big-{tag}.bin {scratch / 'back.bin'}", big.parent))
    figures["small up"] = timed(lambda: smbclient(port, share, login, password,
                                                  f"mkdir small-{tag}; cd small-{tag}; prompt off; mput *", small))
    figures["small list"] = timed(lambda: smbclient(port, share, login, password, f"ls small-{tag}/*", small))
    (scratch / "back.bin").unlink(missing_ok=True)
    return figures


def plain_smbd(work: Path, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    """An smbd with one bare share and one user: the same protocol settings, nothing of ours."""
    from anemone.engines import samba as engine
    from anemone.shares.samba import GUEST, service_account

    layout = engine.Layout(work / "plain-samba")
    layout.create()
    share = work / "plain-share"
    share.mkdir()
    service = service_account()
    user = engine.Account("plain", 3_999_999, 65534)
    passwd, group = engine.accounts_files(service, GUEST, [user])
    layout.passwd.write_text(passwd)
    layout.group.write_text(group)
    from anemone.shares.services import nt_hash

    layout.passdb.write_text(engine.passdb_line(user, nt_hash(PLAIN_PASSWORD), time.time()))
    sections = {"global": {"server role": "standalone server", "passdb backend": f"smbpasswd:{layout.passdb}",
                           **{key: str(folder) for key, folder in layout.state_dirs().items()},
                           "smb ports": str(port), "interfaces": "127.0.0.1", "bind interfaces only": "yes",
                           "disable netbios": "yes", "server min protocol": "SMB3_00",
                           "server smb encrypt": "desired", "map to guest": "never", "guest account": GUEST.name,
                           "load printers": "no", "printing": "bsd", "printcap name": "/dev/null",
                           "disable spoolss": "yes", "log level": "0"},
                "plain": {"path": str(share), "valid users": "plain", "force user": service.name,
                          "read only": "no"}}
    layout.conf.write_text(engine.render(sections))
    process = engine.start(layout)
    if not engine.wait_listening("127.0.0.1", port):
        raise RuntimeError("the plain smbd did not start")
    return process, layout.runtime


def medians(rounds: list[dict[str, float]]) -> dict[str, float]:
    collected: dict[str, list[float]] = defaultdict(list)
    for figures in rounds:
        for key, value in figures.items():
            collected[key].append(value)
    return {key: statistics.median(values) for key, values in collected.items()}


def report(results: dict[str, dict[str, float]], big_size: int, count: int, scale: float, repeat: int) -> str:
    rows = []
    for protocol in ("WebDAV", "SMB"):
        ours, plain = results[f"{protocol} anemone"], results[f"{protocol} plain"]
        for measure in ("big up", "big down", "small up", "small list"):
            if measure.startswith("big"):
                speed = f"{big_size / 2**20 / ours[measure]:.0f} MiB/s vs {big_size / 2**20 / plain[measure]:.0f} MiB/s"
            elif measure == "small up":
                speed = f"{count / ours[measure]:.0f} files/s vs {count / plain[measure]:.0f} files/s"
            else:
                speed = f"{count} entries"
            rows.append(f"| {protocol} | {measure} | {ours[measure]:.2f} s | {plain[measure]:.2f} s | "
                        f"{ours[measure] / plain[measure]:.2f}× | {speed} |")
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    return "\n".join([
        f"\n## shares.py — {stamp} (scale {scale}, {os.cpu_count()} cores, loopback)\n",
        f"{big_size / 2**20:.0f} MiB file, {count} files of 4 KiB; medians of {repeat} interleaved repetitions.\n",
        "| protocol | measure | Anemone | plain server | ratio | speed (Anemone vs plain) |",
        "|---|---|---|---|---|---|", *rows, ""])


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="anm-bench-shares-", dir="/tmp"))
    os.environ["ANEMONE_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "anemone.settings"
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    import django

    django.setup()
    from anemone.engines import proc
    from anemone.engines import samba as engine
    from anemone.shares.smb_server import SmbServer

    processes: list[subprocess.Popen[bytes]] = []
    server = thread = None
    runtime_dirs: list[Path] = []
    try:
        person, device_password = set_up(work)
        big, small, count = make_data(work, args.scale)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        ours_port, plain_port = free_port(), free_port()
        processes.append(gunicorn("anemone.wsgi:application", ours_port, ROOT, env, work / "web.log"))
        plain_root = work / "plain-dav"
        plain_root.mkdir()
        (work / "plain_dav.py").write_text(PLAIN_DAV.format(root=str(plain_root), password=PLAIN_PASSWORD))
        processes.append(gunicorn("plain_dav:app", plain_port, work, env, work / "plain-web.log"))
        wait_http(f"http://127.0.0.1:{ours_port}/health")
        wait_http(f"http://127.0.0.1:{plain_port}/dav/")
        smb_port, plain_smb_port = free_port(), free_port()
        server = SmbServer(listen=f"127.0.0.1:{smb_port}", poll=2.0)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not engine.wait_listening("127.0.0.1", smb_port, timeout=1) and time.monotonic() < deadline:
            pass
        plain_process, plain_runtime = plain_smbd(work, plain_smb_port)
        processes.append(plain_process)
        runtime_dirs.append(plain_runtime)
        from anemone.shares.models import DevicePassword

        login = DevicePassword.objects.get(user=person).smb_login
        while "[alice-data]" not in engine.Layout(work / "data" / "samba").conf.read_text():
            time.sleep(0.5)
        scratch = work / "scratch"
        scratch.mkdir()
        rounds: dict[str, list[dict[str, float]]] = defaultdict(list)
        for rep in range(args.repeat):
            tag = str(rep)
            # Each pair in alternating order: whichever runs first after the other protocol's gigabytes runs
            # slower (measured: the same smbd 2.4× slower in first place than in second).
            dav_order = [("WebDAV anemone", f"http://127.0.0.1:{ours_port}/dav/alice/data", (PERSON, device_password)),
                         ("WebDAV plain", f"http://127.0.0.1:{plain_port}/dav", ("alice", PLAIN_PASSWORD))]
            for name, url, auth in (dav_order if rep % 2 == 0 else dav_order[::-1]):
                rounds[name].append(dav_round(url, auth, big, small, tag))
            smb_order = [("SMB anemone", smb_port, "alice-data", login, device_password),
                         ("SMB plain", plain_smb_port, "plain", "plain", PLAIN_PASSWORD)]
            for name, port_, share_, login_, password_ in (smb_order if rep % 2 == 0 else smb_order[::-1]):
                rounds[name].append(smb_round(port_, share_, login_, password_, big, small, f"smb{tag}", scratch))
            print(f"repetition {rep + 1}/{args.repeat} done", flush=True)
        text = report({name: medians(values) for name, values in rounds.items()}, big.stat().st_size, count,
                      args.scale, args.repeat)
    finally:
        if server is not None:
            server.stop.set()
            if thread is not None:
                thread.join(timeout=30)
        for process in processes:
            proc.terminate(process)
        for folder in runtime_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(text)
    if not args.no_append:
        with (ROOT / "bench" / "RESULTS.md").open("a") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
