"""`manage.py identity [--endpoint HOST:PORT] [--vpn-address CIDR] [--listen-port N] [--sftp-port N] [--interface NAME]`."""

import ipaddress

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peers.identity import get_identity


class Command(BaseCommand):
    help = "Show or change this server's P2P identity."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--endpoint")
        parser.add_argument("--vpn-address")
        parser.add_argument("--listen-port", type=int)
        parser.add_argument("--sftp-port", type=int)
        parser.add_argument("--interface")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        identity = get_identity()
        for option in ("endpoint", "vpn_address", "listen_port", "sftp_port", "interface"):
            if options[option] is not None:
                setattr(identity, option, options[option])
        try:
            ipaddress.ip_interface(identity.vpn_address)
            identity.full_clean()
        except ValueError as exc:
            raise CommandError(f"--vpn-address: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())) from exc
        identity.save()
        self.stdout.write(f"endpoint={identity.endpoint} vpn_address={identity.vpn_address} "
                          f"listen_port={identity.listen_port} sftp_port={identity.sftp_port} interface={identity.interface}")
