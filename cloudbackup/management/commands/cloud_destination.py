"""`manage.py cloud_destination add|list|test|remove|key` — manage rclone destinations from scripts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone.accounts.management.commands.setup import read_secret_file
from anemone.runs.schedules import describe
from cloudbackup import connection, keys, services
from cloudbackup.models import Destination, Kind


class Command(BaseCommand):
    help = "Add, list, test or remove cloud destinations."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("name")
        add.add_argument("--kind", required=True, choices=[k.value for k in Kind])
        for option in ["host", "user", "key-file", "password-file", "remote-path", "endpoint", "region", "bucket",
                       "access-key", "secret-file", "provider", "url", "vendor", "remote", "crypt-password-file",
                       "users", "bwlimit"]:
            add.add_argument(f"--{option}", default=None)
        add.add_argument("--port", type=int, default=None)
        add.add_argument("--retention-days", type=int, default=30)
        add.add_argument("--disabled", action="store_true")
        sub.add_parser("list")
        for name in ("test", "remove"):
            sub.add_parser(name).add_argument("name")
        sub.choices["test"].add_argument("--forget-host-key", action="store_true",
                                         help="the server was reinstalled: forget the pinned key, pin the one it shows now")
        key = sub.add_parser("key", help="print the line for the SFTP server's authorized_keys")
        key.add_argument("--generate", action="store_true", help="make Anemone's SSH key first, when it has none")
        key.add_argument("--replace", action="store_true",
                         help="with --generate: replace the existing key (every SFTP destination using it needs the new line)")

    def handle(self, *args, **options) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _get(self, name: str) -> Destination:
        dest = Destination.objects.filter(name=name).first()
        if dest is None:
            raise CommandError(f"no destination named {name}")
        return dest

    def do_add(self, o) -> None:
        dest = Destination(name=o["name"], kind=o["kind"], enabled=not o["disabled"], retention_days=o["retention_days"],
                           remote_path=o["remote_path"] or "", bandwidth_limit=o["bwlimit"] or "")
        fields = {"host": "host", "port": "port", "user": "username", "key_file": "key_path", "endpoint": "endpoint",
                  "region": "region", "bucket": "bucket", "access_key": "access_key", "provider": "provider",
                  "url": "url", "vendor": "vendor", "remote": "remote_name"}
        for option, field in fields.items():
            if o.get(option) is not None:
                setattr(dest, field, o[option])
        secrets = {"password": read_secret_file(o["password_file"]) if o["password_file"] else None,
                   "secret": read_secret_file(o["secret_file"]) if o["secret_file"] else None,
                   "crypt_password": read_secret_file(o["crypt_password_file"]) if o["crypt_password_file"] else None}
        if secrets["password"] and not o["key_file"]:
            dest.key_path = ""
        users = None
        if o["users"]:
            names = [u.strip() for u in o["users"].split(",") if u.strip()]
            users = list(get_user_model().objects.filter(username__in=names))
            if len(users) != len(names):
                raise CommandError(f"unknown users among: {', '.join(names)}")
        if Destination.objects.filter(name=dest.name).exists():
            raise CommandError(f"a destination named {dest.name} already exists")
        try:
            services.save_destination(dest, secrets=secrets, users=users)
        except (ValidationError, services.DestinationInvalid) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("; ".join(messages)) from exc
        self.stdout.write(f"destination {dest.name} added")

    def do_list(self, o) -> None:
        for dest in Destination.objects.all():
            state = "enabled" if dest.enabled else "disabled"
            crypt = ", encrypted" if dest.has_crypt else ""
            self.stdout.write(f"{dest.name}\t{dest.kind}\t{state}{crypt}\t{describe(dest)}")

    def do_test(self, o) -> None:
        dest = self._get(o["name"])
        if o.get("forget_host_key"):
            services.forget_host_key(dest)
        result = connection.test_connection(dest)
        if not result.ok:
            raise CommandError(f"{result.outcome}: {result.message}")
        self.stdout.write(result.message)

    def do_key(self, o) -> None:
        if o["generate"] and (keys.public_key() is None or o["replace"]):
            keys.generate(replace=o["replace"])
        elif o["generate"]:
            users = ", ".join(keys.destinations_using_key()) or "none"
            raise CommandError(f"Anemone already has an SSH key (destinations using it: {users}); add --replace to "
                               "make a new one: each of them then needs the new line in its authorized_keys")
        public = keys.public_key()
        if public is None:
            raise CommandError("Anemone has no SSH key yet: run cloud_destination key --generate")
        self.stdout.write(keys.authorized_keys_line(public))

    def do_remove(self, o) -> None:
        services.delete_destination(self._get(o["name"]))
        self.stdout.write(f"destination {o['name']} removed (its remote copy is left untouched)")
