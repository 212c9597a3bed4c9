"""A fourth backup kind plugs in without touching core or another kind (issue #12, "Done when").

The kind lives in tests/fourth_kind (installed only by tests.fourth_kind.settings, so the product's other
tests see the three real kinds); its checks run in a pytest of their own with those settings.
"""

from __future__ import annotations

import subprocess
import sys

from tests.fixtures.processes import ROOT


def test_a_fourth_kind_gets_schedules_api_admin_command_history_restore_hub_and_alerts(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/fourth_kind/checks_fourth_kind.py", "-q", "-p", "no:cacheprovider",
         "--ds=tests.fourth_kind.settings", "-o", "addopts=", "-n", "0", "--basetemp", str(tmp_path / "inner")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "7 passed" in result.stdout.splitlines()[-1], result.stdout[-2000:]
