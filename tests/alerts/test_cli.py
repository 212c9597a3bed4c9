"""`manage.py alert_channel` against real receivers: channels added from a script are sealed and checked like the
portal's, listed without their URL, tested for real, removed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from anemone.alerts.models import AlertChannel

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("alert_channel", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_channels_from_a_script(smtp_server, webhook, tmp_path, master_key):
    secret_file = tmp_path / "url"
    secret_file.write_text(webhook.url + "\n")
    run("add", "admins", "--email", "admin@example.org", "--email", "bob@example.org", "--language", "fr")
    run("add", "phone", "--url-file", str(secret_file), "--not", "partial")
    phone = AlertChannel.objects.get(name="phone")
    assert phone.url_set and webhook.url not in phone.url_sealed and not phone.on_partial and phone.on_warnings

    listed = run("list")
    assert "admins\temail\tenabled\tfr\tfailed,partial,recovered,warnings\tadmin@example.org, bob@example.org" in listed
    assert "phone\tapprise" in listed and "url set" in listed and str(webhook.port) not in listed

    assert run("test", "admins") == "Test message sent through “admins”.\n"
    (mail,) = smtp_server.messages
    assert mail["X-Envelope-To"] == "admin@example.org, bob@example.org" and "Message de test" in mail["Subject"]
    run("test", "phone")
    assert webhook.posts and webhook.posts[-1]["title"].endswith("Test message")

    with pytest.raises(CommandError, match="Apprise does not recognise"):
        run("add", "broken", "--url", "notascheme://x")
    with pytest.raises(CommandError, match="no alert channel named nobody"):
        run("test", "nobody")
    run("remove", "phone")
    assert list(AlertChannel.objects.values_list("name", flat=True)) == ["admins"]
