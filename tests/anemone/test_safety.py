""""How safe are my files" (issue #13, item 4): the 3-2-1 badge in words (EN, FR), the states, the last
drill, the dashboard section and GET /api/v1/me/safety/ — each person sees only what carries them.

Backup runs here are rows shaped as the real kinds write them (tests/anemone/test_dashboard.backup_run);
tests/anemone/test_safety_real.py reads real cloud syncs. Drill runs are rows too: their kind is being built
elsewhere ("<kind>-drill", one item per person with stats checked / mismatched / missing).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from anemone.runs import safety
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from cloudbackup.models import Destination
from tests.anemone.test_dashboard import backup_run
from usbbackup.models import Scope, UsbBackup

pytestmark = pytest.mark.django_db


def drill_run(kind: str, target, outcome: dict, *, days_ago: float = 1, status: str = RunStatus.SUCCEEDED) -> Run:
    """A finished drill of a target: outcome maps a person to (item status, checked, mismatched, missing)."""
    run = runs.start(f"{kind}-drill", target.pk, label=target.name)
    for person, (item_status, checked, mismatched, missing) in outcome.items():
        item = runs.start_item(run, user=person)
        runs.finish_item(item, status=item_status, files=checked, checked=checked, mismatched=mismatched,
                         missing=missing)
    when = timezone.now() - timedelta(days=days_ago)
    Run.objects.filter(pk=run.pk).update(status=status, queued_at=when, started_at=when, finished_at=when)
    return Run.objects.get(pk=run.pk)


def daily(name: str, **extra) -> Destination:
    return Destination.objects.create(name=name, schedule_kind="daily", **extra)


def usb(name: str, *people, **extra) -> UsbBackup:
    """A USB job carrying these people (a drive carries only the people ticked)."""
    job = UsbBackup.objects.create(name=name, scope=Scope.CONFIG_USERS, **extra)
    job.users.add(*people)
    return job


def by_label(person) -> dict[str, safety.DestinationSafety]:
    return {s.label: s for s in safety.person_safety(person)}


@pytest.mark.parametrize(("language", "figures", "expected"), [
    ("en", (3, 2, 1, 6), "3 copies, 2 kinds, 1 off-site — newest 6 h ago"),
    ("en", (1, 1, 0, None), "1 copy, 1 kind, 0 off-site — no backup yet"),
    ("en", (2, 2, 2, 72), "2 copies, 2 kinds, 2 off-site — newest 3 days ago"),
    ("fr", (3, 2, 1, 6), "3 copies, 2 types, 1 hors site — la plus récente il y a 6 h"),
    ("fr", (1, 1, 0, None), "1 copie, 1 type, 0 hors site — aucune sauvegarde pour l'instant"),
    ("fr", (2, 2, 2, 25), "2 copies, 2 types, 2 hors site — la plus récente il y a 25 h"),
    ("fr", (4, 3, 1, 100), "4 copies, 3 types, 1 hors site — la plus récente il y a 4 jours"),
])
def test_the_badge_speaks_plain_words_with_the_right_plurals(language, figures, expected):
    copies, kinds, off_site, hours_ago = figures
    newest = timezone.now() - timedelta(hours=hours_ago, minutes=5) if hours_ago is not None else None
    with translation.override(language):
        assert safety.Badge(copies=copies, kinds=kinds, off_site=off_site, newest=newest).words == expected


def test_the_badge_counts_the_original_each_good_copy_its_kind_and_the_off_site_ones(alice):
    cloud, drawer, never = daily("offsite"), usb("drawer", alice), daily("new-nas")
    backup_run("cloud", cloud, {alice: "succeeded"}, days_ago=6 / 24)
    backup_run("usb", drawer, {alice: "succeeded"}, days_ago=3)
    backup_run("cloud", never, {alice: "failed"}, days_ago=1, status=RunStatus.FAILED)  # no copy there
    badge = safety.badge(safety.person_safety(alice))
    assert (badge.copies, badge.kinds, badge.off_site, badge.meets_321) == (3, 3, 1, True)
    assert badge.words == "3 copies, 3 kinds, 1 off-site — newest 6 h ago"


def test_green_late_and_failing_follow_the_schedule_the_failures_and_the_drill(alice):
    fresh, old, manual, broken, _never_run = daily("fresh"), daily("old"), Destination.objects.create(name="manual"), \
        daily("broken"), daily("empty")
    backup_run("cloud", fresh, {alice: "succeeded"}, days_ago=2 / 24)
    backup_run("cloud", old, {alice: "succeeded"}, days_ago=30 / 24)  # daily: late after 26 h
    backup_run("cloud", manual, {alice: "succeeded"}, days_ago=40)  # manual: never late
    backup_run("cloud", broken, {alice: "succeeded"}, days_ago=3 / 24)
    backup_run("cloud", broken, {alice: "failed"}, days_ago=1 / 24, status=RunStatus.FAILED)
    states = {label: s.state for label, s in by_label(alice).items()}
    assert states == {"fresh": "green", "old": "late", "manual": "green", "broken": "failing", "empty": "late"}
    assert by_label(alice)["old"].threshold == timedelta(hours=26)
    assert by_label(alice)["manual"].threshold is None


def test_a_drill_that_found_a_difference_for_me_makes_my_copy_failing_not_my_neighbours(alice, bob):
    dest = daily("offsite")
    backup_run("cloud", dest, {alice: "succeeded", bob: "succeeded"}, days_ago=2 / 24)
    drill_run("cloud", dest, {alice: (RunStatus.SUCCEEDED, 20, 0, 0), bob: (RunStatus.FAILED, 20, 1, 0)})
    mine, theirs = by_label(alice)["offsite"], by_label(bob)["offsite"]
    assert (mine.state, mine.drill.ok, mine.drill.checked) == ("green", True, 20)
    assert (theirs.state, theirs.drill.mismatched, theirs.drill.failed) == ("failing", 1, True)
    admin_view = safety.target_safety([s.backup for s in [mine]])[0]  # a target is failing if anyone's drill is
    assert (admin_view.state, admin_view.drill.checked, admin_view.drill.mismatched) == ("failing", 40, 1)


def test_a_drill_that_failed_before_reaching_anybody_fails_for_everyone_and_a_newer_good_one_clears_it(alice):
    dest = daily("offsite")
    backup_run("cloud", dest, {alice: "succeeded"}, days_ago=1 / 24)
    drill_run("cloud", dest, {}, days_ago=2, status=RunStatus.FAILED)
    assert by_label(alice)["offsite"].state == "failing"
    drill_run("cloud", dest, {alice: (RunStatus.SUCCEEDED, 5, 0, 0)}, days_ago=1)
    assert by_label(alice)["offsite"].state == "green"
    running = runs.start("cloud-drill", dest.pk, label="offsite")  # a drill in progress changes nothing yet
    assert by_label(alice)["offsite"].drill.run.pk != running.pk


def test_only_destinations_carrying_me_are_listed(alice, bob):
    Destination.objects.create(name="everyone")
    bobs = Destination.objects.create(name="bobs", carry_everyone=False)
    bobs.users.add(bob)
    assert set(by_label(alice)) == {"everyone"} and set(by_label(bob)) == {"everyone", "bobs"}


def test_the_dashboard_shows_the_badge_each_destinations_state_and_drill(client, alice, bob):
    dest, drawer = daily("offsite"), usb("drawer", alice, schedule_kind="daily")
    backup_run("cloud", dest, {alice: "succeeded", bob: "succeeded"}, days_ago=2 / 24)
    backup_run("usb", drawer, {alice: "succeeded"}, days_ago=3)
    drill_run("cloud", dest, {alice: (RunStatus.SUCCEEDED, 20, 0, 0), bob: (RunStatus.FAILED, 20, 1, 2)})
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "3 copies, 3 kinds, 1 off-site — newest 2 h ago" in page
    states = dict(re.findall(r'<tr class="backup" data-state="(\w+)" data-target="([\w-]+)"', page))
    assert states == {"green": f"cloud-{dest.pk}", "late": f"usb-{drawer.pk}"}
    assert "20 files restored and identical" in page and "bob" not in page
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert "1 different, 2 missing of 20 checked" in page and "failing" in page


def test_the_dashboard_section_speaks_french(client, alice):
    alice.language = "fr"
    alice.save()
    backup_run("cloud", daily("offsite"), {alice: "succeeded"}, days_ago=30 / 24)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Mes fichiers sont-ils en sécurité ?" in page and "2 copies, 2 types, 1 hors site" in page
    assert "en retard" in page and "pas encore d'exercice de restauration" in page


def test_the_api_says_how_safe_my_files_are_and_only_mine(api, alice, bob):
    dest = daily("offsite")
    bobs = Destination.objects.create(name="bobs-only", carry_everyone=False)
    bobs.users.add(bob)
    backup_run("cloud", dest, {alice: "succeeded", bob: "succeeded"}, days_ago=6 / 24)
    backup_run("cloud", dest, {alice: "failed", bob: "succeeded"}, days_ago=1 / 24, status=RunStatus.PARTIAL)
    backup_run("cloud", bobs, {bob: "succeeded"}, days_ago=1 / 24)
    drill = drill_run("cloud", dest, {alice: (RunStatus.SUCCEEDED, 12, 0, 0), bob: (RunStatus.FAILED, 12, 3, 0)})
    answer = api(alice).get("/api/v1/me/safety/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["badge"]["words"] == "2 copies, 2 kinds, 1 off-site — newest 6 h ago"
    assert body["badge"]["meets_321"] is False
    [mine] = body["destinations"]
    assert (mine["target_label"], mine["storage"], mine["off_site"], mine["state"]) == ("offsite", "cloud", True, "failing")
    assert (mine["failures_since"], mine["overdue_after_seconds"], 6 * 3600 <= mine["age_seconds"] < 7 * 3600) == \
        (1, 26 * 3600, True)
    assert mine["drill"] == {**mine["drill"], "run": drill.pk, "ok": True, "checked": 12, "mismatched": 0}
    assert "bob" not in answer.content.decode()
    assert api(None).get("/api/v1/me/safety/").status_code == 401


def test_the_schema_documents_me_safety_under_me(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/me/safety/"]["get"]
    assert operation["tags"] == ["me"]
    assert "badge" in schema["components"]["schemas"]["Safety"]["properties"]


def test_the_admin_sees_every_configured_target_a_never_run_one_as_late_and_failing_ones_first(client, admin_user,
                                                                                              alice):
    fresh, broken, new = daily("fresh"), daily("broken"), daily("brand-new")
    backup_run("cloud", fresh, {alice: "succeeded"}, days_ago=1 / 24)
    backup_run("cloud", broken, {alice: "succeeded"}, days_ago=1 / 24)
    drill_run("cloud", broken, {alice: (RunStatus.SUCCEEDED, 9, 0, 1)})  # one file missing from the copy
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    found = re.findall(r'<tr class="target" data-state="(\w+)" data-target="cloud-(\d+)"', page)
    assert found == [("failing", str(broken.pk)), ("late", str(new.pk)), ("green", str(fresh.pk))]
    assert "0 different, 1 missing of 9 checked" in page
