"""A failed restore drill is alerted by the one alerts job, like every failed run, and "works again" follows the
next drill that passes (real cloud drill against the test sshd, real webhook through Apprise)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anemone.alerts import jobs
from anemone.alerts.models import AlertChannel, Problem
from anemone.alerts.services import save_channel
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put, rclone_key  # noqa: F401  (fixture)
from tests.cloudbackup.test_drill import flip_one_byte

pytestmark = pytest.mark.django_db


def test_a_failed_drill_is_told_once_and_its_recovery_once(rclone_key, sshd, admin_user, alice, webhook):  # noqa: F811
    save_channel(AlertChannel(name="hook", kind="apprise", language="en"), url=webhook.url)
    dest = make_destination(Kind.SFTP, sshd=sshd, name="offsite")
    put(alice, "taxes.pdf", os.urandom(5000))
    assert request_run("cloud", dest.pk, inline=True).status == RunStatus.SUCCEEDED
    assert jobs.claim_finished_runs() == 0  # a good sync: nothing to say
    (stored,) = [p for p in Path(dest.remote_path).rglob("*") if p.is_file()]
    flip_one_byte(stored)
    failed = request_run("cloud-drill", dest.pk, inline=True)
    assert failed.status == RunStatus.FAILED
    assert jobs.claim_finished_runs() == 1
    (post,) = webhook.posts
    assert post["title"].endswith("Cloud restore drill failed: offsite"), post
    assert f"run #{failed.pk}" in post["message"] and "taxes.pdf" not in post["message"]
    assert Problem.objects.get().kind == "cloud-drill"
    assert request_run("cloud-drill", dest.pk, inline=True).status == RunStatus.FAILED
    assert jobs.claim_finished_runs() == 0  # still damaged: not told twice
    flip_one_byte(stored)  # the same byte back
    assert request_run("cloud-drill", dest.pk, inline=True).status == RunStatus.SUCCEEDED
    assert jobs.claim_finished_runs() == 1
    assert webhook.posts[1]["title"].endswith("Cloud restore drill works again: offsite")
    assert not Problem.objects.exists()
