"""USB jobs: saving (with their schedule), size estimates, starting runs, what is on which drive.

Views, API and commands call these; the run body is in ``backup.py``, the import in ``restore.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from anemone.files.paths import AREAS, user_root
from anemone.files.usage import tree_size
from anemone.runs import targets
from anemone.runs.models import ACTIVE_STATUSES, Run
from usbbackup import detection
from usbbackup.models import UsbBackup

KIND = "usb"
# The configuration snapshot when the database size is unknown, and restic's overhead (keys, index).
CONFIG_ESTIMATE_BYTES = 8 * 1024 * 1024
CONFIG_MARGIN_BYTES = 256 * 1024


@dataclass
class UserSize:
    user_id: int
    username: str
    areas: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.areas.values())


@dataclass
class Estimate:
    """What a job would write the first time, against the drive's free space."""

    users: list[UserSize]
    config_bytes: int
    free_bytes: int | None

    @property
    def total_bytes(self) -> int:
        return self.config_bytes + sum(u.total for u in self.users)

    @property
    def fits(self) -> bool:
        return self.free_bytes is None or self.total_bytes <= self.free_bytes


def area_sizes(user, areas: list[str]) -> dict[str, int]:
    """Real bytes of a person's areas (a walk: the counters may be stale for files added by hand)."""
    root = user_root(user.username)
    return {area: tree_size(root / area) if (root / area).exists() else 0 for area in areas if area in AREAS}


# What pg_dump writes is at most the tables' own pages (heap and TOAST): it leaves indexes out, and the custom
# format compresses. A fixed guess instead (8 MiB) refused a small drive for a config-only job.
PG_TABLES_BYTES = """
SELECT COALESCE(SUM(pg_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 't', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""


def config_size() -> int:
    """The configuration snapshot is about the database's size: the file on SQLite, the tables on PostgreSQL."""
    name = connection.settings_dict.get("NAME")
    if connection.vendor == "sqlite" and name and os.path.isfile(str(name)):
        return os.path.getsize(str(name)) + CONFIG_MARGIN_BYTES
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(PG_TABLES_BYTES)
            return int(cursor.fetchone()[0]) + CONFIG_MARGIN_BYTES
    return CONFIG_ESTIMATE_BYTES


def estimate(users, areas: list[str], drive: detection.Drive | None) -> Estimate:
    sizes = [UserSize(user_id=u.pk, username=u.username, areas=area_sizes(u, areas)) for u in users]
    return Estimate(users=sizes, config_bytes=config_size(), free_bytes=drive.free_bytes if drive is not None else None)


def job_estimate(job: UsbBackup, drive: detection.Drive | None = None) -> Estimate:
    users = list(job.users.all()) if job.includes_users else []
    return estimate(users, job.areas(), drive if drive is not None else detection.find_drive(job))


def eligible_users():
    """People whose areas may be carried: activated accounts."""
    return get_user_model().objects.filter(activated_at__isnull=False).order_by("username")


def set_drive(job: UsbBackup, drive: detection.Drive) -> None:
    """Bind a job to a drive by UUID, else label, else mount path."""
    job.drive_uuid, job.drive_label = drive.uuid, drive.label
    job.drive_path = drive.mount_point


@transaction.atomic
def save_job(job: UsbBackup, users=None) -> UsbBackup:
    """Save a job, its users and its django-q2 schedule together."""
    targets.save_target(job, users=users)
    return job


@transaction.atomic
def delete_job(job: UsbBackup) -> None:
    targets.delete_target(job)


def last_run(job: UsbBackup) -> Run | None:
    return Run.objects.filter(kind=KIND, target_id=job.pk).first()


def active_run(job: UsbBackup) -> Run | None:
    return Run.objects.filter(kind=KIND, target_id=job.pk, status__in=ACTIVE_STATUSES).first()


def active_run_on_drive(drive: detection.Drive) -> Run | None:
    """A queued or running backup of any job whose drive this is (eject must wait for it)."""
    for job in UsbBackup.objects.all():
        if drive.matches(job) and (run := active_run(job)):
            return run
    return None


def jobs_with_drives(drives: list[detection.Drive] | None = None) -> list[tuple[UsbBackup, detection.Drive | None]]:
    drives = detection.detect_drives() if drives is None else drives
    return [(job, detection.find_drive(job, drives)) for job in UsbBackup.objects.prefetch_related("users")]
