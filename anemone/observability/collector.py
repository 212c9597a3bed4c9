"""The Prometheus collector: every figure is read from the database (or the disk, or the broker) at scrape time.

gunicorn runs several processes and the worker runs in others, so counters kept in memory would disagree
between scrapes; the Run table is the one history everybody reads (DESIGN §3). Each part is collected on its
own: a part that fails (the broker unreachable, say) is logged, counted in ``anemone_metrics_errors`` and left
out, and the rest of the scrape still answers.

Core imports no app (tests/anemone/test_layering.py): the peers figures read the peers app's models through
``django.apps`` when that app is installed, never by importing it.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from anemone.files.paths import shares_root
from anemone.files.usage import tree_size
from anemone.runs import history, registry
from anemone.runs.models import ACTIVE_STATUSES, Run, RunItem, RunStatus
from anemone.shares.models import ShareLogin

log = logging.getLogger(__name__)
TARGET_LABELS = ["kind", "target", "target_id"]
DRILL_STATS = ("checked", "mismatched", "missing")
HEARTBEAT_MAX_AGE_SECONDS = 30
PEER_BYTES_CACHE_SECONDS = 600  # walking a peer's folder costs one stat() per file: at most once per 10 min


def ts(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def data_root() -> Path:
    """Where the people's areas live (DATA_DIR/shares), or the data dir itself before the first person."""
    root = shares_root()
    return root if root.is_dir() else Path(settings.DATA_DIR)


def backup_targets() -> Iterator[tuple[registry.RunKind, Any]]:
    """(kind, target) for every configured target of every backup kind."""
    for kind in registry.backup_kinds():
        if kind.target_model is not None:
            for target in kind.target_model._default_manager.all():
                yield kind, target


def drill_kinds() -> list[registry.RunKind]:
    """Kinds whose class says ``drill = True`` (restore drills); getattr: older kinds do not declare it."""
    return [kind for kind in registry.all_kinds() if getattr(kind, "drill", False)]


def _runs() -> Iterable[Metric]:
    total = CounterMetricFamily("anemone_runs", "Runs recorded, by kind and status (every row of the run history).",
                                labels=["kind", "status"])
    counts = {(row["kind"], row["status"]): row["n"]
              for row in Run.objects.order_by().values("kind", "status").annotate(n=Count("id"))}
    kinds = [kind.name for kind in registry.all_kinds()]
    kinds += sorted({kind for kind, _status in counts} - set(kinds))  # runs of a kind no longer installed
    for kind in kinds:
        for status in RunStatus.values:
            total.add_metric([kind, status], counts.get((kind, status), 0))
    yield total
    for status, name, text in [(RunStatus.QUEUED, "anemone_runs_queued", "Runs waiting for a worker, by kind."),
                               (RunStatus.RUNNING, "anemone_runs_running", "Runs in progress, by kind.")]:
        gauge = GaugeMetricFamily(name, text, labels=["kind"])
        for kind in kinds:
            gauge.add_metric([kind], counts.get((kind, status), 0))
        yield gauge


def live_clusters(broker: Any = None) -> list[Any]:
    """django-q2 clusters whose sentinel saved its Stat less than HEARTBEAT_MAX_AGE_SECONDS ago, with workers.

    The sentinel saves one every guard cycle (0.5 s), kept 3 s, in the broker's store: Redis, or with the ORM
    broker the ``qcluster`` cache of settings.py (a file cache every process of this server shares)."""
    from django_q.status import Stat

    now = timezone.now()
    return [stat for stat in Stat.get_all(broker=broker) if getattr(stat, "workers", None)
            and (now - stat.timestamp).total_seconds() <= HEARTBEAT_MAX_AGE_SECONDS]


def _queue() -> Iterable[Metric]:
    from django_q.brokers import get_broker

    broker = get_broker()
    yield GaugeMetricFamily("anemone_task_queue_length", "Tasks waiting in the django-q2 broker (ORM or Redis).",
                            value=broker.queue_size() or 0)
    yield GaugeMetricFamily("anemone_worker_clusters", "Worker clusters (qcluster) with a live heartbeat.",
                            value=len(live_clusters(broker)))


