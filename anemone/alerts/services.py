"""Alert channels: saving them (the Apprise URL sealed), writing a message in the channel's language, sending it.

Shared by the portal, the API, the Django admin and the alerts job, so that a channel is checked, sealed and
sent to the same way from everywhere. Sending records the outcome on the channel (last sent / last error) and
never raises: one broken channel must not keep the others from being told.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from anemone import crypto
from anemone.alerts.models import AlertChannel, ChannelKind, PersonalAlerts
from anemone.alerts.registry import Alert
from anemone.models import SiteSettings
from anemone.runs import messages
from anemone.runs import registry as kinds
from anemone.runs.models import Run
from anemone.runs.privacy import RunView

log = logging.getLogger(__name__)
SEND_TIMEOUT = 30  # seconds: an SMTP server or webhook that does not answer must not hold the alerts job
MESSAGE_LIMIT = 1500  # characters of the run's own message quoted in an alert


class DeliveryFailed(RuntimeError):
    """The channel's server refused or could not be reached; the text is safe to show (no secret in it)."""


# --- checking and saving --------------------------------------------------------------------------------

def channel_errors(kind: str, emails: str, url: str | None, url_already_set: bool) -> dict[str, str]:
    """What is wrong with these values, by field name (empty: nothing). ``url`` None: keep the stored one."""
    errors: dict[str, str] = {}
    if kind == ChannelKind.EMAIL:
        addresses = AlertChannel(emails=emails).recipients()
        if not addresses:
            errors["emails"] = _("Give at least one e-mail address.")
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                errors["emails"] = _("“%(address)s” is not an e-mail address.") % {"address": address}
                break
    elif kind == ChannelKind.APPRISE:
        if url:
            if apprise.Apprise.instantiate(url) is None:
                errors["url"] = _("Apprise does not recognise this URL: see the Apprise documentation for the "
                                  "address of your service (ntfy://, gotify://, json://…).")
        elif not url_already_set:
            errors["url"] = _("Give the Apprise URL of this channel.")
    return errors


def apply_url(channel: AlertChannel, url: str | None) -> None:
    """Seal a new Apprise URL; "" clears it, None keeps the stored one (the field is write-only)."""
    if url is None:
        return
    channel.url_sealed = crypto.seal(url) if url else ""


def save_channel(channel: AlertChannel, *, url: str | None = None) -> AlertChannel:
    apply_url(channel, url)
    channel.save()
    return channel


# --- what the message says ------------------------------------------------------------------------------

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^\s:/@]*):[^\s@/]*@", re.IGNORECASE)


def scrub(text: str, channel: AlertChannel | None = None) -> str:
    """Remove what could be a secret from text that leaves the server or is shown: passwords written into
    URLs (``scheme://user:password@``), and every part of the channel's own URL that may be a token (user,
    password, path segments, query values, and a host that is no host name, like a Telegram bot token)."""
    text = _URL_CREDENTIALS.sub(r"\g<scheme>\g<user>:****@", text)
    if channel is not None and channel.url_sealed:
        for part in sorted(_url_parts(crypto.unseal(channel.url_sealed)), key=len, reverse=True):
            text = text.replace(part, "****")
    return text


def _url_parts(url: str) -> set[str]:
    parts = urlsplit(url)
    found = {url, parts.username or "", parts.password or "", *parts.path.split("/"),
             *(value for _name, value in parse_qsl(parts.query))}
    host = parts.hostname or ""
    if host and "." not in host and host != "localhost":
        found.add(host)
    found |= {unquote(part) for part in found}
    return {part for part in found if len(part) >= 4}


def link(path: str) -> str:
    """Where a message points: the portal's public address when the Settings page has one, else the path."""
    base = SiteSettings.load().portal_url.rstrip("/")
    return f"{base}{path}" if base else path


