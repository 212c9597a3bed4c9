"""Alerts from real runs, delivered for real: e-mail to an SMTP server on 127.0.0.1 (Django's SMTP backend with
the ANEMONE_EMAIL_* settings) and Apprise to a JSON webhook on 127.0.0.1 (the apprise library itself).

The runs are real cloud syncs to `rclone serve webdav`: a wrong password makes them fail, the right one makes
them succeed. The alerts job (`system:alerts`, every minute) is called the way the scheduler calls it.
"""

from __future__ import annotations

import re

import pytest

from anemone.alerts import jobs
from anemone.alerts.models import AlertChannel, Problem
from anemone.alerts.services import save_channel
from anemone.models import SiteSettings
from anemone.runs.models import RunStatus
from cloudbackup import services as cloud
from tests.alerts.conftest import WRONG, sync

pytestmark = pytest.mark.django_db


def test_three_failures_are_one_message_in_each_language_then_one_recovered(offsite, channels, smtp_server,
                                                                            webhook, webdav_server):
    first = sync(offsite, RunStatus.FAILED)
    assert jobs.claim_finished_runs() == 1
    for _night in range(2):  # the next two nights fail too: nobody is told again
        sync(offsite, RunStatus.FAILED)
        assert jobs.claim_finished_runs() == 0

    (mail,) = smtp_server.messages
    assert smtp_server.subjects() == ["[maison] Synchronisation cloud en échec : offsite"]
    assert sorted(str(mail["To"]).split(", ")) == ["alice@example.org", "bob@example.org"]
    assert mail["From"] == "anemone@nas.example.org"
    (body,) = smtp_server.bodies()
    # French dates too: "Le 2 décembre 2026 18:51, ..."
    assert re.search(rf"^Le \d{{1,2}} \w+ \d{{4}} \d\d:\d\d, l'exécution n° {first.pk} de « offsite » "
                     r"\(Synchronisation cloud\) a échoué\.$", body, re.M), body
    assert f"Détails et que faire : https://nas.example.org/runs/{first.pk}/" in body
    assert "Vous ne serez pas prévenu à nouveau" in body
    (post,) = webhook.posts
    assert post["title"] == "[maison] Cloud sync failed: offsite"
    assert f", run #{first.pk} of “offsite” (Cloud sync) failed.\n" in post["message"]
    assert f"Details and what to do: https://nas.example.org/runs/{first.pk}/" in post["message"]
    for said in [body, post["message"], smtp_server.subjects()[0], post["title"]]:
        assert WRONG not in said and webdav_server.secret not in said
    problem = Problem.objects.get()
    assert (problem.kind, problem.target_id, problem.events_sent) == ("cloud", offsite.pk, ["run-failed"])

    cloud.save_destination(offsite, secrets={"password": webdav_server.secret})
    good = sync(offsite, RunStatus.SUCCEEDED)
    assert jobs.claim_finished_runs() == 1
    assert smtp_server.subjects()[1] == "[maison] Synchronisation cloud fonctionne à nouveau : offsite"
    assert f", l'exécution n° {good.pk} de « offsite » (Synchronisation cloud) a réussi : cela fonctionne à nouveau." \
        in smtp_server.bodies()[1]
    assert "En erreur depuis : " in smtp_server.bodies()[1]
    assert webhook.posts[1]["title"] == "[maison] Cloud sync works again: offsite"
    assert f"https://nas.example.org/runs/{good.pk}/" in webhook.posts[1]["message"]
    assert not Problem.objects.exists()

    sync(offsite, RunStatus.SUCCEEDED)  # working and still working: nothing to say
    assert jobs.claim_finished_runs() == 0
    assert (len(smtp_server.messages), len(webhook.posts)) == (2, 2)
    channel = AlertChannel.objects.get(name="hook")
    assert channel.last_sent_at is not None and channel.last_error == ""


def test_a_backlog_after_downtime_is_one_message_and_previews_say_nothing(offsite, channels, smtp_server, webhook):
    for _night in range(3):  # the alerts job was not running: three failed syncs wait to be claimed
        sync(offsite, RunStatus.FAILED)
    sync(offsite, RunStatus.FAILED, dry_run=True)
    assert jobs.claim_finished_runs() == 1
    assert jobs.claim_finished_runs() == 0
    assert (len(smtp_server.messages), len(webhook.posts)) == (1, 1)

    Problem.objects.all().delete()
    sync(offsite, RunStatus.FAILED, dry_run=True)  # a failed preview is not a failed backup
    assert jobs.claim_finished_runs() == 0 and not Problem.objects.exists()


def test_each_channel_gets_only_the_events_it_chose_and_disabled_ones_nothing(offsite, smtp_server, webhook,
                                                                             webdav_server):
    save_channel(AlertChannel(name="only-recovered", kind="email", emails="admin@example.org", on_failed=False,
                              on_partial=False))
    save_channel(AlertChannel(name="off", kind="apprise", enabled=False), url=webhook.url)
    sync(offsite, RunStatus.FAILED)
    assert jobs.claim_finished_runs() == 1  # told to the seam, but no channel wanted it
    assert smtp_server.messages == [] and webhook.posts == []
    cloud.save_destination(offsite, secrets={"password": webdav_server.secret})
    sync(offsite, RunStatus.SUCCEEDED)
    assert jobs.claim_finished_runs() == 1
    assert smtp_server.subjects() == ["[maison] Cloud sync works again: offsite"]
    assert webhook.posts == []


def test_without_a_public_address_the_link_is_the_run_page_path(offsite, channels, smtp_server):
    SiteSettings.objects.filter(pk=1).update(portal_url="")
    run = sync(offsite, RunStatus.FAILED)
    jobs.claim_finished_runs()
    assert f"Détails et que faire : /runs/{run.pk}/\n" in smtp_server.bodies()[0]


def test_a_broken_channel_is_recorded_and_the_others_are_still_told(offsite, smtp_server, webhook):
    from tests.fixtures.sshd import free_port

    closed = free_port()  # nothing listens there
    broken = save_channel(AlertChannel(name="broken", kind="apprise"), url=f"json://127.0.0.1:{closed}/")
    save_channel(AlertChannel(name="mail", kind="email", emails="admin@example.org"))
    sync(offsite, RunStatus.FAILED)
    assert jobs.claim_finished_runs() == 1
    assert len(smtp_server.messages) == 1
    broken.refresh_from_db()
    assert broken.last_sent_at is None and "Apprise could not deliver" in broken.last_error
