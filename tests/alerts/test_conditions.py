"""The conditions seam (anemone.alerts.conditions) with real delivery: a watch reports what is wrong now, the
job tells each problem once, tells "resolved" once, and leaves problems alone when the watch cannot read the
state. The watch here is the test's own (the seam is ours); the mail goes to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anemone.alerts import conditions
from anemone.alerts.models import AlertChannel, Problem
from anemone.alerts.services import save_channel
from anemone.runs.messages import msg

pytestmark = pytest.mark.django_db


class Switch(conditions.Watch):
    """Reports the disk "vault" as nearly full while ``full`` is set; raises while ``broken`` is."""

    name = "test-disk"

    def __init__(self) -> None:
        self.full, self.broken, self.contact = True, False, ()

    def findings(self, now):
        if self.broken:
            raise OSError("cannot read the disk's state")
        if not self.full:
            return []
        return [conditions.Finding(
            key="vault", event="disk-full", label="vault", link="/settings/",
            title=msg("runs.text", text="Disk nearly full: vault"),
            body=msg("runs.text", text="vault has 2 % free."), also_email=self.contact, also_language="fr")]


@pytest.fixture
def watch():
    switch = conditions.register(Switch())
    yield switch
    conditions.unregister(Switch.name)


def test_a_condition_is_told_once_while_it_lasts_and_once_when_it_clears(watch, smtp_server):
    save_channel(AlertChannel(name="admins", kind="email", emails="admin@example.org", language="fr"))
    now = timezone.now()
    assert conditions.check_all(now) == 1
    assert conditions.check_all(now + timedelta(minutes=5)) == 0  # still full: not told again
    assert Problem.objects.get(watch="test-disk").key == "test-disk:vault"
    watch.broken = True
    assert conditions.check_all(now + timedelta(minutes=10)) == 0  # unreadable is not "recovered"
    assert Problem.objects.filter(watch="test-disk").exists()
    watch.broken, watch.full = False, False
    assert conditions.check_all(now + timedelta(minutes=15)) == 1
    assert not Problem.objects.filter(watch="test-disk").exists()
    subjects, bodies = smtp_server.subjects(), smtp_server.bodies()
    assert len(subjects) == 2
    assert subjects[0].endswith("Disk nearly full: vault")
    assert "vault has 2 % free." in bodies[0] and "Depuis" in bodies[0] and "/settings/" in bodies[0]
    assert subjects[1].endswith("Résolu : Disk nearly full: vault")
    assert "Ceci est rentré dans l’ordre" in bodies[1]


def test_warnings_can_be_turned_off_per_channel_and_contacts_are_told_in_their_language(watch, smtp_server):
    save_channel(AlertChannel(name="quiet", kind="email", emails="quiet@example.org", on_warnings=False))
    watch.contact = ("friend@example.net",)
    assert conditions.check_all() == 1
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["friend@example.net"]
    assert "Depuis" in smtp_server.bodies()[0]