def _when(moment: datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "?"


def compose(alert: Alert, language: str, viewer: Any = None) -> tuple[str, str]:
    """(title, body) of an alert in ``language``: what happened to which target, what was said about it,
    and the link to the page that explains it. Never a secret (scrubbed). ``viewer``: the person a personal
    alert goes to — they read of a run only what its page shows them (anemone.runs.privacy), never another
    person's file names."""
    with translation.override(language or settings.LANGUAGE_CODE):
        server = SiteSettings.load().server_name
        title, lines = _condition(alert, viewer) if alert.title is not None else _run(alert, viewer)
        if alert.event != "recovered":
            lines.append(_("You will not be told again while it keeps going wrong; a message follows when it works "
                           "again."))
        return scrub(f"[{server}] {title}"), scrub("\n\n".join(lines))


def _run(alert: Alert, viewer: Any) -> tuple[str, list[str]]:
    run = Run.objects.filter(pk=alert.run_id).first()
    kind = kinds.label(alert.kind)
    words = {"kind": kind, "target": alert.target_label or kind, "run": alert.run_id,
             "when": _when(run.finished_at if run else None), "since": _when(alert.since)}
    titles = {
        "run-failed": _("%(kind)s failed: %(target)s"),
        "run-partial": _("%(kind)s partially succeeded: %(target)s"),
        "run-interrupted": _("%(kind)s interrupted: %(target)s"),
        "recovered": _("%(kind)s works again: %(target)s"),
    }
    firsts = {
        "run-failed": _("On %(when)s, run #%(run)s of “%(target)s” (%(kind)s) failed."),
        "run-partial": _("On %(when)s, run #%(run)s of “%(target)s” (%(kind)s) partially succeeded: part of "
                         "it was not done."),
        "run-interrupted": _("On %(when)s, run #%(run)s of “%(target)s” (%(kind)s) was interrupted."),
        "recovered": _("On %(when)s, run #%(run)s of “%(target)s” (%(kind)s) succeeded: it works again."),
    }
    title = titles.get(alert.event, "%(kind)s: %(target)s") % words
    lines = [firsts.get(alert.event, title) % words]
    if alert.event == "recovered":
        lines.append(_("Going wrong since: %(since)s") % words)
    else:
        if run is None:
            said = "" if viewer is not None else alert.message
        else:
            said = RunView(run, viewer).message if viewer is not None else run.shown_message
        said = said.strip()
        if said:
            lines.append(said if len(said) <= MESSAGE_LIMIT else said[:MESSAGE_LIMIT] + "…")
    lines.append(_("Details and what to do: %(link)s") % {"link": link(reverse("runs:detail", args=[alert.run_id]))})
    return title, lines


def _condition(alert: Alert, viewer: Any) -> tuple[str, list[str]]:
    """A watch's finding (anemone.alerts.conditions): its own title and body, rendered now in this language."""
    said = alert.title or {}
    title = messages.render(said.get("code", "runs.text"), said.get("params"))
    since = {"since": _when(alert.since)}
    if alert.event == "recovered":
        lines = [_("This has cleared: %(title)s.") % {"title": title}, _("Going wrong since: %(since)s") % since]
        title = _("Resolved: %(title)s") % {"title": title}
    else:
        body = alert.body or {}
        lines = [messages.render(body.get("code", "runs.text"), body.get("params")),
                 _("Since: %(since)s") % since]
    page = (alert.people_link or alert.link) if viewer is not None else alert.link
    if page:
        lines.append(_("Details and what to do: %(link)s") % {"link": link(page)})
    return title, lines


def compose_test(channel: AlertChannel) -> tuple[str, str]:
    with translation.override(channel.language or settings.LANGUAGE_CODE):
        server = SiteSettings.load().server_name
        return (f"[{server}] " + _("Test message"),
                _("This is a test of the alert channel “%(name)s” of %(server)s. If you can read it, alerts reach "
                  "you here.") % {"name": channel.name, "server": server}
                + "\n\n" + _("Alert settings: %(link)s") % {"link": link(reverse("site-settings") + "#alerts")})


# --- sending --------------------------------------------------------------------------------------------

def send_email(addresses: list[str], title: str, body: str) -> None:
    """Through the ANEMONE_EMAIL_* SMTP server; DeliveryFailed (safe to show) when it refuses or is away."""
    try:
        send_mail(title, body, None, addresses,
                  connection=get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT))
    except Exception as exc:  # smtplib's errors, refused connections, DNS...
        raise DeliveryFailed(_("The mail server refused or could not be reached: %(error)s")
                             % {"error": f"{type(exc).__name__}: {exc}"}) from exc


