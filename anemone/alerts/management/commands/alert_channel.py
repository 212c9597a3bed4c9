"""`manage.py alert_channel add|list|test|remove` — alert channels from scripts (the same checks and sealing as
the portal, the API and the Django admin: anemone.alerts.services)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from anemone.accounts.management.commands.setup import read_secret_file
from anemone.alerts import services
from anemone.alerts.models import AlertChannel, ChannelKind

EVENTS = ("failed", "partial", "recovered", "warnings")


class Command(BaseCommand):
    help = "Add, list, test or remove alert channels (e-mail or an Apprise URL)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a channel, or change the one of that name")
        add.add_argument("name")
        where = add.add_mutually_exclusive_group(required=True)
        where.add_argument("--email", action="append", metavar="ADDR", help="a recipient (repeat for more)")
        where.add_argument("--url", metavar="APPRISE_URL",
                           help="an Apprise URL; it holds a token: prefer --url-file (a command line is visible "
                                "to every local user while it runs)")
        where.add_argument("--url-file", metavar="FILE", help="a file whose first line is the Apprise URL")
        add.add_argument("--language", choices=settings.LANGUAGE_CODES, default=None)
        add.add_argument("--not", dest="without", action="append", choices=EVENTS, default=[],
                         help="an event this channel is not told (repeat for more)")
        add.add_argument("--disabled", action="store_true")
        sub.add_parser("list")
        for name in ("test", "remove"):
            sub.add_parser(name).add_argument("name")

    def handle(self, *args, **options) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _get(self, name: str) -> AlertChannel:
        channel = AlertChannel.objects.filter(name=name).first()
        if channel is None:
            raise CommandError(f"no alert channel named {name}")
        return channel

    def do_add(self, o) -> None:
        channel = AlertChannel.objects.filter(name=o["name"]).first() or AlertChannel(name=o["name"])
        url = None
        if o["email"]:
            channel.kind, channel.emails = ChannelKind.EMAIL, "\n".join(o["email"])
        else:
            if o["url"]:
                sys.stderr.write("warning: the Apprise URL was visible in this command line; --url-file keeps it "
                                 "out of the process list\n")
            channel.kind, url = ChannelKind.APPRISE, o["url"] or read_secret_file(o["url_file"])
        if o["language"]:
            channel.language = o["language"]
        for event in EVENTS:
            setattr(channel, f"on_{event}", event not in o["without"])
        channel.enabled = not o["disabled"]
        errors = services.channel_errors(channel.kind, channel.emails, url, channel.url_set)
        if errors:
            raise CommandError("; ".join(f"{field}: {error}" for field, error in errors.items()))
        services.save_channel(channel, url=url)
        self.stdout.write(f"alert channel {channel.name} saved ({channel.kind}); send a test: "
                          f"manage.py alert_channel test {channel.name}")

    def do_list(self, o) -> None:
        for channel in AlertChannel.objects.all():
            events = ",".join(e for e in EVENTS if getattr(channel, f"on_{e}")) or "-"
            where = ", ".join(channel.recipients()) if channel.kind == ChannelKind.EMAIL else (
                "url set" if channel.url_set else "no url")
            state = "enabled" if channel.enabled else "disabled"
            self.stdout.write(f"{channel.name}\t{channel.kind}\t{state}\t{channel.language}\t{events}\t{where}"
                              f"\t{channel.last_error or 'ok'}")

    def do_test(self, o) -> None:
        ok, said = services.send_test(self._get(o["name"]))
        if not ok:
            raise CommandError(said)
        self.stdout.write(said)

    def do_remove(self, o) -> None:
        self._get(o["name"]).delete()
        self.stdout.write(f"alert channel {o['name']} removed")
