"""`manage.py api_token create U [--name N]`, `list U`, `revoke U NAME`: a person's API tokens.

``create`` prints the token alone on its last line (it is stored hashed: this is the only time it exists
in clear); a name already in use is replaced.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anemone.accounts import tokens
from anemone.accounts.models import User


class Command(BaseCommand):
    help = "Create, list or revoke a person's API tokens (by name)."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new token; prints it on the last line")
        create.add_argument("username")
        create.add_argument("--name", default=tokens.DEFAULT_NAME)
        actions.add_parser("list", help="names and dates, never the tokens").add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke the token of that name")
        revoke.add_argument("username")
        revoke.add_argument("name")

    def handle(self, *args, **options) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        getattr(self, f"_{options['action']}")(user, options)

    def _create(self, user: User, options: dict) -> None:
        try:
            row, token = tokens.create_token(user, options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"API token {row.name!r} of {user.username} (shown once):")
        self.stdout.write(token)

    def _list(self, user: User, options: dict) -> None:
        for row in tokens.tokens_of(user):
            self.stdout.write(f"{row.name}\tcreated {row.created:%Y-%m-%d %H:%M}")

    def _revoke(self, user: User, options: dict) -> None:
        if not tokens.revoke(user, options["name"]):
            raise CommandError(f"{user.username} has no API token named {options['name']!r}.")
        self.stdout.write(f"Revoked {options['name']!r} of {user.username}.")