def _send(channel: AlertChannel, title: str, body: str) -> None:
    if channel.kind == ChannelKind.EMAIL:
        send_email(channel.recipients(), title, body)
        return
    if not channel.url_sealed:
        raise DeliveryFailed(_("This channel has no Apprise URL."))
    notifier = apprise.Apprise()
    if not notifier.add(crypto.unseal(channel.url_sealed)):
        raise DeliveryFailed(_("Apprise does not recognise this channel's URL."))
    with apprise.LogCapture(level=logging.WARNING) as captured:
        sent = notifier.notify(title=title, body=body)
    if not sent:
        said = [line.split(" - ", 2)[-1] for line in captured.getvalue().splitlines() if line.strip()]
        raise DeliveryFailed(_("Apprise could not deliver: %(error)s") % {"error": " ".join(said) or "?"})


def send(channel: AlertChannel, title: str, body: str) -> tuple[bool, str]:
    """Send one message through the channel and record how it went. (ok, what to tell the admin)."""
    now = timezone.now()
    try:
        _send(channel, title, body)
    except (DeliveryFailed, crypto.SealError, crypto.MasterKeyMissing) as exc:
        error = scrub(str(exc), channel)[:1000]
        log.warning("alert channel %s: %s", channel.name, error)
        AlertChannel.objects.filter(pk=channel.pk).update(last_error=error, last_error_at=now)
        channel.last_error, channel.last_error_at = error, now
        return False, error
    AlertChannel.objects.filter(pk=channel.pk).update(last_sent_at=now, last_error="")
    channel.last_sent_at, channel.last_error = now, ""
    return True, _("Sent.")


def deliver(channel: AlertChannel, alert: Alert) -> tuple[bool, str]:
    return send(channel, *compose(alert, channel.language))


def tell_contacts(alert: Alert) -> None:
    """A condition's addresses outside the channels (the other friend's admin of a silent peer), by e-mail in
    their language. Failures are logged, never raised."""
    if not alert.also_email:
        return
    language = alert.also_language or SiteSettings.load().language or settings.LANGUAGE_CODE
    try:
        send_email(list(alert.also_email), *compose(alert, language))
    except DeliveryFailed as exc:
        log.warning("alert %s to the contact address failed: %s", alert.key, scrub(str(exc)))


def send_test(channel: AlertChannel) -> tuple[bool, str]:
    """The "send a test" button of the portal, the admin action and the API's POST .../test/."""
    ok, said = send(channel, *compose_test(channel))
    if ok:
        return True, _("Test message sent through “%(name)s”.") % {"name": channel.name}
    return False, _("The test message through “%(name)s” failed: %(error)s") % {"name": channel.name, "error": said}


# --- a person's own alerts ------------------------------------------------------------------------------

def personal_preference(person: Any) -> PersonalAlerts:
    """The person's opt-in (an unsaved, switched-off one when they never chose)."""
    return PersonalAlerts.objects.filter(user=person).first() or PersonalAlerts(user=person)


def tell_person(preference: PersonalAlerts, alert: Alert | None = None) -> tuple[bool, str]:
    """One alert (or, without one, a test) to a person who opted in, in their language, scoped to what
    they may see. Records the outcome on their preference; never raises."""
    person = preference.user
    language = person.language or SiteSettings.load().language or settings.LANGUAGE_CODE
    if alert is None:
        with translation.override(language):
            server = SiteSettings.load().server_name
            title = f"[{server}] " + _("Test message")
            body = _("This is a test of your own alerts on %(server)s. If you can read it, you will be told here "
                     "when something goes wrong with your backups.") % {"server": server}
    else:
        title, body = compose(alert, language, viewer=person)
    now = timezone.now()
    try:
        if not preference.address:
            raise DeliveryFailed(_("Your account has no e-mail address: give one."))
        send_email([preference.address], title, body)
    except DeliveryFailed as exc:
        error = scrub(str(exc))[:1000]
        PersonalAlerts.objects.filter(pk=preference.pk).update(last_error=error)
        return False, error
    PersonalAlerts.objects.filter(pk=preference.pk).update(last_sent_at=now, last_error="")
    return True, _("Test message sent to %(address)s.") % {"address": preference.address}


def tell_people(alert: Alert) -> None:
    """Everyone the alert concerns who opted in (active accounts only)."""
    if not alert.people:
        return
    for preference in PersonalAlerts.objects.filter(enabled=True, user_id__in=alert.people,
                                                    user__is_active=True).select_related("user"):
        tell_person(preference, alert)
