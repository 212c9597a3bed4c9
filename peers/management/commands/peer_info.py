"""`manage.py peer_info [--code]` — the seed's four items and our invitation code."""

from django.core.management.base import BaseCommand

from peers import codes, services


class Command(BaseCommand):
    help = "Show what a friend needs to pair with this server (or only the invitation code)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", action="store_true", help="print only the invitation code")

    def handle(self, *args, **options) -> None:
        invitation = services.my_invitation()
        code = codes.encode(invitation)
        if options["code"]:
            self.stdout.write(code)
            return
        self.stdout.write(f"WireGuard public key: {invitation.wg_public_key}")
        self.stdout.write(f"SSH public key:       {invitation.ssh_public_key}")
        self.stdout.write(f"VPN address:          {invitation.vpn_address}")
        self.stdout.write(f"Endpoint:             {invitation.endpoint or '(not set: manage.py identity --endpoint HOST:PORT)'}")
        self.stdout.write(f"SFTP port:            {invitation.sftp_port}")
        contact = f"{invitation.contact_email} ({invitation.contact_language or 'default language'})" \
            if invitation.contact_email else "(none: manage.py identity --contact-email ADDRESS)"
        self.stdout.write(f"Contact for friends:  {contact}")
        self.stdout.write(f"\nInvitation code (send it to your friend):\n{code}")
