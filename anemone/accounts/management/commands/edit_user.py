"""`manage.py edit_user U [--enable|--disable] [--admin|--no-admin] [--quota-total-gb N] [--quota-backup-gb N]
[--language en|fr]`: what the person's page of the portal changes, from scripts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone.accounts import services
from anemone.accounts.management.commands.create_user import quotas_from_options
from anemone.accounts.models import User


class Command(BaseCommand):
    help = "Change a person's state, role, quotas or language (the last active admin always stays one)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--enable", dest="is_active", action="store_const", const=True)
        state.add_argument("--disable", dest="is_active", action="store_const", const=False)
        role = parser.add_mutually_exclusive_group()
        role.add_argument("--admin", dest="is_staff", action="store_const", const=True)
        role.add_argument("--no-admin", dest="is_staff", action="store_const", const=False)
        parser.add_argument("--quota-total-gb", type=int, help="total quota in GB (0 = unlimited)")
        parser.add_argument("--quota-backup-gb", type=int, help="backup/ quota in GB (0 = unlimited)")
        parser.add_argument("--language", choices=settings.LANGUAGE_CODES)

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        changes: dict[str, object] = {key: options[key] for key in ("is_active", "is_staff", "language")
                                      if options[key] is not None}
        changes.update(quotas_from_options(options))
        if not changes:
            raise CommandError("nothing to change (see --help)")
        try:
            services.update_user(user, **changes)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username} saved")
