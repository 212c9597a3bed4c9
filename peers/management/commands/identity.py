"""`manage.py identity [--endpoint HOST:PORT] [--vpn-address CIDR] [--listen-port N] [--sftp-port N] [--interface NAME]
[--contact-email ADDRESS] [--contact-language fr]` (the contact goes in our invitation code)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peers import services
from peers.services import refusal


class Command(BaseCommand):
    help = "Show or change this server's P2P identity."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--endpoint")
        parser.add_argument("--vpn-address")
        parser.add_argument("--listen-port", type=int)
        parser.add_argument("--sftp-port", type=int)
        parser.add_argument("--interface")
        parser.add_argument("--contact-email", help="put in our invitation code: told when our backups to a friend stop")
        parser.add_argument("--contact-language", help="the contact's language (en, fr)")

    def handle(self, *args, **options) -> None:
        fields = ("endpoint", "vpn_address", "listen_port", "sftp_port", "interface", "contact_email", "contact_language")
        try:  # the same service as the My server form
            identity = services.update_identity(**{name: options[name] for name in fields})
        except ValidationError as exc:
            names = {name: f"--{name.replace('_', '-')}" for name in fields}
            where = ", ".join(names.get(key, key) for key in getattr(exc, "error_dict", {}))
            raise CommandError(f"{where}: {refusal(exc)}" if where else refusal(exc)) from exc
        self.stdout.write(f"endpoint={identity.endpoint} vpn_address={identity.vpn_address} "
                          f"listen_port={identity.listen_port} sftp_port={identity.sftp_port} interface={identity.interface} "
                          f"contact_email={identity.contact_email} contact_language={identity.contact_language}")
