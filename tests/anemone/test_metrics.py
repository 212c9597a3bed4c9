"""/metrics from real runs: cloud syncs to `rclone serve webdav` on 127.0.0.1 (a wrong password fails them, the
right one makes them succeed), scraped through the Django test client and a live server and parsed with
prometheus_client's own parser, as Prometheus would read them."""

from __future__ import annotations

import shutil

import pytest
import requests
from django.conf import settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from anemone.files.paths import shares_root
from anemone.files.usage import recompute_usage
from anemone.runs import registry
from anemone.runs import services as runs
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import services as cloud
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put

WRONG = "not-the-dav-password"
OUTSIDE = "192.0.2.10"  # a LAN client, not this server


def scrape(client, **headers) -> dict[tuple[str, frozenset], float]:  # type: ignore[no-untyped-def]
    """{(sample name, labels): value} of one /metrics answer, read with prometheus_client's parser."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        assert family.documentation, f"{family.name} has no HELP text"
        assert family.name.startswith("anemone_"), family.name
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:  # type: ignore[no-untyped-def]
    return samples[(name, frozenset(labels.items()))]


def target(dest) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"kind": "cloud", "target": dest.name, "target_id": str(dest.pk)}


@pytest.fixture
def offsite(webdav_server, alice):  # type: ignore[no-untyped-def]
    put(alice, "photos/cat.jpg", b"meow" * 100)
    dest = make_destination(Kind.WEBDAV, webdav=webdav_server, name="offsite")
    cloud.save_destination(dest, secrets={"password": WRONG})
    return dest


def sync(dest, expected: str):  # type: ignore[no-untyped-def]
    run = request_run("cloud", dest, inline=True)
    assert run.status == expected, run.message
    return run


@pytest.mark.django_db
def test_runs_last_success_bytes_and_duration_come_from_the_recorded_runs(offsite, webdav_server, client):
    failed = sync(offsite, RunStatus.FAILED)
    samples = scrape(client)
    assert value(samples, "anemone_runs_total", kind="cloud", status="failed") == 1
    assert value(samples, "anemone_runs_total", kind="cloud", status="succeeded") == 0
    assert value(samples, "anemone_target_last_success_timestamp_seconds", **target(offsite)) == 0  # never
    assert value(samples, "anemone_target_failures_since_success", **target(offsite)) == 1
    assert value(samples, "anemone_target_last_run_timestamp_seconds", **target(offsite)) == failed.finished_at.timestamp()

    cloud.save_destination(offsite, secrets={"password": webdav_server.secret})
    good = sync(offsite, RunStatus.SUCCEEDED)
    samples = scrape(client)
    assert value(samples, "anemone_runs_total", kind="cloud", status="failed") == 1
    assert value(samples, "anemone_runs_total", kind="cloud", status="succeeded") == 1
    assert value(samples, "anemone_target_last_success_timestamp_seconds", **target(offsite)) == good.finished_at.timestamp()
    assert value(samples, "anemone_target_failures_since_success", **target(offsite)) == 0
    assert good.bytes_done == 400
    assert value(samples, "anemone_target_last_run_bytes", **target(offsite)) == 400
    assert value(samples, "anemone_target_last_run_duration_seconds", **target(offsite)) == pytest.approx(
        (good.finished_at - good.started_at).total_seconds())
    assert value(samples, "anemone_target_enabled", **target(offsite)) == 1

    cloud.save_destination(offsite, secrets={"password": WRONG})
    sync(offsite, RunStatus.FAILED)  # a failure after the good copy: the good copy's time stays
    samples = scrape(client)
    assert value(samples, "anemone_runs_total", kind="cloud", status="failed") == 2
    assert value(samples, "anemone_target_last_success_timestamp_seconds", **target(offsite)) == good.finished_at.timestamp()
    assert value(samples, "anemone_target_failures_since_success", **target(offsite)) == 1
    assert value(samples, "anemone_metrics_errors", part="targets") == 0


@pytest.mark.django_db
def test_queued_runs_and_the_broker_queue_are_counted(offsite, client):
    from django_q.brokers import get_broker

    broker = get_broker()
    before = broker.queue_size()
    try:
        run = request_run("cloud", offsite)  # no worker in this test: it waits in the broker
        samples = scrape(client)
        assert value(samples, "anemone_runs_queued", kind="cloud") == 1
        assert value(samples, "anemone_runs_running", kind="cloud") == 0
        assert value(samples, "anemone_task_queue_length") == before + 1
        assert value(samples, "anemone_worker_clusters") == 0
        assert value(samples, "anemone_metrics_errors", part="queue") == 0
        assert run.status == RunStatus.QUEUED
    finally:
        broker.purge_queue()  # with Redis the queue outlives the test database


@pytest.mark.django_db
def test_people_usage_quotas_and_the_data_disk(alice, bob, client):
    put(alice, "a.bin", b"x" * 1000)
    recompute_usage(alice)
    alice.quota_total_bytes, alice.quota_backup_bytes = 5 * 1024**3, 2 * 1024**3
    alice.save()
    samples = scrape(client)
    assert value(samples, "anemone_person_usage_bytes", person="alice", area="backup") == 1000
    assert value(samples, "anemone_person_usage_bytes", person="alice", area="data") == 0
    assert value(samples, "anemone_person_quota_bytes", person="alice", quota="total") == 5 * 1024**3
    assert value(samples, "anemone_person_quota_bytes", person="alice", quota="backup") == 2 * 1024**3
    assert value(samples, "anemone_person_quota_bytes", person="bob", quota="total") == bob.quota_total_bytes
    disk = shutil.disk_usage(shares_root())
    assert value(samples, "anemone_disk_total_bytes") == disk.total
    assert value(samples, "anemone_disk_free_bytes") == pytest.approx(disk.free, rel=0.01)


@pytest.mark.django_db
def test_peers_cap_and_what_they_store_here(admin_user, client):
    from anemone.engines.wireguard import generate_keypair
    from peers.models import Peer

    Peer.objects.create(name="bob-house", wg_public_key=generate_keypair()[1], allowed_ips="198.51.100.2/32",
                        ssh_public_key="ssh-ed25519 AAAA", folder="bob-house", storage_cap_bytes=50 * 1024**3)
    folder = settings.DATA_DIR / "incoming" / "bob-house" / "repo"
    folder.mkdir(parents=True)
    (folder / "pack").write_bytes(b"p" * 3000)
    samples = scrape(client)
    assert value(samples, "anemone_peer_storage_cap_bytes", peer="bob-house") == 50 * 1024**3
    assert value(samples, "anemone_peer_stored_bytes", peer="bob-house") == 3000
    assert value(samples, "anemone_peer_enabled", peer="bob-house") == 1
    assert not any(name == "anemone_peer_last_write_timestamp_seconds" for name, _labels in samples)  # never written
    fields = {field.name for field in Peer._meta.get_fields()}
    if {"last_write_at", "stored_bytes"} <= fields:  # the hosting side records writes (peers.hosting)
        from django.utils import timezone

        written = timezone.now()
        Peer.objects.update(last_write_at=written, stored_bytes=7000)
        samples = scrape(client)
        assert value(samples, "anemone_peer_last_write_timestamp_seconds", peer="bob-house") == written.timestamp()
        assert value(samples, "anemone_peer_stored_bytes", peer="bob-house") == 7000  # its figure, no walk


class ThrowawayDrill(registry.RunKind):
    """A drill kind of this test: two people's items with the stats a restore drill records."""

    name = "metrics-test-drill"
    label = "Test drill"
    drill = True

    def precheck(self, run):  # type: ignore[no-untyped-def]
        return "the drive is absent" if run.options.get("absent") else None

    def body(self, run, tracker):  # type: ignore[no-untyped-def]
        for label, stats, status in [("alice", {"checked": 5, "mismatched": 1}, RunStatus.FAILED),
                                     ("bob", {"checked": 3, "missing": 2}, RunStatus.FAILED)]:
            item = runs.start_item(run, label=label)
            item.stats = stats
            item.save(update_fields=["stats"])
            runs.finish_item(item, status=status)
        return runs.Outcome(status=RunStatus.FAILED, message="1 file differs, 2 are missing")


