"""The engines' versions: parsed from what they print, and checked at start-up against the oldest we support."""

from __future__ import annotations

import sys
from pathlib import Path

from anemone import checks
from anemone.engines import versions
from anemone.engines.paths import rclone_binary, restic_binary


def test_it_reads_the_version_lines_restic_and_rclone_print():
    assert versions.parse("restic 0.18.0 compiled with go1.24.4 on linux/amd64") == (0, 18, 0)
    assert versions.parse("restic 0.14.0 compiled with go1.19.8 on linux/amd64") == (0, 14, 0)
    assert versions.parse("rclone v1.75.2\n- os/version: debian 12.8 (64 bit)") == (1, 75, 2)
    assert versions.parse("something else 1.2") is None


def test_the_installed_engines_are_new_enough_and_the_check_passes():
    assert restic_binary() == str(Path(sys.executable).parent / "restic")  # the venv's, from Debian trixie
    assert versions.installed(restic_binary()) >= versions.MINIMUM["restic"]  # type: ignore[operator]
    assert versions.installed(rclone_binary()) >= versions.MINIMUM["rclone"]  # type: ignore[operator]
    assert checks.engine_versions(None) == []


def test_an_old_or_silent_engine_is_a_clear_error(tmp_path, monkeypatch):
    """A venv whose restic is old (its bin folder is the one beside sys.executable)."""
    old = tmp_path / "restic"
    old.write_text("#!/bin/sh\necho 'restic 0.14.0 compiled with go1.19.8 on linux/amd64'\n")  # Debian 12's
    old.chmod(0o755)
    (tmp_path / "rclone").symlink_to(rclone_binary())
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    versions.installed.cache_clear()
    try:
        problems = checks.engine_versions(None)
        old.write_text("#!/bin/sh\nexit 1\n")  # a restic that does not answer
        versions.installed.cache_clear()
        silent = checks.engine_versions(None)
    finally:
        versions.installed.cache_clear()
    assert [p.id for p in silent] == ["anemone.E005"] and "does not report its version" in silent[0].msg
    assert [p.id for p in problems] == ["anemone.E006"] and "restic 0.14.0 is older than 0.18.0" in problems[0].msg
