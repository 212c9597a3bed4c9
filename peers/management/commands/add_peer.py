"""`manage.py add_peer [--code CODE]` — pair from a friend's invitation code (or prompts, or flags)."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peers import codes, services
from peers.models import Peer
from peers.services import refusal


class Command(BaseCommand):
    help = "Add a friend's server as a peer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", help="the friend's invitation code")
        parser.add_argument("--name", help="name to give the peer (default: the name in the code)")
        for option in ("endpoint", "wg-public-key", "allowed-ips", "ssh-public-key", "description"):
            parser.add_argument(f"--{option}")
        parser.add_argument("--sftp-port", type=int, default=2222)
        parser.add_argument("--keepalive", type=int, default=25)

    def handle(self, *args, **options) -> None:
        code = options["code"]
        if not code and not options["wg_public_key"] and sys.stdin.isatty():
            code = input("Paste your friend's invitation code (or leave empty to type the details): ").strip()
        if code:
            try:
                paired = services.pair_from_code(code, name=options["name"])
            except codes.CodeInvalid as exc:
                raise CommandError(str(exc)) from exc
            except ValidationError as exc:
                raise CommandError(refusal(exc)) from exc
            if paired.our_new_address:
                self.stdout.write(f"both servers had the VPN address {paired.our_old_address}: "
                                  f"this server now uses {paired.our_new_address}")
            self.done(paired.peer)
            return
        else:
            peer = Peer(name=options["name"] or self.ask("Name"), endpoint=options["endpoint"] or self.ask("Endpoint (host:port)"),
                        wg_public_key=options["wg_public_key"] or self.ask("WireGuard public key"),
                        allowed_ips=options["allowed_ips"] or self.ask("Allowed IPs (e.g. 10.8.0.2/32)"),
                        ssh_public_key=options["ssh_public_key"] or self.ask("SSH public key"),
                        description=options["description"] or "", sftp_port=options["sftp_port"],
                        keepalive=options["keepalive"])
        try:
            services.save_peer(peer)
        except ValidationError as exc:
            raise CommandError(refusal(exc)) from exc
        self.done(peer)

    def done(self, peer: Peer) -> None:
        self.stdout.write(f"peer {peer.name} added ({peer.allowed_ips}); check it with: manage.py peer_health {peer.name}")

    def ask(self, label: str) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"missing {label}: give --code CODE or the options")
        return input(f"{label}: ").strip()
