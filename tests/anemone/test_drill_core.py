"""The drills' shared core on real files: the sample's caps and seed, "unchanged since the copy", the scratch folder."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from anemone.drills import core


def copied(tmp_path: Path, name: str, size: int) -> core.CopiedFile:
    source = tmp_path / name
    source.write_bytes(os.urandom(size))
    return core.CopiedFile(path=name, size=size, mtime_ns=source.stat().st_mtime_ns, source=source)


def test_the_sample_keeps_to_20_files_and_the_byte_cap_and_is_the_same_for_the_same_seed(tmp_path):
    files = [copied(tmp_path, f"f{i}", 100 + i) for i in range(50)]
    chosen = core.sample(files, "7:alice")
    assert len(chosen) == 20 and chosen == core.sample(files, "7:alice")
    assert chosen != core.sample(files, "8:alice")  # another run, another sample
    small = core.sample(files, "7:alice", max_bytes=1000)
    assert sum(f.size for f in small) <= 1000 and 6 <= len(small) <= 9  # files of 100-149 bytes: 6 always fit, 10 never


def test_empty_files_and_files_over_the_cap_are_never_chosen(tmp_path):
    files = [copied(tmp_path, "empty", 0), copied(tmp_path, "big", 5000), copied(tmp_path, "ok", 10)]
    assert [f.path for f in core.sample(files, "s", max_bytes=4000)] == ["ok"]


def test_a_source_is_unchanged_only_with_the_recorded_size_and_time(tmp_path):
    one = copied(tmp_path, "a", 100)
    assert core.unchanged(one)
    os.utime(one.source, ns=(one.mtime_ns, one.mtime_ns + 1))
    assert not core.unchanged(one)  # one nanosecond later: changed for an exact engine (restic)
    assert core.unchanged(core.CopiedFile(one.path, one.size, one.mtime_ns, one.source, mtime_slack_ns=10**9 - 1))
    one.source.unlink()
    assert not core.unchanged(one)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-03T12:46:20.718326098Z", 1796301980718326098),
    ("2026-12-03T13:46:20.7183261+01:00", 1796301980718326100),
    ("2026-12-03T12:46:20Z", 1796301980000000000),
    ("yesterday", None),
])
def test_engine_times_are_read_to_the_nanosecond(text, expected):
    assert core.parse_mtime_ns(text) == expected


def test_judge_tells_compared_mismatched_and_missing(tmp_path):
    same, changed, gone = copied(tmp_path, "same", 50), copied(tmp_path, "changed", 50), copied(tmp_path, "gone", 50)
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "same").write_bytes(same.source.read_bytes())
    data = bytearray(changed.source.read_bytes())
    data[10] ^= 0xFF
    (restored / "changed").write_bytes(bytes(data))
    verdict = core.judge([same, changed, gone], restored)
    assert (verdict.checked, verdict.mismatched, verdict.missing, verdict.compared) == (3, 1, 1, 2)
    assert verdict.bad_paths == ["changed", "gone"] and verdict.stats()["bytes"] == 50


def test_the_scratch_folder_is_removed_even_when_the_drill_fails(tmp_path):
    with pytest.raises(RuntimeError), core.scratch(tmp_path / "drills") as folder:
        (folder / "x").write_bytes(b"1")
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        raise RuntimeError("boom")
    assert not folder.exists() and list((tmp_path / "drills").iterdir()) == []


@pytest.mark.django_db
def test_the_hourly_drill_job_is_declared_and_every_kind_has_its_drill():
    from django.core.management import call_command
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    from anemone.runs import registry

    call_command("ensure_schedules", stdout=io.StringIO())
    job = Schedule.objects.get(name="system:drills")
    assert job.minutes == 60 and callable(import_string(job.func))
    drills = {kind.name: kind for kind in registry.drill_kinds()}
    assert set(drills) == {"cloud-drill", "p2p-drill", "usb-drill"}
    for kind in drills.values():
        backup = registry.get(kind.backup_kind)  # type: ignore[attr-defined]
        assert backup.backup and kind.target_model is backup.target_model and kind.drill and not kind.backup
