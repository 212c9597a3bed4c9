"""A French reader sees P2P runs and the peer health checklist in French, whatever language the worker had.

Real backups and restores to the test friend (our own endpoint on 127.0.0.1, real restic) store codes +
parameters (p2p.hints); they are rendered under translation.override("fr"), and the `message` column keeps
the English. The checklist is run for real (check_now) and the peer's page is read by a French admin.
"""

from __future__ import annotations

import html
import re

import pytest
from django.utils import translation

from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from p2p import restore
from p2p.models import UserRepository
from peers import health
from tests.fixtures.sshd import free_port
from tests.p2p.conftest import write_files

pytestmark = pytest.mark.django_db(transaction=True)

CHECKLIST_ENGLISH = ["not checked yet", "WireGuard handshake", "waiting for check", "SFTP login with our key",
                     "Repository present", "Backup scheduled", "last run", "no repository yet", "never run yet",
                     "Start the tunnel", "entries in our folder", "Peer's SFTP port", "Click Back up now"]


def _french(row) -> str:  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        return row.shown_message


def _backup(target, **options):  # type: ignore[no-untyped-def]
    run = request_run("p2p", target.pk, inline=True, options=options or None)
    run.refresh_from_db()
    return run


def test_a_backup_and_an_empty_area_read_in_french(friend, alice, bob):  # type: ignore[no-untyped-def]
    write_files(alice, {"a.txt": b"alice"})
    bob_area = write_files(bob, {"x": b""})
    (bob_area / "x").unlink()  # bob's area exists and is empty: his item is skipped
    run = _backup(friend)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert "people backed up to friend" in run.message  # the English column, for logs and old readers
    french = _french(run)
    assert "personnes sauvegardées vers friend" in french and "backed up" not in french, french
    items = {i.user.username: i for i in run.items.all()}
    assert items["bob"].status == RunStatus.SKIPPED
    assert items["bob"].message == ("bob: the backup area is empty; nothing to back up (earlier snapshots are "
                                    "kept).")
    assert _french(items["bob"]) == ("bob : l'espace de sauvegarde est vide ; rien à sauvegarder (les instantanés "
                                     "précédents sont conservés).")


def test_an_unreachable_peer_and_a_person_not_carried_fail_in_french(client, admin_user, friend, alice):  # type: ignore[no-untyped-def]
    write_files(alice, {"a.txt": b"a"})
    friend.port = free_port()  # nothing listens there
    friend.save()
    run = _backup(friend)
    assert run.status == RunStatus.FAILED
    assert "peer unreachable" in run.message and "Backing up alice to friend" in run.message
    french = _french(run)
    assert french.startswith("Sauvegarde de alice vers friend : ") and "pair injoignable : vérifiez le tunnel" in french
    assert "peer unreachable" not in french and "Backing up" not in french, french
    problem = UserRepository.objects.get(target=friend, user=alice)  # what the P2P page says under alice's row
    assert problem.problem.startswith("Backing up alice to friend")
    admin_user.language = "fr"
    admin_user.save()
    client.force_login(admin_user)
    page = html.unescape(client.get(f"/p2p/{friend.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "⚠ Sauvegarde de alice vers friend : " in page and "peer unreachable" not in page
    refused = _backup(friend, users=["nobody"])
    assert refused.status == RunStatus.FAILED and refused.message == "nobody: not carried by this target."
    assert _french(refused) == "nobody : pas sauvegardé(s) par cette cible."


def test_a_target_carrying_nobody_skips_in_french(friend, alice):  # type: ignore[no-untyped-def]
    friend.carry_everyone = False
    friend.save()
    friend.users.clear()
    run = _backup(friend)
    assert run.status == RunStatus.SKIPPED and run.message == "No active person with a backup key to back up."
    assert _french(run) == "Aucune personne active avec une clé de sauvegarde à sauvegarder."


def test_a_restore_reads_in_french(friend, alice):  # type: ignore[no-untyped-def]
    write_files(alice, {"docs/a.txt": b"alice"})
    assert _backup(friend).status == RunStatus.SUCCEEDED
    (write_files(alice, {}) / "docs" / "a.txt").unlink()
    snapshot = restore.list_snapshots(friend, alice)[0]
    run = restore.request_restore(friend, alice, snapshot.id, path="docs", inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.message.startswith("Restored /docs from friend: 1 file(s) back in place in backup/")
    french = _french(run)
    assert french.startswith("/docs restauré depuis friend : ") and "back in place" not in french, french
    assert "back in place" not in _french(run.items.get())


def _page_text(client, peer) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/peers/{peer.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split()))


def test_the_health_checklist_page_speaks_french(client, admin_user, friend, alice):  # type: ignore[no-untyped-def]
    admin_user.language = "fr"
    admin_user.save()
    client.force_login(admin_user)
    write_files(alice, {"a.txt": b"a"})
    peer = friend.peer
    text = _page_text(client, peer)  # never checked
    assert "pas encore vérifié" in text
    assert not [f for f in CHECKLIST_ENGLISH if f in text], text
    checks = {c.key: c for c in health.check_now(peer)}  # real checks; the worker's language is English
    assert checks["sftp"].status == "ok" and checks["repository"].detail == "no repository yet for alice"
    peer.refresh_from_db()
    text = _page_text(client, peer)
    assert "Connexion SFTP avec notre clé" in text and "pas encore de dépôt pour alice" in text
    assert "en attente de la vérification 4 (Dépôt présent pour chaque personne sauvegardée)" in text
    found = [f for f in CHECKLIST_ENGLISH if f in text]
    assert not found, f"English on a French page: {found}"


def test_a_checklist_stored_before_the_codes_still_reads(client, admin_user, friend):  # type: ignore[no-untyped-def]
    peer = friend.peer
    peer.health_results = [  # the shape stored before the codes: English texts only
        {"key": "wireguard", "label": "WireGuard handshake within 3 minutes", "status": "fail",
         "detail": "no handshake yet", "fix": "Start the tunnel: `manage.py wireguard up` (as root)."},
        {"key": "vpn", "label": "Peer's SFTP port answers through the tunnel", "status": "pending",
         "detail": "waiting for check 1 (WireGuard handshake within 3 minutes)", "fix": ""}]
    peer.save()
    with translation.override("fr"):
        first, second = health.last_results(peer)
        assert (first.shown_label, first.shown_detail) == ("Poignée de main WireGuard depuis moins de 3 minutes",
                                                           "aucune poignée de main pour l'instant")
        assert first.shown_fix == "Montez le tunnel : `manage.py wireguard up` (en root)."
        assert second.shown_detail == "waiting for check 1 (WireGuard handshake within 3 minutes)"  # readable
        assert first.as_dict()["detail"] == "no handshake yet"  # the API's English keys are unchanged


def test_the_api_keeps_its_keys_and_adds_the_reader_language(api, admin_user, friend):  # type: ignore[no-untyped-def]
    shown = api(admin_user).get(f"/api/v1/peers/{friend.peer.pk}/health/", HTTP_ACCEPT_LANGUAGE="fr").data
    assert {"key", "label", "status", "detail", "fix"} <= set(shown[0])
    assert shown[0]["detail"] == "not checked yet" and shown[0]["shown_detail"] == "pas encore vérifié"
    assert shown[0]["detail_code"] == "peers.not_checked"
