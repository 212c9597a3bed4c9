"""Dashboards with pictures (issue #13, item 5): the SVG parses as XML, has labelled axes, a viewBox, a
<title> per bar or point and one per run; admins see every target, every person's usage and peers'
reciprocity; a person sees only their own items; the number of SQL queries does not grow with runs or people.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anemone import charts
from anemone.accounts.models import User
from cloudbackup.models import Destination
from peers.models import Peer
from tests.anemone.test_dashboard import backup_run

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox", "").startswith("0 0 ")
    assert not list(root.iter(f"{SVG}script"))
    return root


def texts(root: ET.Element, css: str) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == css]


def marks(root: ET.Element) -> list[ET.Element]:
    """The bars and dots that stand for data (not the tracks or axes), each with its tooltip."""
    return [e for e in root.iter() if (e.get("class") or "").startswith(("bar-", "dot-"))]


def charts_in(page: str) -> dict[str, ET.Element]:
    """Every chart of a page by its accessible name."""
    found = {}
    for svg in re.findall(r'<svg class="chart[^"]*".*?</svg>', page, re.S):
        root = parse(svg)
        found[root.get("aria-label")] = root
    return found


def test_a_bar_chart_has_a_labelled_axis_a_tooltip_per_row_and_the_limits():
    svg = charts.hbars([charts.Row("alice", 30, limit=100, tooltip="alice: 30 of 100"),
                        charts.Row("bob <&>", 120, limit=100, css="bad")],
                       title="Space", axis_label="space used", fmt=lambda v: f"{v:.0f} B")
    root = parse(svg)
    assert texts(root, "axis-label") == ["space used"] and texts(root, "label") == ["alice", "bob <&>"]
    assert texts(root, "axis")[0] == "0 B"
    bars = marks(root)
    assert [b.findtext(f"{SVG}title") for b in bars] == ["alice: 30 of 100", "bob <&>: 120 B"]
    assert float(bars[1].get("width")) > float(bars[0].get("width")) * 3.5
    assert len([e for e in root.iter(f"{SVG}line") if e.get("class") == "limit"]) == 2


def test_a_timeline_has_one_mark_per_run_dated_axes_and_stays_empty_without_runs():
    now = timezone.now()
    points = [charts.Point(now - timedelta(days=d), 1000 * d, tooltip=f"run {d}") for d in range(1, 8)]
    for dots in (False, True):
        root = parse(charts.timeline(points, start=now - timedelta(days=30), end=now, title="Bytes", y_label="bytes",
                                     x_label="last 30 days", fmt=str, dots=dots))
        assert texts(root, "axis-label") == ["bytes", "last 30 days"]
        assert len(marks(root)) == 7 and {m.tag for m in marks(root)} == {f"{SVG}{'circle' if dots else 'rect'}"}
        assert sorted(m.findtext(f"{SVG}title") for m in marks(root)) == sorted(f"run {d}" for d in range(1, 8))
        assert len(texts(root, "axis")) == 6  # 0 / half / top, and three dates
    assert charts.timeline([], start=now, end=now, title="t", y_label="y", x_label="x", fmt=str) == ""


def runs_for(dest, people, count: int) -> None:
    for n in range(count):
        backup_run("cloud", dest, {p: "succeeded" for p in people}, days_ago=(count - n) * 0.5)


def test_the_admin_sees_every_target_against_its_schedule_30_days_of_runs_usage_and_reciprocity(client, admin_user,
                                                                                                 alice, bob):
    daily = Destination.objects.create(name="offsite", schedule_kind="daily")
    runs_for(daily, [alice, bob], 5)
    backup_run("cloud", daily, {alice: "succeeded"}, days_ago=40)  # older than 30 days: not drawn
    Peer.objects.create(name="carol", wg_public_key="k" * 43 + "=", allowed_ips="198.51.100.2/32",
                        ssh_public_key="ssh-ed25519 AAAA", storage_cap_bytes=10 * 2**30, folder="carol")
    alice.quota_total_bytes, alice.usage_backup_bytes = 1000, 900
    alice.save()
    client.force_login(admin_user)
    found = charts_in(client.get("/").content.decode())
    schedule = found["Newest good copy against the schedule"]
    assert texts(schedule, "label") == ["Cloud sync · offsite"]
    assert "late after 26 h" in marks(schedule)[0].findtext(f"{SVG}title")
    assert len(marks(found["Bytes per run: Cloud sync · offsite"])) == 5
    assert len(marks(found["Duration per run: Cloud sync · offsite"])) == 5
    usage = found["Space used against quotas"]
    assert texts(usage, "label") == ["admin", "alice", "bob"]
    assert [m.get("class") for m in marks(usage)] == ["bar-ok", "bar-warn", "bar-ok"]  # alice at 90 %
    assert texts(found["Reciprocity with peers"], "label") == ["carol keeps here", "we keep at carol"]


def test_a_person_sees_their_usage_and_their_own_items_only(client, alice, bob):
    dest = Destination.objects.create(name="offsite")
    backup_run("cloud", dest, {alice: "succeeded", bob: "succeeded"}, days_ago=2)
    backup_run("cloud", dest, {bob: "succeeded"}, days_ago=1)  # alice not in it
    backup_run("cloud", dest, {alice: "failed"}, days_ago=0.5, status="failed")
    client.force_login(alice)
    page = client.get("/").content.decode()
    found = charts_in(page)
    assert set(found) == {"Your space", "Your files copied per run: Cloud sync · offsite"}
    mine = marks(found["Your files copied per run: Cloud sync · offsite"])
    assert [m.get("class") for m in mine] == ["bar-ok", "bar-bad"]
    assert "bob" not in page and "Space used against quotas" not in page


def dashboard_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_dashboards_queries_do_not_grow_with_runs_or_people(client, admin_user, alice, bob):
    dest = Destination.objects.create(name="offsite", schedule_kind="daily")
    runs_for(dest, [alice, bob], 3)
    few = dashboard_queries(client, admin_user), dashboard_queries(client, alice)
    more = [User.objects.create(username=f"p{n}", activated_at=timezone.now()) for n in range(27)]
    runs_for(dest, [alice, bob, *more], 27)  # 30 runs, 30 people
    many = dashboard_queries(client, admin_user), dashboard_queries(client, alice)
    assert many == few, f"queries with 3 runs and 3 people: {few}; with 30 of each: {many}"


def test_the_pictures_speak_french(client, alice):
    alice.language = "fr"
    alice.save()
    backup_run("cloud", Destination.objects.create(name="offsite"), {alice: "succeeded"}, days_ago=1)
    client.force_login(alice)
    found = charts_in(client.get("/").content.decode())
    assert len(found) == 2 and "Votre espace" in found, set(found)
    assert texts(found["Votre espace"], "axis-label") == ["part du quota utilisée"]
    assert texts(found["Votre espace"], "label") == ["Espace sauvegardé", "Total", "Corbeille"]
    history = next(root for name, root in found.items() if name.startswith("Vos fichiers copiés par exécution"))
    assert texts(history, "axis-label") == ["octets", "exécutions des 30 derniers jours"]
