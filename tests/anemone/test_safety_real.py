""""How safe are my files" from real runs: real cloud syncs (rclone to the test sshd, plain and crypt), one
of which then fails for real (its server's port closed). The person's dashboard and GET /api/v1/me/safety/
say what is true — a good copy on each destination, the failure since on the broken one — and never show
another person's name."""

from __future__ import annotations

import re

import pytest

from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup.models import Destination, Kind
from tests.anemone.test_dashboard import rows
from tests.cloudbackup.conftest import make_destination, put, rclone_key  # noqa: F401  (a fixture)
from tests.fixtures.sshd import free_port

pytestmark = pytest.mark.django_db


def sync(dest) -> str:
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    return run.status


def real_runs(sshd, alice, bob) -> tuple[Destination, Destination]:
    """Two destinations that copied alice's and bob's files; the second then fails for real."""
    put(alice, "photos/cat.jpg", b"\xff\xd8 cat " * 300)
    put(bob, "taxes.pdf", b"%PDF bob's own")
    plain = make_destination(Kind.SFTP, sshd=sshd, schedule_kind="daily")
    crypt = make_destination(Kind.SFTP, crypt=True, sshd=sshd, schedule_kind="daily")
    assert (sync(plain), sync(crypt)) == (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
    Destination.objects.filter(pk=crypt.pk).update(port=free_port())  # its server is gone
    assert sync(crypt) == RunStatus.FAILED
    return plain, crypt


def test_my_dashboard_and_the_api_say_what_real_runs_did_and_nothing_of_bob(client, api, rclone_key, sshd,  # noqa: F811
                                                                            alice, bob):
    plain, crypt = real_runs(sshd, alice, bob)
    client.force_login(alice)
    page = client.get("/").content.decode()
    said = rows(page, "backup")
    assert set(said) == {f"Cloud sync · {plain.name}", f"Cloud sync · {crypt.name}"}
    assert re.fullmatch(r"last good copy \d+ seconds ago", said[f"Cloud sync · {plain.name}"])
    assert re.fullmatch(r"last good copy \d+ seconds ago ⚠ the last run failed \(.*\)", said[f"Cloud sync · {crypt.name}"])
    states = dict((target, state) for state, target in
                  re.findall(r'<tr class="backup" data-state="(\w+)" data-target="([\w-]+)"', page))
    assert states == {f"cloud-{plain.pk}": "green", f"cloud-{crypt.pk}": "failing"}
    assert re.search(r"3 copies, 2 kinds, 2 off-site — newest \d min ago", page)
    assert "bob" not in page and "taxes" not in page
    chart = re.search(rf'<svg class="chart[^"]*"[^>]*aria-label="Your files copied per run: Cloud sync · {crypt.name}".*?</svg>',
                      page, re.S)
    assert chart and chart[0].count('class="bar-ok"') == 1 and chart[0].count('class="bar-bad"') == 1

    body = api(alice).get("/api/v1/me/safety/").json()
    found = {d["target_label"]: (d["state"], d["failures_since"], d["storage"]) for d in body["destinations"]}
    assert found == {plain.name: ("green", 0, "cloud"), crypt.name: ("failing", 1, "cloud")}
    assert "bob" not in str(body)
