"""manage.py create_token NAME: a new API token for the user (any earlier one stops working)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import rotate_token


class Command(BaseCommand):
    help = "Give a user a new API token for scripts and print it; the user's earlier token stops working."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, name: str, **options):
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no user {name!r}; create one with manage.py create_user")
        self.stdout.write(rotate_token(user))
