"""A French reader sees run messages in French: they are stored as codes + parameters and rendered when shown.

Runs of every outcome are created with real codes of the catalogues (core and cloud's hint table); the runs
list, the run detail page, the API and the CLI rendering are read by a French admin and a French person,
and fail on the English those messages used to carry.
"""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone, translation

from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from anemone.runs.schedules import describe
from cloudbackup.models import Destination

ENGLISH = ["daily at", "every ", "succeeded", "Unexpected error", "Interrupted", "backup area is missing",
           "The worker running it", "never picked up", "files copied", "Syncing ", "check the server is up",
           "see the log below", "Checking "]


def _run(status: str, code: str, params: dict, *, item_for=None, item_code: str = "", item_params=None) -> Run:  # type: ignore[no-untyped-def]
    dest = Destination.objects.create(name=f"offsite-{Destination.objects.count()}")
    run = Run.objects.create(kind="cloud", target_id=dest.pk, target_label=dest.name, status=status,
                             message=messages.english(code, params) if code else "", message_code=code,
                             message_params=params, started_at=timezone.now(),
                             finished_at=None if status in ("queued", "running") else timezone.now())
    if item_for is not None:
        item = runs.start_item(run, user=item_for)
        runs.finish_item(item, status=status, code=item_code, params=item_params or {})
    return run


@pytest.fixture
def every_outcome(alice):  # type: ignore[no-untyped-def]
    summary = messages.msg("cloudbackup.copied", people=messages.msg("runs.people", count=1),
                           files=messages.msg("cloudbackup.files_copied", count=3), size=messages.msg("runs.size", bytes=120))
    step = {"step": messages.msg("cloudbackup.step_syncing", user="alice", destination="offsite"),
            "message": "connection refused", "hint": messages.msg("cloudbackup.hint_unreachable")}
    return [
        _run(RunStatus.SUCCEEDED, "runs.lines", {"lines": [summary]}, item_for=alice),
        _run(RunStatus.PARTIAL, "runs.lines", {"lines": [summary, messages.msg("cloudbackup.not_pruned", error="x")]},
             item_for=alice, item_code="cloudbackup.area_missing", item_params={"user": "alice"}),
        _run(RunStatus.FAILED, "runs.step_error_hint", step, item_for=alice,
             item_code="cloudbackup.area_missing", item_params={"user": "alice"}),
        _run(RunStatus.FAILED, "runs.unexpected_error", {"error": "boom"}),
        _run(RunStatus.INTERRUPTED, "runs.interrupted_worker", {}),
        _run(RunStatus.INTERRUPTED, "runs.interrupted_never_picked", {}),
        _run(RunStatus.INTERRUPTED, "runs.interrupted_database", {}),
        _run(RunStatus.SKIPPED, "cloudbackup.folder_gone", {}),
        _run(RunStatus.QUEUED, "", {}),
        _run(RunStatus.RUNNING, "", {}),
    ]


