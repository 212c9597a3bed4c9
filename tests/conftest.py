"""Shared fixtures: a private data dir per test session, personas, API clients, browser settings.

Personas (as in healthchecks' hc/test.py): alice and bob are users, charlie an outsider with an
account but no business with alice's or bob's things, admin runs the server.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

# The data dir must exist before Django settings are imported: one per test session.
_DATA_DIR = tempfile.mkdtemp(prefix="anemone-test-")
os.environ["ANEMONE_DATA_DIR"] = _DATA_DIR
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

PASSWORD = "correct horse battery staple"
_TOKEN_NUMBERS = itertools.count(1)
BROWSER_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytest_plugins = ["tests.fixtures.sshd", "tests.fixtures.rclone_servers", "tests.fixtures.incoming", "tests.fixtures.restic",
                  "tests.fixtures.receivers", "tests.e2e.harness"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Each test gets its own data dir (shares, certs, incoming...)."""
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    settings.DATA_DIR = path
    return path


@pytest.fixture
def master_key(data_dir: Path) -> bytes:
    from anemone import crypto

    return crypto.create_master_key()


def make_person(username: str, *, admin: bool = False):  # type: ignore[no-untyped-def]
    from anemone.accounts import services

    user = services.create_user(username, email=f"{username}@example.org", is_admin=admin)
    user.backup_key_plain = services.activate(user, PASSWORD)
    if admin:  # a server with an admin has been set up (a stored fact since issue #11, item 0)
        from anemone.accounts.setup import mark_setup_done

        mark_setup_done()
    return user


@pytest.fixture
def alice(db, master_key, admin_user):  # type: ignore[no-untyped-def]
    return make_person("alice")


@pytest.fixture
def bob(db, master_key, admin_user):  # type: ignore[no-untyped-def]
    return make_person("bob")


@pytest.fixture
def charlie(db, master_key, admin_user):  # type: ignore[no-untyped-def]
    return make_person("charlie")


@pytest.fixture
def admin_user(db, master_key):  # type: ignore[no-untyped-def]
    """The server's admin; the users depend on it because a server without an admin is still in setup."""
    return make_person("admin", admin=True)


def api_client_for(user, name: str = "") -> APIClient:  # type: ignore[no-untyped-def]
    """An APIClient with a fresh (hashed, knox) token of ``user``; each call its own token unless ``name``
    is given (a name in use replaces that token, as in the product)."""
    from anemone.accounts import tokens

    client = APIClient()
    if user is not None:
        _row, token = tokens.create_token(user, name or f"tests-{next(_TOKEN_NUMBERS)}")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api(db):  # type: ignore[no-untyped-def]
    """api(user) → an APIClient authenticated with that user's token (None: anonymous)."""
    return api_client_for


@pytest.fixture(autouse=True)
def default_language():  # type: ignore[no-untyped-def]
    """Each test starts in the default language: a French page rendered by the test client leaves French
    active in this thread, and commands called in-process afterwards would answer in French."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():  # type: ignore[no-untyped-def]
    """Every test starts with an empty cache, as it starts with an empty database: DRF's per-client rate on
    auth/token/ lives there, and with Redis it outlives the test (tests that made token requests used to
    leave the next one on the same worker answered 429)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fast_hashing(settings):  # type: ignore[no-untyped-def]
    """Tests with dozens of password checks: a fast hasher (ask for it before the personas)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": BROWSER_ARGS}


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    assert Path(settings.DATA_DIR).exists()
