"""First-run setup without the browser: `manage.py setup --server-name N --admin U --password-file F`."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone import crypto
from anemone.accounts.setup import SetupAlreadyDone, run_setup
from anemone.engines.files import write_private_file


def read_secret_file(path: str) -> str:
    """The first line of a file (a password or key), refusing empty files with a clear message."""
    try:
        value = Path(path).read_text().splitlines()[0] if Path(path).read_text() else ""
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    if not value:
        raise CommandError(f"{path} is empty")
    return value


class Command(BaseCommand):
    help = "Create the server's settings, master key and first admin; writes the recovery kit."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--server-name", required=True)
        parser.add_argument("--admin", required=True, help="username of the first admin")
        parser.add_argument("--password-file", required=True, help="file whose first line is the admin password")
        parser.add_argument("--language", choices=settings.LANGUAGE_CODES, default="en")
        parser.add_argument("--key-out", help="also write the admin's backup key to this file (0600)")
        parser.add_argument("--portal-url", default="",
                            help="the address people open (e.g. https://nas.example.org): links are built on it")

    def handle(self, *args, **options) -> None:
        password = read_secret_file(options["password_file"])
        try:
            _admin, key = run_setup(server_name=options["server_name"], language=options["language"],
                                    admin_username=options["admin"], admin_password=password,
                                    portal_url=options["portal_url"])
        except SetupAlreadyDone as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["key_out"]:
            write_private_file(Path(options["key_out"]), key + "\n")
        self.stdout.write(str(crypto.recovery_kit_path()))