def _text(page: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _no_english(text: str) -> None:
    found = [fragment for fragment in ENGLISH if fragment in text]
    assert not found, f"English on a French page: {found}"


@pytest.mark.parametrize("who", ["admin", "person"])
def test_runs_list_and_detail_speak_french(client, admin_user, alice, every_outcome, who):  # type: ignore[no-untyped-def]
    reader = admin_user if who == "admin" else alice
    reader.language = "fr"
    reader.save()
    client.force_login(reader)
    pages = [client.get("/runs/", HTTP_ACCEPT_LANGUAGE="fr")]
    visible = every_outcome if who == "admin" else [run for run in every_outcome if run.items.exists()]
    pages += [client.get(f"/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="fr") for run in visible]
    for page in pages:
        assert page.status_code == 200
        _no_english(_text(page.content.decode()))
    assert "Synchronisation cloud" in _text(pages[0].content.decode())  # the kind's label, not "cloud"
    detail = _text(client.get(f"/runs/{every_outcome[2].pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "l'espace de sauvegarde est absent ou illisible" in detail  # alice's own item, seen by both
    if who == "admin":
        assert "Synchronisation de alice vers offsite : connection refused — vérifiez que le serveur" in detail


def test_the_api_renders_in_the_request_language_and_gives_the_code(api, admin_user, every_outcome):  # type: ignore[no-untyped-def]
    client = api(admin_user)
    run = every_outcome[4]
    french = client.get(f"/api/v1/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["message_code"] == "runs.interrupted_worker" and french["message_params"] == {}
    assert french["message"].startswith("Interrompue : le processus")
    english = client.get(f"/api/v1/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["message"].startswith("Interrupted: The worker running it stopped")


def test_counts_take_the_plural_form_of_the_language(db):  # type: ignore[no-untyped-def]
    def summary(people: int, files: int, size: int) -> dict:
        return {"people": messages.msg("runs.people", count=people), "size": messages.msg("runs.size", bytes=size),
                "files": messages.msg("cloudbackup.files_copied", count=files)}

    assert messages.english("cloudbackup.copied", summary(1, 1, 1)) == "1 person, 1 file copied (1\xa0byte)"
    assert messages.english("cloudbackup.copied", summary(2, 3, 2048)) == "2 people, 3 files copied (2.0\xa0KB)"
    with translation.override("fr"):
        assert messages.render("cloudbackup.copied", summary(1, 1, 1)) == "1 personne, 1 fichier copié (1\xa0octet)"
        assert messages.render("cloudbackup.copied", summary(2, 3, 2048)) == \
            "2 personnes, 3 fichiers copiés (2,0\xa0Kio)"


def test_the_english_column_is_the_fallback_of_old_rows(db):  # type: ignore[no-untyped-def]
    run = Run.objects.create(kind="cloud", target_id=1, status=RunStatus.FAILED, message="an old English message")
    with translation.override("fr"):
        assert run.shown_message == "an old English message"


def test_a_crashed_body_stores_a_code_rendered_in_french(db):  # type: ignore[no-untyped-def]
    run = runs.start("cloud", 99, label="x")

    def body(run, tracker):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    run = runs.execute(run.pk, body)
    assert run is not None and run.message_code == "runs.unexpected_error"
    assert run.message == "Unexpected error: disk on fire. The log tail has details."
    with translation.override("fr"):
        assert run.shown_message == "Erreur inattendue : disk on fire. La fin du journal donne les détails."


def test_schedule_descriptions_speak_french(db):  # type: ignore[no-untyped-def]
    from datetime import time

    dest = Destination(name="d", schedule_kind="daily", schedule_time=time(2, 0))
    with translation.override("fr"):
        assert describe(dest) == "chaque jour à 02:00"
        dest.schedule_kind, dest.schedule_interval_minutes = "interval", 30
        assert describe(dest) == "toutes les 30 min"
        dest.schedule_kind = "weekly"
        assert describe(dest) == "chaque semaine le lundi à 02:00"
    with translation.override("en"):
        assert describe(dest) == "weekly on Monday at 02:00"


def test_api_refusals_speak_the_request_language(api, alice, admin_user):  # type: ignore[no-untyped-def]
    """Our own API error details (path refusals, a missing file, a busy target) are translated like DRF's."""
    client = api(alice)
    refused = client.get("/api/v1/files/", {"area": "backup", "path": "../bob"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 400 and refused.json() == {"detail": "« .. » est interdit dans les chemins."}
    missing = client.get("/api/v1/files/", {"area": "backup", "path": "nothing-here"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert missing.status_code == 404 and missing.json()["detail"] == "Non trouvé."
    english = client.get("/api/v1/files/", {"area": "backup", "path": "../bob"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json() == {"detail": "'..' is not allowed in paths."}
    dest = Destination.objects.create(name="offsite")
    Run.objects.create(kind="cloud", target_id=dest.pk, status=RunStatus.QUEUED)
    busy = api(admin_user).post(f"/api/v1/cloud/destinations/{dest.pk}/sync/", {}, format="json",
                                HTTP_ACCEPT_LANGUAGE="fr")
    assert busy.status_code == 409
    assert busy.json()["detail"].startswith("Une exécution de offsite est déjà en attente ou en cours.")


@pytest.mark.parametrize("who", ["admin", "person"])
def test_cloud_and_restore_pages_speak_french(client, admin_user, alice, every_outcome, who):  # type: ignore[no-untyped-def]
    """The Cloud page, each destination's page (its run history of every outcome) and the Restore hub."""
    reader = admin_user if who == "admin" else alice
    reader.language = "fr"
    reader.save()
    client.force_login(reader)
    urls = ["/restore/", "/cloud/restore/"]
    if who == "admin":
        urls += ["/cloud/", *[f"/cloud/{run.target_id}/" for run in every_outcome]]
    for url in urls:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert page.status_code == 200, url
        _no_english(_text(page.content.decode()))