@pytest.fixture
def drill_kind():  # type: ignore[no-untyped-def]
    kind = registry.register(ThrowawayDrill())
    yield kind
    registry.unregister(kind.name)


@pytest.mark.django_db
def test_the_last_drill_status_time_and_files_summed_over_people(drill_kind, admin_user, client):
    run = request_run(drill_kind.name, None, inline=True, label="offsite")
    assert run.status == RunStatus.FAILED
    samples = scrape(client)
    labels = {"kind": drill_kind.name, "target": "offsite", "target_id": "0"}
    assert value(samples, "anemone_drill_last_status", status="failed", **labels) == 1
    assert value(samples, "anemone_drill_last_timestamp_seconds", **labels) == run.finished_at.timestamp()
    assert value(samples, "anemone_drill_files_checked", **labels) == 8
    assert value(samples, "anemone_drill_files_mismatched", **labels) == 1
    assert value(samples, "anemone_drill_files_missing", **labels) == 2
    assert value(samples, "anemone_runs_total", kind=drill_kind.name, status="failed") == 1
    skipped = request_run(drill_kind.name, None, inline=True, label="offsite", options={"absent": True})
    assert skipped.status == RunStatus.SKIPPED
    samples = scrape(client)  # a skipped drill checked nothing: the failed one is still the last word
    assert value(samples, "anemone_drill_last_status", status="failed", **labels) == 1
    assert value(samples, "anemone_drill_last_timestamp_seconds", **labels) == run.finished_at.timestamp()
    assert value(samples, "anemone_drill_files_mismatched", **labels) == 1


