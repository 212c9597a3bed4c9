"""Alert channels configured from the API, the Django admin and the portal, each with its "send a test", delivered
for real (SMTP server and JSON webhook on 127.0.0.1). The Apprise URL is a secret: a canary in it never shows in
an API answer, an admin or portal page, an error message or the database."""

from __future__ import annotations

import base64

import pytest

from anemone.alerts.models import AlertChannel
from tests.fixtures.sshd import free_port

pytestmark = pytest.mark.django_db
CANARY = "hook-token-canary-6e1f"
PASSWORD_CANARY = "pw-canary-b84c"
API = "/api/v1/alerts/channels/"


def secret_url(port: int) -> str:
    return f"json://apprise:{PASSWORD_CANARY}@127.0.0.1:{port}/{CANARY}"


def test_the_api_keeps_the_url_write_only_and_sends_a_test_through_it(api, admin_user, webhook):
    client = api(admin_user)
    created = client.post(API, {"name": "phone", "kind": "apprise", "url": secret_url(webhook.port),
                                "on_partial": False, "language": "fr"}, format="json")
    assert created.status_code == 201, created.content
    assert created.data["url_set"] is True and "url" not in created.data
    channel = AlertChannel.objects.get(name="phone")
    assert channel.url_sealed.startswith("v1:") and CANARY not in channel.url_sealed

    tested = client.post(f"{API}{channel.pk}/test/")
    assert tested.status_code == 200 and tested.data == {"ok": True, "message": "Test message sent through “phone”."}
    (post,) = webhook.posts
    assert post["path"] == f"/{CANARY}"  # the real, unsealed URL was used
    assert post["title"] == "[anemone] Message de test"  # in the channel's language
    assert "Ceci est un test du canal d'alerte « phone »" in post["message"]

    kept = client.patch(f"{API}{channel.pk}/", {"enabled": False}, format="json")  # a PATCH without url keeps it
    assert kept.status_code == 200 and kept.data["url_set"] is True and kept.data["enabled"] is False

    closed = free_port()  # nothing listens there: the test fails, and says so without the secret
    client.patch(f"{API}{channel.pk}/", {"url": secret_url(closed)}, format="json")
    failed = client.post(f"{API}{channel.pk}/test/")
    assert failed.status_code == 200 and failed.data["ok"] is False
    assert failed.data["message"].startswith("The test message through “phone” failed: Apprise could not deliver")

    listed, detail = client.get(API), client.get(f"{API}{channel.pk}/")
    assert detail.data["last_error"] and detail.data["url_set"] is True
    for response in [created, tested, kept, failed, listed, detail]:
        text = response.content.decode()
        assert CANARY not in text and PASSWORD_CANARY not in text


def test_the_api_names_what_a_channel_lacks(api, admin_user):
    client = api(admin_user)
    no_url = client.post(API, {"name": "push", "kind": "apprise"}, format="json")
    assert no_url.status_code == 400 and no_url.data["url"] == ["Give the Apprise URL of this channel."]
    bad_url = client.post(API, {"name": "push", "kind": "apprise", "url": "nosuchservice://x"}, format="json")
    assert bad_url.status_code == 400 and "Apprise does not recognise this URL" in bad_url.data["url"][0]
    no_mail = client.post(API, {"name": "mail", "kind": "email"}, format="json")
    assert no_mail.status_code == 400 and no_mail.data["emails"] == ["Give at least one e-mail address."]
    bad_mail = client.post(API, {"name": "mail", "kind": "email", "emails": ["admin@example.org", "nope"]},
                           format="json")
    assert bad_mail.status_code == 400 and "emails" in bad_mail.data
    good = client.post(API, {"name": "mail", "kind": "email", "emails": ["admin@example.org", "bob@example.org"]},
                       format="json")
    assert good.status_code == 201 and good.data["emails"] == ["admin@example.org", "bob@example.org"]
    pushed = client.post(API, {"name": "push", "kind": "apprise", "url": "json://127.0.0.1:9/"}, format="json")
    cleared = client.patch(f"{API}{pushed.data['id']}/", {"url": ""}, format="json")  # apprise without a URL: no
    assert cleared.status_code == 400 and cleared.data["url"] == ["Give the Apprise URL of this channel."]


