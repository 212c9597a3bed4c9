"""P2P pages: the admin's targets, and each person's restore — with real restic through our real endpoint."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from anemone.files.paths import area_root
from anemone.runs import schedules
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from p2p import backup, restore, services
from p2p.models import UserRepository
from tests.p2p.conftest import write_files

pytestmark = pytest.mark.django_db(transaction=True)


def add_peer(name: str, *people):  # type: ignore[no-untyped-def]
    """A second peer (never contacted) whose target carries only ``people``."""
    from anemone.engines.wireguard import generate_keypair
    from peers import services as peer_services
    from peers.models import Peer
    from tests.peers.test_peering import new_ssh_key

    peer = peer_services.save_peer(Peer(name=name, wg_public_key=generate_keypair()[1], allowed_ips="198.51.100.20/32",
                                        ssh_public_key=new_ssh_key(name)))  # one key, one peer
    return services.save_target(services.target_for(peer), users=list(people))


def alice_files() -> dict[str, bytes]:
    return {"notes.txt": b"alice's notes\n", "photos/2026/beach.jpg": os.urandom(300_000),
            "docs/letters/bank.txt": b"dear bank\n"}


def back_up(target, person, files: dict[str, bytes]) -> str:  # type: ignore[no-untyped-def]
    """Write the files, back up for real, return the person's snapshot short id."""
    write_files(person, files)
    run = request_run("p2p", target.pk, options={"users": [person.username]}, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    return run.items.get(user=person).stats["snapshot_id"]


def streamed(response) -> bytes:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content.decode()[:2000] if not response.streaming else ""
    return b"".join(response.streaming_content)


def page(client, url: str, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == status, f"{url} → {response.status_code}"
    return response.content.decode()


# Admin pages -----------------------------------------------------------------------------------------------

def test_admin_pages_show_targets_runs_and_each_persons_repository(client, friend, alice, admin_user):
    back_up(friend, alice, {"a.txt": b"a"})
    client.force_login(admin_user)
    index = page(client, reverse("p2p:index"))
    assert "friend" in index and "daily at 01:30" in index and "Back up now" in index
    assert "alice" in index and "status-succeeded" in index and "stale" not in index
    detail = page(client, reverse("p2p:detail", args=[friend.pk]))
    row = detail.split('data-user="alice"')[1].split("</tr>")[0]
    assert ">1<" in row and "not yet" in row  # one snapshot; a new repository is verified by the next day's run
    assert reverse("peers:detail", args=[friend.peer.pk]) in detail and "Restore everyone" in detail
    edit = page(client, reverse("p2p:edit", args=[friend.pk]))
    assert "Blank: the peer's VPN address." in edit and "Blank: our folder on the peer (this server's name at the first backup)." in edit


def test_people_cannot_reach_the_admin_pages(client, friend, alice):
    client.force_login(alice)
    for url in (reverse("p2p:index"), reverse("p2p:detail", args=[friend.pk]), reverse("p2p:edit", args=[friend.pk])):
        assert client.get(url).status_code == 403  # the product's "not allowed" page
    client.post(reverse("p2p:backup", args=[friend.pk]))
    client.post(reverse("p2p:bulk-restore", args=[friend.pk]), {"confirm_name": "friend"})
    assert not Run.objects.exists()


def test_the_list_warns_when_the_last_backup_there_is_too_old(client, friend, alice, admin_user):
    client.force_login(admin_user)
    UserRepository.objects.create(target=friend, user=alice, stored_bytes=5000,
                                  last_snapshot_at=timezone.now() - timedelta(days=4))
    assert "No backup there for more than 3 days" in page(client, reverse("p2p:index"))
    UserRepository.objects.filter(user=alice).update(last_snapshot_at=timezone.now())
    assert "No backup there for more than" not in page(client, reverse("p2p:index"))


def target_form(**extra) -> dict:  # type: ignore[type-arg]
    data = {"enabled": "on", "host": "", "port": "", "login": "", "base_path": "", "schedule_kind": "daily",
            "schedule_interval_minutes": 60, "schedule_time": "01:30", "schedule_weekday": 0, "schedule_monthday": 1,
            "keep_last": 7, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12, "verify_every_days": 7,
            "verify_percent": 5, "bandwidth_limit_kib": 0, "stall_timeout_seconds": 300, "stale_warning_days": 3}
    data.update(extra)
    return data


def test_edit_explains_bad_values_and_saves_good_ones_with_their_schedule(client, friend, alice, bob, admin_user):
    client.force_login(admin_user)
    url = reverse("p2p:edit", args=[friend.pk])
    response = client.post(url, target_form(port=70000, host="bad host!", verify_percent=0, base_path="../up"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 65535." in text and "A host name or an IP address." in text
    assert "Ensure this value is greater than or equal to 1." in text and "Folders of letters" in text
    response = client.post(url, target_form(schedule_kind="weekly", schedule_weekday=2, schedule_time="04:15",
                                            users=[alice.pk], keep_last=3))
    assert response.status_code == 302
    friend.refresh_from_db()
    assert list(friend.carried_users()) == [alice] and friend.keep_last == 3
    assert schedules.describe(friend) == "weekly on Wednesday at 04:15"
    assert Schedule.objects.filter(name=schedules.schedule_name(backup.KIND, friend.pk)).exists()
    client.post(url, target_form(schedule_kind="off", users=[alice.pk]))  # nobody ticked is refused now
    assert not Schedule.objects.filter(name=schedules.schedule_name(backup.KIND, friend.pk)).exists()


def test_back_up_now_starts_one_run_and_the_detail_page_follows_it(client, friend, alice, admin_user):
    client.force_login(admin_user)
    client.post(reverse("p2p:backup", args=[friend.pk]))
    second = client.post(reverse("p2p:backup", args=[friend.pk]), follow=True).content.decode()
    assert "already queued or running" in second
    run = Run.objects.get(kind=backup.KIND)
    assert run.status == RunStatus.QUEUED and run.requested_by == admin_user
    assert f'hx-get="{reverse("runs:progress", args=[run.pk])}"' in second  # live progress while active


def test_bulk_restore_needs_the_peer_name_typed(client, friend, alice, admin_user):
    client.force_login(admin_user)
    url = reverse("p2p:bulk-restore", args=[friend.pk])
    response = client.post(url, {"confirm_name": "frend"})
    assert response.status_code == 400 and "Type the peer&#x27;s name exactly: friend" in response.content.decode()
    assert not Run.objects.exists()
    client.post(url, {"confirm_name": "friend", "users": [alice.pk]})
    run = Run.objects.get(kind=restore.BULK_KIND)
    assert run.options["users"] == ["alice"] and run.target_id == friend.pk


# Restore, for everyone -------------------------------------------------------------------------------------

def peers_listed(html: str) -> list[str]:
    return re.findall(r'class="button secondary peer" href="[^"]+">([^<]+)</a>', html.split('id="peers"')[1].split("</ul>")[0])


def test_the_restore_page_lists_only_the_peers_carrying_the_person(client, friend, alice, bob):
    services.save_target(friend, users=[alice])
    add_peer("elsewhere", bob)
    client.force_login(alice)
    mine = page(client, reverse("p2p:restore"))
    assert peers_listed(mine) == ["friend"]
    assert 'id="nav-restore"' in mine
    page(client, reverse("p2p:snapshots", args=["elsewhere"]), 404)
    page(client, reverse("p2p:snapshots", args=["nowhere"]), 404)
    client.force_login(bob)
    assert peers_listed(page(client, reverse("p2p:restore"))) == ["elsewhere"]


def assert_command_lists_the_snapshot(html_page: str, person, short: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The command as shown (unescaped, as a copy would paste it) runs with plain restic and the person's key."""
    command = html.unescape(html_page.split('id="restic-command">')[1].split("</pre>")[0])
    assert command.startswith("restic -r sftp:")
    key_file = tmp_path / "key"
    key_file.write_text(person.backup_key_plain + "\n")
    listed = subprocess.run([*shlex.split(command), "--json"], capture_output=True, text=True, timeout=120,
                            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RESTIC_PASSWORD_FILE": str(key_file)})
    assert listed.returncode == 0, listed.stderr
    assert [s["short_id"] for s in json.loads(listed.stdout)] == [short]


def test_a_person_sees_their_snapshots_browses_and_gets_the_plain_restic_command(client, friend, alice, tmp_path):
    short = back_up(friend, alice, alice_files())
    client.force_login(alice)
    listing = page(client, reverse("p2p:snapshots", args=["friend"]))
    row = listing.split(f'data-id="{short}"')[1].split("</tr>")[0]
    assert "<td>3</td>" in row  # files in the snapshot
    assert_command_lists_the_snapshot(listing, alice, short, tmp_path)
    root = page(client, reverse("p2p:browse", args=["friend", short]))
    assert 'data-name="photos"' in root and 'data-name="notes.txt"' in root and 'data-name="docs"' in root
    deeper = page(client, reverse("p2p:browse", args=["friend", short]) + "?path=photos/2026")
    assert 'data-name="beach.jpg"' in deeper and "?path=photos" in deeper  # crumbs back up
    assert "293.0\xa0KB" in deeper or "293.0 KB" in deeper


def test_downloads_are_the_backed_up_bytes_and_folders_come_as_zip(client, friend, alice):
    files = alice_files()
    short = back_up(friend, alice, files)
    client.force_login(alice)
    url = reverse("p2p:download", args=["friend", short])
    response = client.get(url, {"path": "photos/2026/beach.jpg"})
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''beach.jpg"
    assert streamed(response) == files["photos/2026/beach.jpg"]
    response = client.get(url, {"path": "docs"})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(streamed(response)))
    names = {name.lstrip("/"): name for name in archive.namelist() if not name.endswith("/")}
    assert list(names) == ["docs/letters/bank.txt"]
    assert archive.read(names["docs/letters/bank.txt"]) == files["docs/letters/bank.txt"]


def test_restore_here_puts_the_files_back_where_they_were_with_identical_bytes(client, friend, alice):
    files = alice_files()
    short = back_up(friend, alice, files)
    area = area_root(alice, "backup")
    shutil.rmtree(area / "photos")
    (area / "notes.txt").unlink()
    client.force_login(alice)
    response = client.post(reverse("p2p:restore-here", args=["friend", short]), {"path": "photos"}, follow=True)
    text = html.unescape(response.content.decode())
    assert "Restore started. Files go back where they were, in backup/photos" in text
    run = Run.objects.get(kind=restore.KIND, target_id=alice.pk)
    runs.hand_over(run, inline=True)  # what the worker does
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (area / "photos/2026/beach.jpg").read_bytes() == files["photos/2026/beach.jpg"]
    assert not (area / "notes.txt").exists()  # only what was chosen
    assert sorted(p.name for p in area.iterdir()) == ["docs", "photos"]  # no restored-… folder of copies
    assert run.items.get().stats["restored_to"] == "photos"


def test_another_person_cannot_reach_alices_snapshots(client, friend, alice, bob):
    alice_short = back_up(friend, alice, alice_files())
    bob_short = back_up(friend, bob, {"cv.txt": b"bob's cv"})
    client.force_login(bob)
    listing = page(client, reverse("p2p:snapshots", args=["friend"]))
    assert bob_short in listing and alice_short not in listing
    page(client, reverse("p2p:browse", args=["friend", alice_short]), 404)
    assert client.get(reverse("p2p:download", args=["friend", alice_short]), {"path": "notes.txt"}).status_code == 404
    assert client.post(reverse("p2p:restore-here", args=["friend", alice_short]), {"path": ""}).status_code == 404
    assert not Run.objects.filter(kind=restore.KIND).exists()
    services.save_target(friend, users=[alice])  # no longer carried: the peer itself is "not found"
    page(client, reverse("p2p:snapshots", args=["friend"]), 404)
    page(client, reverse("p2p:browse", args=["friend", bob_short]), 404)


def test_bad_snapshot_ids_and_paths_get_a_clear_answer(client, friend, alice):
    short = back_up(friend, alice, alice_files())
    client.force_login(alice)
    browse = reverse("p2p:browse", args=["friend", short])
    download = reverse("p2p:download", args=["friend", short])
    assert "Not a snapshot id." in page(client, reverse("p2p:browse", args=["friend", "nothex!"]), 400)
    assert "No such snapshot." in page(client, reverse("p2p:browse", args=["friend", "deadbeef"]), 404)
    assert "not allowed" in page(client, browse + "?path=../bob", 400)
    assert "Not a folder" in page(client, browse + "?path=notes.txt", 404)
    assert "No such file or folder" in page(client, browse + "?path=nope", 404)
    assert "not allowed" in page(client, download + "?path=../../etc/passwd", 400)
    assert "No such file or folder" in page(client, download + "?path=nope.txt", 404)
    assert "No such snapshot." in page(client, reverse("p2p:download", args=["friend", "deadbeef"]), 404)


def test_the_pages_speak_french(client, friend, alice, admin_user):
    client.cookies["django_language"] = "fr"
    client.force_login(admin_user)
    assert "Sauvegarder maintenant" in page(client, reverse("p2p:index"))
    assert "Vide : l'adresse VPN du pair." in page(client, reverse("p2p:edit", args=[friend.pk]))
    client.force_login(alice)
    hub = page(client, reverse("p2p:restore"))
    assert "choisissez un serveur, puis une date" in hub and "Restaurer" in hub
