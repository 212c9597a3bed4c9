"""`manage.py serve_sftp [--listen ADDR:PORT]` — the incoming endpoint (the `sftp` process).

On a server without a tunnel (no peer yet, or WireGuard down) there is nothing to serve: it says so in
one line and waits quietly, checking every few seconds, instead of failing to bind every 40 s."""

import time

from django.core.management.base import BaseCommand

from anemone.accounts.setup import setup_done

WAIT_SECONDS = 5.0  # before setup is done


class Command(BaseCommand):
    help = "Serve the incoming SFTP endpoint where paired peers store their encrypted backups."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--listen", help="ADDR:PORT (default: our VPN address and SFTP port)")

    def handle(self, *args, **options) -> None:
        while not setup_done():  # `make run` starts us before the setup wizard has run
            time.sleep(WAIT_SECONDS)
        from peers.sftp_endpoint import run_forever

        run_forever(options["listen"], say=lambda line: self.stdout.write(line))