def test_people_who_are_not_admins_are_refused(api, alice, client):
    assert api(alice).get(API).status_code == 403
    assert api(alice).post(API, {"name": "x", "kind": "email", "emails": ["a@example.org"]}, format="json").status_code == 403
    client.force_login(alice)
    assert client.get("/settings/alerts/new/").status_code == 403


def test_the_django_admin_seals_the_url_shows_only_that_it_is_set_and_sends_tests(client, admin_user, smtp_server,
                                                                                    webhook):
    client.force_login(admin_user)
    added = client.post("/admin/alerts/alertchannel/add/", {
        "name": "push", "kind": "apprise", "url": secret_url(webhook.port), "enabled": "on", "on_failed": "on",
        "on_recovered": "on", "language": "en", "emails": ""})
    assert added.status_code == 302, added.content.decode()[-3000:]
    push = AlertChannel.objects.get(name="push")
    assert push.url_set and CANARY not in push.url_sealed and not push.on_partial
    mail = AlertChannel.objects.create(name="mail", kind="email", emails="admin@example.org")

    pages = [client.get("/admin/alerts/alertchannel/"), client.get(f"/admin/alerts/alertchannel/{push.pk}/change/")]
    assert "currently set" in pages[1].content.decode()
    sent = client.post("/admin/alerts/alertchannel/", {"action": "send_test", "_selected_action": [push.pk, mail.pk]},
                       follow=True)
    said = sent.content.decode()
    assert "Test message sent through “push”." in said and "Test message sent through “mail”." in said
    assert smtp_server.subjects() == ["[anemone] Test message"]
    assert [str(m["To"]) for m in smtp_server.messages] == ["admin@example.org"]
    assert [p["path"] for p in webhook.posts] == [f"/{CANARY}"]
    auth = base64.b64encode(f"apprise:{PASSWORD_CANARY}".encode()).decode()
    assert webhook.headers[0]["Authorization"] == f"Basic {auth}"  # the password reached the server, nobody else
    for page in [*pages, sent]:
        assert CANARY not in page.content.decode() and PASSWORD_CANARY not in page.content.decode()


def test_the_settings_page_lists_channels_and_sends_a_test(client, admin_user, smtp_server, webhook):
    client.force_login(admin_user)
    empty = client.get("/settings/").content.decode()
    assert "No alert channel yet: nobody is told when a backup fails." in empty
    saved = client.post("/settings/alerts/new/", {"name": "famille", "kind": "email", "emails": "alice@example.org",
                                                  "enabled": "on", "on_failed": "on", "language": "fr"})
    assert saved.status_code == 302 and saved["Location"] == "/settings/#alerts"
    refused = client.post("/settings/alerts/new/", {"name": "push", "kind": "apprise", "language": "en"})
    assert "Give the Apprise URL of this channel." in refused.content.decode()
    client.post("/settings/alerts/new/", {"name": "push", "kind": "apprise", "url": secret_url(webhook.port),
                                          "enabled": "on", "language": "en"})
    famille, push = AlertChannel.objects.get(name="famille"), AlertChannel.objects.get(name="push")
    assert famille.recipients() == ["alice@example.org"] and not famille.on_recovered and push.url_set

    page = client.get("/settings/").content.decode()
    assert "famille" in page and "alice@example.org" in page and "URL currently set" in page
    edit = client.get(f"/settings/alerts/{push.pk}/").content.decode()
    assert "currently set" in edit
    tested = client.post(f"/settings/alerts/{famille.pk}/test/", follow=True).content.decode()
    assert "Test message sent through “famille”." in tested
    assert smtp_server.subjects() == ["[anemone] Message de test"]
    assert "Ceci est un test du canal d'alerte « famille » de anemone." in smtp_server.bodies()[0]
    assert "Réglages des alertes : /settings/#alerts" in smtp_server.bodies()[0]
    for text in [page, edit, tested]:
        assert CANARY not in text and PASSWORD_CANARY not in text

    client.post(f"/settings/alerts/{push.pk}/", {"name": "push", "kind": "apprise", "enabled": "on",
                                                 "language": "en"})  # saved without a URL: the stored one stays
    push.refresh_from_db()
    assert push.url_set and not push.on_failed
    client.post(f"/settings/alerts/{push.pk}/delete/")
    assert list(AlertChannel.objects.values_list("name", flat=True)) == ["famille"]
