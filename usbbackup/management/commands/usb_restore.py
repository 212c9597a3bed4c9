"""`manage.py usb_restore --drive PATH --recovery-kit FILE [--with-users]`: rebuild a server from a drive.

Run it on a fresh data dir (ANEMONE_DATA_DIR): it restores the database, the keys, the settings
and, with --with-users, everyone's files, then writes a new copy of the recovery kit.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from usbbackup import repo, restore


class Command(BaseCommand):
    help = "Import an installation from a USB backup and its recovery kit."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--drive", required=True, help="mount point of the drive (or the backup folder)")
        parser.add_argument("--recovery-kit", required=True, help="the recovery kit file (or a file with the key)")
        parser.add_argument("--folder", default="", help="backup folder on the drive (default: the only one)")
        parser.add_argument("--with-users", action="store_true", help="also restore people's files")
        parser.add_argument("--force", action="store_true", help="overwrite a server that is already set up")

    def handle(self, *args, **options) -> None:
        try:
            kit = Path(options["recovery_kit"]).read_text()
        except OSError as exc:
            raise CommandError(f"cannot read {options['recovery_kit']}: {exc.strerror}") from exc
        try:
            folder = restore.locate_folder(Path(options["drive"]), options["folder"])
            result = restore.restore_installation(folder, kit, with_users=options["with_users"],
                                                  force=options["force"], log=self.stdout.write)
        except (restore.RestoreError, repo.RepoError) as exc:
            raise CommandError(str(exc)) from exc
        if result.user_errors:
            raise CommandError(f"restored, but not everyone's files: {'; '.join(result.user_errors)}")
        self.stdout.write(f"Imported server {result.server_name} from snapshot {result.snapshot_id}"
                          + (f", files of {len(result.users)} person(s)" if options["with_users"] else ""))
