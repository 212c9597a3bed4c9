"""``device_password create U --name NAME`` (the password alone on the last line), ``list U``, ``revoke U NAME``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anemone.accounts.models import User
from anemone.shares import services


class Command(BaseCommand):
    help = "Create, list or revoke a person's device passwords (for SMB and WebDAV)."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new device password, printed once")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        listing = actions.add_parser("list", help="names, creation and last use (never the passwords)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke one by name, at once")
        revoke.add_argument("username")
        revoke.add_argument("name")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No person named “%(name)s”.") % {"name": options["username"]})
        action = options["action"]
        if action == "create":
            try:
                row, password = services.create(user, options["name"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(_("Device password “%(name)s” created for %(user)s; it is shown this once.")
                              % {"name": row.name, "user": user.username})
            for item in services.connection_addresses(user):
                self.stdout.write(f"  {item['label']}: {item['address']}")
            self.stdout.write(password)
        elif action == "list":
            for row in services.passwords_of(user):
                used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else _("never")
                self.stdout.write(f"{row.name}\t{row.smb_login}\t{row.created_at.isoformat(timespec='seconds')}\t{used}")
        elif not services.revoke(user, options["name"]):
            raise CommandError(_("%(user)s has no device password named “%(name)s”.")
                               % {"user": user.username, "name": options["name"]})
        else:
            self.stdout.write(_("Device password “%(name)s” revoked.") % {"name": options["name"]})
