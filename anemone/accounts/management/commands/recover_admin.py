"""`manage.py recover_admin USERNAME [--base-url URL]`: the way back when no admin can log in.

Run on the server (as the service account or root), never reachable from the web: it re-enables the
account, makes it an admin and prints a one-time link to choose a new password (an activation link
when the account was never activated).
"""

from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone.accounts import services
from anemone.accounts.links import issue_link
from anemone.accounts.models import AccountLink, User


class Command(BaseCommand):
    help = "Re-enable USERNAME, make them an admin and print a one-time password-reset (or activation) link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--base-url", help="portal address for the link (default: the one of the Settings page)")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}: add one with "
                               f"`manage.py create_user {options['username']} --admin`")
        try:
            services.update_user(user, is_active=True, is_staff=True)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        AccessAttempt.objects.filter(username=user.username).delete()  # earlier failed logins lock no more
        purpose = AccountLink.RESET if user.is_activated else AccountLink.ACTIVATE
        url = issue_link(user, purpose, options["base_url"])
        what = "password-reset" if purpose == AccountLink.RESET else "activation"
        self.stderr.write(f"{user.username} is an active admin; {what} link (24 h, once):")
        self.stdout.write(url)
