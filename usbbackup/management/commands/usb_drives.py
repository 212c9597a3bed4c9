"""`manage.py usb_drives [--json]`: the drives Anemone would offer, as the USB page shows them."""

import json

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from usbbackup import detection


class Command(BaseCommand):
    help = "List the drives mounted under the configured roots (never the server's own disks)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--root", action="append", help="look under this folder instead (repeatable)")

    def handle(self, *args, **options) -> None:
        drives = detection.detect_drives(roots=options["root"])
        if options["json"]:
            self.stdout.write(json.dumps([d.as_dict() for d in drives], indent=2))
            return
        if not drives:
            roots = ", ".join(options["root"] or detection.configured_roots())
            self.stdout.write(f"No drive mounted under {roots}.")
            return
        for d in drives:
            flags = " read-only" if d.read_only else ""
            backups = f" backups: {', '.join(d.backup_folders)}" if d.backup_folders else ""
            self.stdout.write(
                f"{d.mount_point}\t{d.fstype}\t{d.device}\tlabel={d.label or '-'}\tuuid={d.uuid or '-'}\t"
                f"{filesizeformat(d.free_bytes)} free of {filesizeformat(d.size_bytes)}{flags}{backups}")