# --- who may read it ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_an_admin_token_or_this_server_itself_may_read_it(alice, admin_user, api, settings):
    from anemone.accounts import tokens

    outside = Client(REMOTE_ADDR=OUTSIDE)
    response = outside.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert b"anemone_" not in response.content
    _row, person_token = tokens.create_token(alice, "phone")
    _row, admin_token = tokens.create_token(admin_user, "prometheus")
    assert outside.get("/metrics", HTTP_AUTHORIZATION=f"Token {person_token}").status_code == 403
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401
    assert outside.get("/metrics", HTTP_AUTHORIZATION=f"Token {admin_token}").status_code == 200
    # A client cannot make itself local by writing the header a proxy would write.
    assert outside.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 401
    # This server itself (the loopback, no proxy in between) needs no token.
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
    # A reverse proxy on this machine forwards for someone else: that someone is not local.
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 401
    assert Client(REMOTE_ADDR="::ffff:127.0.0.1").get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 401
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics", HTTP_X_REAL_IP=OUTSIDE).status_code == 401
    settings.ANEMONE_TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = Client(REMOTE_ADDR="127.0.0.1")
    assert proxied.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 401
    assert proxied.get("/metrics", HTTP_X_REAL_IP=OUTSIDE).status_code == 401  # a proxy that only sets X-Real-IP
    assert proxied.get("/metrics").status_code == 200  # the machine itself, straight to the web process
    assert proxied.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200  # via the proxy, from here
    assert proxied.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE,
                       HTTP_AUTHORIZATION=f"Token {person_token}").status_code == 403
    assert proxied.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE,
                       HTTP_AUTHORIZATION=f"Token {admin_token}").status_code == 200
    assert outside.post("/metrics", HTTP_AUTHORIZATION=f"Token {admin_token}").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_live_server_answers_prometheus_with_the_recorded_failure(offsite, live_server):
    failed = sync(offsite, RunStatus.FAILED)
    response = requests.get(f"{live_server.url}/metrics", timeout=30)  # from 127.0.0.1: no token needed
    assert response.status_code == 200
    samples = parse(response.text)
    assert value(samples, "anemone_runs_total", kind="cloud", status="failed") == 1
    assert value(samples, "anemone_target_last_run_timestamp_seconds", **target(offsite)) == failed.finished_at.timestamp()
    assert all(v == 0 for (name, _labels), v in samples.items() if name == "anemone_metrics_errors")
    assert WRONG not in response.text and str(settings.DATA_DIR) not in response.text
