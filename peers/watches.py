"""The peers' watches (anemone.alerts.conditions): what is wrong now between us and our friends' servers.

- ``peer-silent`` (hosting side): a peer that backed up to us before has not written to its folder here
  for its ``silent_after_days``. Told to our admins *and* to the peer's own admin (``contact_email``,
  from its invitation code): both friends hear about a stale backup. Clears when it writes again.
- ``peer-unreachable``: every stored health check of a peer has failed for 24 hours (``unreachable_since``,
  kept by peers.health.check_now; the schedule checks every 15 minutes).
- ``peer-host-lost`` (sending side): the host's status file says it holds far less than we sent
  (peers.host_report).

Each reads stored state only and never sends a packet to a peer (the alerts seam's rule); the silent watch
looks at the modification times of the few top-level files restic writes in the peer's folder on our own
disk (peers.hosting.observe), so it is current even when the endpoint process is not running.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse

from anemone.alerts.conditions import Finding, Watch, register
from anemone.runs import messages
from peers import host_report, hosting
from peers.health import Check
from peers.identity import server_name
from peers.models import Peer

UNREACHABLE_AFTER = timedelta(hours=24)


def _link(peer: Peer) -> str:
    return reverse("peers:detail", args=[peer.pk])


class PeerSilent(Watch):
    name = "peer-silent"

    def findings(self, now: datetime) -> list[Finding]:
        found = []
        for peer in Peer.objects.filter(enabled=True).exclude(silent_after_days=0):
            hosting.observe(peer, now)
            if peer.last_write_at is None:  # it never backed up to us: nothing has gone quiet
                continue
            silent = now - peer.last_write_at
            if silent < timedelta(days=peer.silent_after_days):
                continue
            params = {"peer": peer.name, "server": server_name(), "since": host_report.when(peer.last_write_at)}
            found.append(Finding(
                key=str(peer.pk), event=self.name, label=peer.name, link=_link(peer),
                title=messages.msg("peers.silent_title", **params),
                body=messages.msg("peers.silent_body", **params, days=silent.days, threshold=peer.silent_after_days),
                also_email=(peer.contact_email,) if peer.contact_email else (),
                also_language=peer.contact_language))
        return found


class PeerUnreachable(Watch):
    name = "peer-unreachable"

    def findings(self, now: datetime) -> list[Finding]:
        found = []
        for peer in Peer.objects.filter(enabled=True, unreachable_since__isnull=False):
            if peer.unreachable_since is None or now - peer.unreachable_since < UNREACHABLE_AFTER:
                continue
            checks = [Check.stored(item) for item in peer.health_results or [] if isinstance(item, dict)]
            failed = next((c for c in checks if c.status == "fail"), None)
            detail = messages.msg(failed.detail_code, **failed.detail_params) if failed and failed.detail_code else \
                messages.msg("runs.text", text=failed.detail if failed else "")
            fix = messages.msg(failed.fix_code, **failed.fix_params) if failed and failed.fix_code else \
                messages.msg("peers.fix_checks_first")
            hours = int((now - peer.unreachable_since).total_seconds() // 3600)
            found.append(Finding(
                key=str(peer.pk), event=self.name, label=peer.name, link=_link(peer),
                title=messages.msg("peers.unreachable_title", peer=peer.name, hours=24),
                body=messages.msg("peers.unreachable_body", peer=peer.name, since=host_report.when(peer.unreachable_since),
                                  checked=host_report.when(peer.health_checked_at), hours=hours,
                                  check=messages.msg(f"peers.label_{failed.key}") if failed else "",
                                  detail=detail, fix=fix)))
        return found


class PeerHostLost(Watch):
    name = "peer-host-lost"

    def findings(self, now: datetime) -> list[Finding]:
        found = []
        for peer in Peer.objects.filter(enabled=True).exclude(host_status={}):
            body = host_report.lost(peer)
            if body is None:
                continue
            found.append(Finding(key=str(peer.pk), event=self.name, label=peer.name, link=_link(peer),
                                 title=messages.msg("peers.lost_title", peer=peer.name), body=body))
        return found


def register_all() -> None:
    for watch in (PeerSilent(), PeerUnreachable(), PeerHostLost()):
        register(watch)
