"""`manage.py serve_smb [--listen ADDR:PORT]` — the SMB shares (the `smb` process of `make run`).

It runs whether or not SMB is on: while Settings → Network shares has SMB off it only watches for the
switch; once on, it runs smbd (``anemone.shares.smb_server``). SIGTERM or Ctrl-C stops smbd with it."""

import signal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone.validators import listen_address_validator


class Command(BaseCommand):
    help = "Serve the per-person SMB shares with smbd, kept in step with the database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--listen", help="ADDR:PORT smbd listens on (default: Settings, else ANEMONE_SMB_LISTEN)")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between passes (default 2)")

    def handle(self, *args, **options) -> None:
        from anemone.shares.smb_server import SmbServer

        if options["listen"]:
            try:
                listen_address_validator(options["listen"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        if options["poll"] <= 0:
            raise CommandError("--poll must be a positive number of seconds.")
        server = SmbServer(listen=options["listen"], poll=options["poll"])
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: server.stop.set())
        self.stdout.write("serve_smb: watching Settings → Network shares (SMB starts when it is on)")
        server.run()
