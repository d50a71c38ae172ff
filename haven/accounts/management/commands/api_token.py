"""`haven token USERNAME`: issue an API token (refused until two-factor is set up for roles
that require it)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from haven.accounts import actions
from haven.accounts.models import User


class Command(BaseCommand):
    help = "Issue a new API token for a user (replacing any earlier one)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}: check the spelling.")
        try:
            token = actions.issue_token(None, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(token.key)
