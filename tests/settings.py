"""Settings of the test processes: the product's settings, with what parallel test workers must not share.

pytest-django imports this before any conftest runs, so it is the one place to give each test process
(each pytest-xdist worker `gwN`, or a plain `pytest`) its own:

- data dir: a fresh temp dir, never a real server's ANEMONE_DATA_DIR left in the developer's shell, and not
  one shared by workers (they would race to create the secret key and the test databases in it);
- Redis database: django-q2's queue and the cache live in the Redis database of REDIS_URL; two workers on
  one database would run each other's queued tasks against the wrong test database and share throttle
  counters. Worker gwN uses database N + 1 of the same server (tests/fixtures/services.py starts it with 64).

Changed in os.environ too, so the subprocesses the tests start (`manage.py qcluster`, ...) agree.
A process that is not pytest (a subprocess that inherited DJANGO_SETTINGS_MODULE) keeps its environment.
"""

from __future__ import annotations

import os
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

if "pytest" in sys.modules:
    os.environ["ANEMONE_DATA_DIR"] = tempfile.mkdtemp(prefix="anemone-test-")
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if os.environ.get("REDIS_URL") and _worker.startswith("gw"):
        _url = urlsplit(os.environ["REDIS_URL"])
        os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{int(_worker[2:]) % 63 + 1}"))

from anemone.settings import *  # noqa: E402, F403

# django-rest-knox's own migrations create its `knox_authtoken` table even though our model replaces it
# (KNOX_TOKEN_MODEL = accounts.ApiToken); Django's flush between transactional tests leaves swapped-out models
# out, and PostgreSQL refuses to TRUNCATE accounts_user while that table's foreign key points at it.
MIGRATION_MODULES = {"knox": None}

# How full this machine's disk is must not decide what a test is told (CI machines have had 287 MB free):
# the "data disk nearly full" warning is off unless a test turns it on (tests/alerts/test_watches.py).
ANEMONE_DISK_WARN_PERCENT = 0
