"""manage.py create_user NAME --role reader|librarian|curator|admin [--password P]"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role, grant


class Command(BaseCommand):
    help = "Create a user with a role (or give an existing user that role); prints the password it sets."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=[role.group for role in Role])
        parser.add_argument("--password", help="default: a new random one, printed")
        parser.add_argument("--email", default="")

    def handle(self, name: str, role: str, password: str | None, email: str, **options):
        if not name.strip():
            raise CommandError("the user name is empty")
        user, created = get_user_model().objects.get_or_create(username=name, defaults={"email": email})
        if created or password:
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
        grant(user, Role[role.upper()])
        what = "created" if created else "updated"
        self.stdout.write(f"{what} {name} ({role})" + (f", password {password}" if password else ""))
