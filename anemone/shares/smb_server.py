"""``manage.py serve_smb``: keeps our smbd in step with the database (the ``smb`` process of ``make run``).

One loop, every ``poll`` seconds and at once when smbd reports a login:

- SMB off in Settings → smbd stopped; on → smbd started with the configuration ``anemone.shares.samba``
  writes, reloaded (SIGHUP) whenever people, passwords, quotas or locks change it;
- clients whose device password was revoked, whose person was switched off, or whose share just turned
  read-only are disconnected (their client logs in again, and is refused or gets the read-only share);
- logins smbd reports (its ``auth_json_audit`` lines) are counted for ``/metrics``, set "last used" and go
  through the one login throttle; an address the throttle locks is refused by smbd (``hosts deny``) and
  disconnected until the lock ends;
- what clients deleted becomes trash entries, and the usage of the people connected is recomputed, so
  the portal's figures, the quotas and the free space the shares report follow what SMB clients write;
- a status file says whether smbd runs, where, and with how many clients (Settings → Network shares).
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
import time
from collections import deque

from django.db import close_old_connections
from django.utils import timezone

from anemone.accounts import throttle
from anemone.engines import samba as engine
from anemone.files import trash
from anemone.files.usage import recompute_usage
from anemone.shares import samba, services
from anemone.shares.models import ShareSettings

logger = logging.getLogger(__name__)


class SmbServer:
    """The supervisor; ``run`` until ``stop`` is set. ``listen`` overrides the address in Settings."""

    def __init__(self, *, listen: str | None = None, poll: float = 2.0, settle: float = 2.0) -> None:
        self.listen_override = listen
        self.poll = poll
        self.settle = settle
        self.stop = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.events: queue.Queue[engine.AuthEvent] = queue.Queue()
        self.log_tail: deque[str] = deque(maxlen=40)
        self.listen = ""
        self.started_at: str | None = None
        self.error = ""
        self.denied: list[str] = []
        self.read_only: set[str] = set()
        self.writers: set[int] = set()  # people who logged in since the last pass: their usage is recomputed

    # --- the loop ------------------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.step()
                except Exception as error:  # one bad pass must not take the shares down: say it, go on
                    logger.exception("serve_smb: a pass failed")
                    self.error = str(error)
                self.wait_for_logins(self.poll)
        finally:
            self.stop_smbd()
            shutil.rmtree(samba.layout().runtime, ignore_errors=True)
            samba.write_status(running=False, listen=self.listen, sessions=0, error=self.error, pid=None)
            close_old_connections()

    def wait_for_logins(self, seconds: float) -> None:
        """Sleep until the next pass, handling each login smbd reports as it comes."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                event = self.events.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            self.handle_login(event)

    def step(self) -> None:
        close_old_connections()
        current = ShareSettings.load()
        if not current.smb_enabled:
            self.stop_smbd()
            self.error = ""
            samba.write_status(running=False, enabled=False, listen=current.effective_smb_listen(), sessions=0,
                               error="", pid=None)
            return
        engine.check_installed()
        listen = self.listen_override or current.effective_smb_listen()
        running = self.process is not None and self.process.poll() is None
        sessions = engine.sessions(samba.layout()) if running else []
        self.adopt_deletes()
        self.recompute_usage(sessions)
        self.denied = sorted({lock.ip_address for lock in throttle.lockouts() if lock.ip_address})
        plan = samba.plan(listen, self.denied)
        changed = samba.write_plan(plan)
        if self.process is not None and (not running or listen != self.listen):
            self.note_exit()
        if self.process is None:
            self.start_smbd(listen)
        elif changed:
            engine.reload(self.process)
        self.drop_sessions(plan, sessions)
        samba.write_status(running=self.process is not None and self.process.poll() is None, enabled=True,
                           listen=listen, since=self.started_at, sessions=len(sessions), error=self.error,
                           pid=self.process.pid if self.process else None,
                           encrypted_sessions=sum(1 for s in sessions if s.encrypted))

    # --- smbd ------------------------------------------------------------------------------------------------

    def start_smbd(self, listen: str) -> None:
        self.process = engine.start(samba.layout())
        self.listen = listen
        self.started_at = timezone.now().isoformat()
        self.error = ""
        threading.Thread(target=self.read_log, args=(self.process,), name="smbd-log", daemon=True).start()
        host, _sep, port = listen.rpartition(":")
        host = host.strip("[]")
        if not engine.wait_listening("127.0.0.1" if host in ("0.0.0.0", "::") else host, int(port)):
            self.error = f"smbd did not start listening on {listen}: {self.last_lines()}"
            logger.error(self.error)

    def note_exit(self) -> None:
        """smbd stopped by itself (or the address changed): remember why, start it again next."""
        if self.process is not None and self.process.poll() is not None:
            self.error = f"smbd stopped (exit {self.process.returncode}): {self.last_lines()}"
            logger.error(self.error)
        self.stop_smbd()

    def last_lines(self) -> str:
        return " | ".join(list(self.log_tail)[-5:])

    def stop_smbd(self) -> None:
        if self.process is not None:
            engine.stop(self.process)
            if self.process.stdout:
                self.process.stdout.close()
            self.process = None
            self.started_at = None

    def read_log(self, process: subprocess.Popen[bytes]) -> None:
        """smbd's stdout: login lines to the loop, the rest kept for error messages."""
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            event = engine.parse_auth_line(line)
            if event is not None:
                self.events.put(event)
            elif line:
                self.log_tail.append(line)

    # --- logins, sessions, files -------------------------------------------------------------------------

    def handle_login(self, event: engine.AuthEvent) -> None:
        if not event.account or not event.remote_ip:
            return  # an anonymous probe: no name to count a failure against
        close_old_connections()
        request = services.client_request(event.remote_ip, "/smb")
        services.record_login(request, "smb", event.account, ok=event.ok)
        if event.ok:
            row = services.device_of(event.account)
            if row is not None:
                services.touch(row)
                self.writers.add(row.user_id)
        elif any(lock.ip_address == event.remote_ip for lock in throttle.lockouts()) and \
                event.remote_ip not in self.denied:
            self.step()  # the address is now locked: refuse it in smb.conf at once
            engine.drop_address(samba.layout(), event.remote_ip)

    def drop_sessions(self, plan: samba.Plan, sessions: list[engine.Session]) -> None:
        valid = {samba.device_account(row).uid for row in plan.devices}
        now_read_only = {name for name, space in plan.spaces.items() if space.full}
        turned_read_only = now_read_only - self.read_only
        self.read_only = now_read_only
        for session in sessions:
            if session.uid not in valid or session.remote in self.denied or \
                    any(share in turned_read_only for share in session.shares):
                engine.drop_session(session)

    def recompute_usage(self, sessions: list[engine.Session]) -> None:
        """The usage of people who are connected or logged in since the last pass (SMB writes bypass our
        counters); a client that connected and left between two passes is caught by its login."""
        connected = {session.uid for session in sessions}
        devices = samba.usable_devices()
        people = {row.user_id: row.user for row in devices}
        now_connected = {row.user_id for row in devices if samba.device_account(row).uid in connected}
        for user_id in now_connected | self.writers:
            if user_id in people:
                recompute_usage(people[user_id])
        self.writers = now_connected  # one more pass after they leave

    def adopt_deletes(self) -> None:
        for user in {row.user for row in samba.usable_devices()}:
            adopted = [entry for area in ("backup", "data")
                       for entry in trash.adopt_smb_deleted(user, area, settle_seconds=self.settle)]
            if adopted:
                recompute_usage(user)
