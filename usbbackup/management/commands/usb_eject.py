"""`manage.py usb_eject MOUNT`: flush, unmount and power off a drive (names what holds a busy one)."""

from django.core.management.base import BaseCommand, CommandError

from usbbackup import detection, eject


class Command(BaseCommand):
    help = "Safely remove a USB drive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("mount_point")

    def handle(self, *args, **options) -> None:
        drive = detection.find_mount(options["mount_point"])
        if drive is None:
            raise CommandError(f"no drive mounted at {options['mount_point']}")
        try:
            self.stdout.write(eject.eject(drive).message)
        except eject.EjectError as exc:
            raise CommandError(str(exc)) from exc