def _targets() -> Iterable[Metric]:
    enabled = GaugeMetricFamily("anemone_target_enabled", "1 when the backup target is enabled.", labels=TARGET_LABELS)
    success = GaugeMetricFamily(
        "anemone_target_last_success_timestamp_seconds",
        "When the target's newest good copy finished (a run that succeeded for everyone; dry runs never count), "
        "unix seconds; 0: never.", labels=TARGET_LABELS)
    failures = GaugeMetricFamily("anemone_target_failures_since_success",
                                 "Finished runs that failed, were partial or interrupted since the newest good copy.",
                                 labels=TARGET_LABELS)
    size = GaugeMetricFamily("anemone_target_last_run_bytes",
                             "Bytes the target's last finished run copied (dry and skipped runs left out).",
                             labels=TARGET_LABELS)
    duration = GaugeMetricFamily("anemone_target_last_run_duration_seconds",
                                 "How long the target's last finished run took (dry and skipped runs left out).",
                                 labels=TARGET_LABELS)
    finished = GaugeMetricFamily("anemone_target_last_run_timestamp_seconds",
                                 "When the target's last finished run ended (dry and skipped runs left out).",
                                 labels=TARGET_LABELS)
    for kind, target in backup_targets():
        labels = [kind.name, kind.label_for(target), str(target.pk)]
        enabled.add_metric(labels, 1 if getattr(target, "enabled", True) else 0)
        state = history.target_backup_state(kind.name, target.pk, labels[1])
        success.add_metric(labels, ts(state.last_good_at))
        failures.add_metric(labels, state.failures_since)
        last = _last_finished(kind.name, target.pk)
        if last is not None:
            size.add_metric(labels, last.bytes_done)
            duration.add_metric(labels, last.duration_seconds or 0)
            finished.add_metric(labels, ts(last.finished_at))
    yield from (enabled, success, failures, size, duration, finished)


def _last_finished(kind: str, target_id: int) -> Run | None:
    runs = (Run.objects.filter(kind=kind, target_id=target_id, finished_at__isnull=False)
            .exclude(status__in=[*ACTIVE_STATUSES, RunStatus.SKIPPED])
            .only("id", "options", "started_at", "finished_at", "bytes_done").order_by("-finished_at", "-id"))
    return next((run for run in runs[:50] if not run.is_dry_run), None)


def last_drill(kind: str, target_id: int) -> Run | None:
    """The target's newest drill that looked at something: history.last_drill where the drills work provides it,
    else the same rule here (succeeded, failed or partial; a skipped drill checked nothing)."""
    shared = getattr(history, "last_drill", None)
    if shared is not None:
        return shared(kind, target_id)
    done = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.PARTIAL]
    return Run.objects.filter(kind=kind, target_id=target_id, status__in=done).order_by("-finished_at", "-id").first()


def _drills() -> Iterable[Metric]:
    status = GaugeMetricFamily("anemone_drill_last_status",
                               "1 for the status of the target's last restore drill that checked something (skipped ones left out).",
                               labels=[*TARGET_LABELS, "status"])
    when = GaugeMetricFamily("anemone_drill_last_timestamp_seconds",
                             "When the target's last restore drill finished, unix seconds.", labels=TARGET_LABELS)
    files = {name: GaugeMetricFamily(f"anemone_drill_files_{name}",
                                     f"Files {name} by the target's last restore drill (all people summed).",
                                     labels=TARGET_LABELS) for name in DRILL_STATS}
    for kind in drill_kinds():
        target_ids = (Run.objects.filter(kind=kind.name).order_by()
                      .values_list("target_id", flat=True).distinct())
        for target_id in target_ids:
            if not history.target_exists(kind.name, target_id):
                continue
            run = last_drill(kind.name, target_id)
            if run is None:
                continue
            labels = [kind.name, run.target_label, str(target_id)]
            status.add_metric([*labels, run.status], 1)
            when.add_metric(labels, ts(run.finished_at))
            sums = dict.fromkeys(DRILL_STATS, 0)
            for stats in RunItem.objects.filter(run=run).values_list("stats", flat=True):
                for name in DRILL_STATS:
                    value = (stats or {}).get(name, 0)
                    sums[name] += value if isinstance(value, int) else 0
            for name in DRILL_STATS:
                files[name].add_metric(labels, sums[name])
    yield from (status, when, *files.values())


def _disk() -> Iterable[Metric]:
    usage = shutil.disk_usage(data_root())
    yield GaugeMetricFamily("anemone_disk_free_bytes", "Free bytes on the disk that holds the people's areas.",
                            value=usage.free)
    yield GaugeMetricFamily("anemone_disk_total_bytes", "Size in bytes of the disk that holds the people's areas.",
                            value=usage.total)


