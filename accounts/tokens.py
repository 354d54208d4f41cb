"""API tokens for scripts: one per user (DRF's ``authtoken``), replaced whole when rotated."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token


def rotate_token(user: AbstractBaseUser) -> str:
    """A new token for the user; the old one, if any, stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user).key


def token_of(user: AbstractBaseUser) -> str | None:
    """The user's current token, if they have one."""
    return Token.objects.filter(user=user).values_list("key", flat=True).first()
