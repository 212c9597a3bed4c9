"""`manage.py create_user U [--email E] [--admin] [--quota-total-gb N] [--quota-backup-gb N]
[--password-file F --key-out PATH]`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone.accounts import services
from anemone.accounts.forms import GB
from anemone.accounts.links import issue_link
from anemone.accounts.management.commands.setup import read_secret_file
from anemone.accounts.models import AccountLink, User
from anemone.engines.files import write_private_file


def quotas_from_options(options: dict) -> dict[str, int]:
    """--quota-*-gb options as model fields (bytes); the model's validators refuse negatives."""
    quotas = {}
    for option, field in (("quota_total_gb", "quota_total_bytes"), ("quota_backup_gb", "quota_backup_bytes")):
        if options.get(option) is not None:
            quotas[field] = options[option] * GB
    return quotas


class Command(BaseCommand):
    help = "Add a person. Prints the activation link, or activates at once with --password-file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--admin", action="store_true")
        parser.add_argument("--password-file", help="activate now with the password on this file's first line")
        parser.add_argument("--key-out", help="with --password-file: write the backup key here (0600)")
        parser.add_argument("--base-url", help="portal address for the link (default: the one of the Settings page)")
        parser.add_argument("--quota-total-gb", type=int, help="total quota in GB (0 = unlimited)")
        parser.add_argument("--quota-backup-gb", type=int, help="backup/ quota in GB (0 = unlimited)")

    def handle(self, *args, **options) -> None:
        if options["key_out"] and not options["password_file"]:
            raise CommandError("--key-out needs --password-file")
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"user {options['username']} already exists")
        try:
            user = services.create_user(options["username"], email=options["email"], is_admin=options["admin"],
                                        quotas=quotas_from_options(options))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not options["password_file"]:
            self.stdout.write(issue_link(user, AccountLink.ACTIVATE, options["base_url"]))
            return
        try:
            key = services.activate(user, read_secret_file(options["password_file"]))
        except ValidationError as exc:
            user.delete()
            raise CommandError("; ".join(exc.messages)) from exc
        if options["key_out"]:
            write_private_file(Path(options["key_out"]), key + "\n")
            self.stdout.write(f"{user.username} is active; backup key written to {options['key_out']}")
        else:
            self.stdout.write(f"{user.username} is active")
