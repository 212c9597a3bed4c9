"""Readiness: can this server do its job right now? Each check answers (ok, reason), never a secret or a path.

- database: it answers a query;
- worker: a django-q2 cluster (the ``worker`` process of the Procfile, ``manage.py qcluster``) has a live
  heartbeat. Its sentinel saves a Stat every guard cycle (0.5 s) that lives 3 s in the broker's store (Redis,
  or with the ORM broker the shared ``qcluster`` file cache of settings.py), so any Stat seen is recent; we
  also want a fresh timestamp and at least one worker process;
- sftp: when peers are enabled, the incoming endpoint accepts a TCP connection on the address it listens on
  (``ANEMONE_SFTP_LISTEN``, else our VPN address and ServerIdentity.sftp_port; a wildcard address is tried on
  the loopback);
- disk: the data root has more free space than the smaller of ANEMONE_READY_MIN_FREE_PERCENT of the disk
  and ANEMONE_READY_MIN_FREE_BYTES.
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import socket
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from anemone.observability.collector import HEARTBEAT_MAX_AGE_SECONDS, data_root, live_clusters

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_SECONDS = 2.0
Result = tuple[bool, str]


def check_database() -> Result:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        log.exception("readiness: the database did not answer")
        return False, _("The database does not answer.")
    return True, ""


def check_worker() -> Result:
    try:
        alive = live_clusters()
    except Exception:
        log.exception("readiness: the worker heartbeat could not be read")
        return False, _("The task queue's heartbeat store does not answer.")
    if not alive:
        return False, _("No worker heartbeat in the last %(seconds)s seconds: is the worker process "
                        "(manage.py qcluster) running?") % {"seconds": HEARTBEAT_MAX_AGE_SECONDS}
    return True, ""


def sftp_address() -> tuple[str, int]:
    """Where the incoming endpoint listens (as peers.sftp_endpoint.default_listen), wildcards on the loopback."""
    listen = settings.SFTP_LISTEN
    if not listen:
        identity = apps.get_model("peers", "ServerIdentity")._default_manager.first()
        listen = f"{identity.vpn_ip}:{identity.sftp_port}" if identity else "127.0.0.1:2222"
    host, _sep, port = listen.rpartition(":")
    host = host.strip("[]")
    try:
        if not host or ipaddress.ip_address(host).is_unspecified:
            host = "::1" if ":" in host else "127.0.0.1"
    except ValueError:  # a host name: connect to it as is
        pass
    return host, int(port)


def check_sftp() -> Result | None:
    """None when there is no enabled peer (the endpoint has nothing to serve and does not listen)."""
    if not apps.is_installed("peers"):
        return None
    if not apps.get_model("peers", "Peer")._default_manager.filter(enabled=True).exists():
        return None
    host, port = sftp_address()
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
            pass
    except OSError:
        return False, _("The incoming SFTP endpoint does not accept connections (is the sftp process "
                        "running and the WireGuard tunnel up?).")
    return True, ""


def free_space_floor(total: int) -> int:
    """The smaller of the two settings; 0 when either is 0 (no check)."""
    percent = settings.ANEMONE_READY_MIN_FREE_PERCENT
    floor = settings.ANEMONE_READY_MIN_FREE_BYTES
    return min(int(total * percent / 100), floor) if percent > 0 and floor > 0 else 0


def check_disk() -> Result:
    usage = shutil.disk_usage(data_root())
    floor = free_space_floor(usage.total)
    if usage.free < floor:
        return False, _("Only %(free)s free on the data disk (less than %(floor)s).") % {
            "free": filesizeformat(usage.free), "floor": filesizeformat(floor)}
    return True, ""


CHECKS: dict[str, Callable[[], Result | None]] = {
    "database": check_database, "worker": check_worker, "sftp": check_sftp, "disk": check_disk,
}


def readiness() -> tuple[bool, dict[str, dict[str, str]]]:
    """(ready, {check: {"status": "ok" | "failing", "reason": ...}}); a check that does not apply is left out."""
    results: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        try:
            outcome = check()
        except Exception:
            log.exception("readiness: the %s check failed", name)
            outcome = False, _("The check itself failed (see the server log).")
        if outcome is None:
            continue
        ok, reason = outcome
        results[name] = {"status": "ok"} if ok else {"status": "failing", "reason": reason}
    return all(result["status"] == "ok" for result in results.values()), results
