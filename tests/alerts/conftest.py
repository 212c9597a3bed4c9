"""Alert tests' shared fixtures: a cloud destination whose syncs fail (wrong password) until it is fixed, and
the channels told. The receivers (aiosmtpd SMTP, JSON webhook) live in tests/fixtures/receivers.py."""

from __future__ import annotations

import pytest

from anemone.alerts.models import AlertChannel
from anemone.alerts.services import save_channel
from anemone.models import SiteSettings
from anemone.runs.services import request as request_run
from cloudbackup import services as cloud
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put

WRONG = "not-the-dav-password"


@pytest.fixture
def offsite(webdav_server, alice):
    put(alice, "photos/cat.jpg", b"meow" * 100)
    dest = make_destination(Kind.WEBDAV, webdav=webdav_server, name="offsite")
    cloud.save_destination(dest, secrets={"password": WRONG})  # every sync fails until the password is fixed
    site = SiteSettings.load()
    site.server_name, site.portal_url = "maison", "https://nas.example.org"
    site.save()
    return dest


@pytest.fixture
def channels(smtp_server, webhook):
    """A French e-mail channel and an English webhook channel, both told about everything."""
    french = save_channel(AlertChannel(name="famille", kind="email", emails="alice@example.org, bob@example.org",
                                       language="fr"))
    english = save_channel(AlertChannel(name="hook", kind="apprise", language="en"), url=webhook.url)
    return french, english


def sync(dest, expected: str, **options):  # type: ignore[no-untyped-def]
    run = request_run("cloud", dest, inline=True, options=options or None)
    assert run.status == expected, run.message
    return run