def _people() -> Iterable[Metric]:
    usage = GaugeMetricFamily("anemone_person_usage_bytes",
                              "Bytes a person keeps here, by area (the counters kept on every change and "
                              "recounted daily; no file is walked for this).", labels=["person", "area"])
    quota = GaugeMetricFamily("anemone_person_quota_bytes", "A person's quota in bytes, total or backup/ (0: none).",
                              labels=["person", "quota"])
    people = (get_user_model().objects.filter(is_active=True).order_by("username")
              .values_list("username", "usage_backup_bytes", "usage_data_bytes", "usage_trash_bytes",
                           "quota_total_bytes", "quota_backup_bytes"))
    for username, backup, data, trash, total_quota, backup_quota in people:
        for area, value in (("backup", backup), ("data", data), ("trash", trash)):
            usage.add_metric([username, area], value)
        quota.add_metric([username, "total"], total_quota)
        quota.add_metric([username, "backup"], backup_quota)
    yield from (usage, quota)


def _peer_stored_bytes(folder: str) -> int:
    """What a peer stores here, measured at most once per PEER_BYTES_CACHE_SECONDS (a walk of its folder)."""
    key = f"anemone:metrics:peer-bytes:{folder}"
    value = cache.get(key)
    if value is None:
        path = Path(settings.DATA_DIR) / "incoming" / folder
        value = tree_size(path) if path.is_dir() else 0
        cache.set(key, value, PEER_BYTES_CACHE_SECONDS)
    return int(value)


def _peers() -> Iterable[Metric]:
    if not apps.is_installed("peers"):
        return
    enabled = GaugeMetricFamily("anemone_peer_enabled", "1 when the paired server may use our endpoint.",
                                labels=["peer"])
    cap = GaugeMetricFamily("anemone_peer_storage_cap_bytes", "The storage cap agreed with a peer (0: none).",
                            labels=["peer"])
    stored = GaugeMetricFamily("anemone_peer_stored_bytes",
                               "Bytes a peer stores on this server (as last measured).",
                               labels=["peer"])
    last_write = GaugeMetricFamily("anemone_peer_last_write_timestamp_seconds",
                                   "When a peer last wrote to its folder here, unix seconds.", labels=["peer"])
    for peer in apps.get_model("peers", "Peer")._default_manager.order_by("name"):
        enabled.add_metric([peer.name], 1 if peer.enabled else 0)
        cap.add_metric([peer.name], peer.storage_cap_bytes)
        written = getattr(peer, "last_write_at", None)  # tracked by the peers app once it records it
        # Once the peers app records what a peer stores (Peer.stored_bytes, measured when it notices a write), its
        # figure is used; until then (or before its first noticed write) our own walk, at most every 10 minutes.
        observed = getattr(peer, "stored_bytes", None) if written is not None else None
        stored.add_metric([peer.name], observed if observed is not None else _peer_stored_bytes(peer.folder or peer.name))
        if written is not None:
            last_write.add_metric([peer.name], ts(written))
    yield from (enabled, cap, stored, last_write)


def _share_logins() -> Iterable[Metric]:
    logins = CounterMetricFamily("anemone_share_logins", "Logins to the network shares by protocol and outcome "
                                 "(ok, failed: wrong device password, locked: refused by the login throttle).",
                                 labels=["protocol", "outcome"])
    for row in ShareLogin.objects.order_by("protocol", "outcome"):
        logins.add_metric([row.protocol, row.outcome], row.count)
    yield logins


PARTS: dict[str, Callable[[], Iterable[Metric]]] = {
    "runs": _runs, "queue": _queue, "targets": _targets, "drills": _drills, "disk": _disk, "people": _people,
    "peers": _peers, "shares": _share_logins,
}


class AnemoneCollector(Collector):
    """Reads every figure at scrape time; one failing part does not hide the others."""

    def collect(self) -> Iterable[Metric]:
        errors = GaugeMetricFamily("anemone_metrics_errors",
                                   "1 when a part of this scrape could not be read (see the server log).",
                                   labels=["part"])
        for name, part in PARTS.items():
            try:
                families = list(part())
            except Exception:
                log.exception("metrics: the %s part could not be read", name)
                errors.add_metric([name], 1)
                continue
            errors.add_metric([name], 0)
            yield from families
        yield errors


REGISTRY = CollectorRegistry(auto_describe=False)  # private: no process or Python metrics of one gunicorn worker
REGISTRY.register(AnemoneCollector())
