"""`manage.py serve_sftp [--listen ADDR:PORT]` — the incoming endpoint (the `sftp` process)."""

import time

from django.core.management.base import BaseCommand

from anemone.accounts.setup import setup_done

RETRY_SECONDS = 30


class Command(BaseCommand):
    help = "Serve the incoming SFTP endpoint where paired peers store their encrypted backups."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--listen", help="ADDR:PORT (default: our VPN address and SFTP port)")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        while not setup_done():  # `make run` starts us before the setup wizard has run
            time.sleep(5)
        from anemone.engines.wireguard import WireGuardError
        from peers import tunnel
        from peers.identity import get_identity
        from peers.models import Peer
        from peers.sftp_endpoint import default_listen, serve

        listen = options["listen"] or default_listen()
        on_tunnel = listen.rsplit(":", 1)[0].strip("[]") == get_identity().vpn_ip
        if on_tunnel and Peer.objects.filter(enabled=True).exists():  # auto-start the tunnel we listen on
            try:
                self.stdout.write(f"WireGuard tunnel up ({tunnel.up()})")
            except WireGuardError as exc:
                self.stderr.write(f"WireGuard tunnel not started: {exc}")
        while True:  # the VPN address only exists while the tunnel is up: wait for it, never give up
            self.stdout.write(f"incoming SFTP endpoint on {listen}")
            code = serve(listen)
            self.stderr.write(f"the endpoint stopped (status {code}); is {listen} on this machine (WireGuard up)? "
                              f"Retrying in {RETRY_SECONDS} s.")
            time.sleep(RETRY_SECONDS)
