"""Schemathesis against /api/schema/ of a live server, as an admin and as a person: no server error, every
status code documented, every answer in the documented shape (issue #11 items 26, 28, 31).

Bounded: examples + fuzzing phases, 3 cases per operation, both personas in parallel (~1-2 min on 2 cores).
Left out, because a fuzzer must not drive them with random values on the machine running the suite:
- POST .../sync/, .../test/, .../health/, p2p restores and browse/download, cloud-restore: they start real
  engines (restic, rclone) or connect to the hosts the random objects name;
- /api/v1/peers*: saving a peer writes WireGuard configuration and brings tunnels up (as root);
- POST /api/v1/usb/drives/eject/: unmounts a real mount point;
- /api/v1/auth/token/: DELETE revokes the very token the run uses (tested in test_api_basics.py and the
  1,000-deep JSON test in test_robustness.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
EXCLUDED = (r"(/sync/$|/test/$|/health/$|^/api/v1/peers|/usb/drives/eject/|/snapshots/(browse|download|restore)/"
            r"|/bulk-restore/|/cloud-restore/|/forget-host-key/|/auth/token/)")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"


def token_for(base_url: str, username: str) -> str:
    """A token made the way a phone app makes one (independent of how tokens are stored)."""
    response = requests.post(f"{base_url}/api/v1/auth/token/", data={"username": username, "password": PASSWORD},
                             timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def fuzz(base_url: str, token: str, workdir: Path) -> subprocess.Popen:
    workdir.mkdir()
    argv = [SCHEMATHESIS, "run", f"{base_url}/api/schema/", "-H", f"Authorization: Token {token}",
            "--checks", CHECKS, "--phases", "examples,fuzzing", "-n", "3", "--seed", "1", "-w", "1",
            "--no-shrink", "--request-timeout", "60", "--exclude-path-regex", EXCLUDED]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    return subprocess.Popen(argv, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_api_answers_every_generated_request_as_its_schema_says(live_server, admin_user, alice, tmp_path):
    assert requests.get(f"{live_server.url}/api/schema/", timeout=120).status_code == 200  # generated once, cached
    runs = {who: fuzz(live_server.url, token_for(live_server.url, who), tmp_path / who) for who in ["alice", "admin"]}
    for who, process in runs.items():
        output, _ = process.communicate(timeout=240)
        summary = output[output.find("FAILURES"):] if "FAILURES" in output else output[-3000:]
        assert process.returncode == 0, f"{who}:\n{summary[:12000]}"
        counts = re.search(r"(\d+) generated, (\d+) passed", output)
        assert counts and counts[1] == counts[2] and int(counts[1]) > 50, f"{who}:\n{output[-3000:]}"
