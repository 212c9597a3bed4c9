"""``shares status|enable|disable [--smb] [--webdav] [--listen ADDR:PORT]``: the network shares from scripts.

Without ``--smb`` or ``--webdav``, enable/disable act on both protocols. ``status`` prints one line per
protocol (``smb on 0.0.0.0:445`` / ``webdav off``) and how many people may use them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anemone.shares import services


class Command(BaseCommand):
    help = "Show, enable or disable the network shares (SMB, WebDAV)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["status", "enable", "disable"])
        parser.add_argument("--smb", action="store_true", help="only SMB")
        parser.add_argument("--webdav", action="store_true", help="only WebDAV")
        parser.add_argument("--listen", metavar="ADDR:PORT", help="where smbd listens (with enable)")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        both = not options["smb"] and not options["webdav"]
        if options["listen"] and action != "enable":
            raise CommandError(_("--listen goes with enable."))
        if action != "status":
            on = action == "enable"
            try:
                services.configure(smb=on if (both or options["smb"]) else None,
                                   webdav=on if (both or options["webdav"]) else None,
                                   smb_listen=options["listen"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        current = services.share_settings()
        self.stdout.write(f"smb {'on' if current.smb_enabled else 'off'} {current.effective_smb_listen()}")
        self.stdout.write(f"webdav {'on' if current.webdav_enabled else 'off'} /dav/")
        if action == "status":
            from anemone.shares.samba import server_status

            smbd = server_status()
            state = "running" if smbd.get("running") else "not running"
            detail = f" {smbd.get('sessions', 0)} connected" if smbd.get("running") else \
                (f" ({smbd['error']})" if smbd.get("error") else "")
            self.stdout.write(f"smbd {state}{detail}")
