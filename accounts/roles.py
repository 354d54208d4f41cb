"""Who may do what: four roles, each a Django group, each allowed all that the roles below it are.

- reader: browse, search, read documents and explanations;
- librarian: upload, review, correct, delete documents and corpora, reclassify;
- curator: taxonomies and models (list, activate, train);
- admin: users, through Django's admin (a superuser is an admin).

Anonymous visitors read only where ``SHELFMARK_ANONYMOUS_READ`` is on.
"""

from enum import IntEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser


class Role(IntEnum):
    READER = 1
    LIBRARIAN = 2
    CURATOR = 3
    ADMIN = 4

    @property
    def group(self) -> str:
        """The name of the role's group."""
        return self.name.lower()


def role_of(user: User | None) -> Role | None:
    """The highest role the user holds; None for an anonymous visitor or a user without a role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    if not hasattr(user, "_shelfmark_role"):  # asked often in a request: one query per user object
        names = set(user.groups.values_list("name", flat=True))
        user._shelfmark_role = max((role for role in Role if role.group in names), default=None)
    return user._shelfmark_role


def may(user: User | None, role: Role) -> bool:
    """Whether the user may do what ``role`` may; anonymous visitors may read when the setting says so."""
    held = role_of(user)
    if held is None:
        return role == Role.READER and settings.SHELFMARK_ANONYMOUS_READ
    return held >= role


def grant(user: AbstractBaseUser, role: Role) -> None:
    """Give the user exactly ``role`` (admin also makes them staff, for Django's admin)."""
    from django.contrib.auth.models import Group

    user.groups.set([Group.objects.get_or_create(name=role.group)[0]])
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_shelfmark_role", None)
