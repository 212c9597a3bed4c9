"""`manage.py serve_https [--bind ADDR:PORT]` — the portal over HTTPS (the `https` process of `make run`).

Makes the certificate on first start (anemone.tls), prints its fingerprint so people can check what their
browser shows, then becomes gunicorn with that certificate, the same application and workers as `web`.
With ANEMONE_HTTPS_BIND empty it says HTTPS is off and waits (the supervisor stops everything when one
process ends)."""

import os
import signal
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone import tls
from anemone.validators import listen_address_validator


class Command(BaseCommand):
    help = "Serve the portal over HTTPS with the server's certificate."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=settings.HTTPS_BIND, help="ADDR:PORT (default ANEMONE_HTTPS_BIND)")

    def handle(self, *args, **options) -> None:
        bind = options["bind"]
        if not bind:
            self.stdout.write("serve_https: HTTPS is off (ANEMONE_HTTPS_BIND is empty); plain HTTP only on "
                              f"{settings.SERVER_BIND}")
            while True:  # until the supervisor's SIGTERM ends us
                signal.pause()
        try:
            listen_address_validator(bind)
        except ValidationError as error:
            raise CommandError(f"ANEMONE_HTTPS_BIND: {' '.join(error.messages)}") from None
        current = tls.ensure()
        host, _sep, port = bind.rpartition(":")
        shown = "this server's address" if host in ("0.0.0.0", "[::]") else host
        self.stdout.write(f"serve_https: https://{shown}:{port}/ — certificate SHA-256 {current.fingerprint}"
                          + (" (made by this server: check this fingerprint when your browser asks)"
                             if current.self_made else ""))
        self.stdout.flush()
        argv = [sys.executable, "-m", "gunicorn", "anemone.wsgi:application", "--bind", bind,
                "--certfile", str(tls.certificate_path()), "--keyfile", str(tls.key_path()),
                "--workers", "2", "--threads", "4", "--timeout", "120", "--graceful-timeout", "2",
                "--no-control-socket", "--access-logfile", "-"]
        os.execv(sys.executable, argv)  # noqa: S606 - argv list, our own interpreter
