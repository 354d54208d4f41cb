"""What every template may ask of the visitor: which role they hold and what they may do."""

from django.http import HttpRequest

from accounts.roles import Role, may, role_of


def access(request: HttpRequest) -> dict:
    """``role`` (None when signed out or without one) and ``can.read``, ``can.edit`` (a librarian's
    work), ``can.curate`` and ``can.administer``, so that pages show only the buttons one may use."""
    user = getattr(request, "user", None)
    return {
        "role": role_of(user),
        "can": {
            "read": may(user, Role.READER),
            "edit": may(user, Role.LIBRARIAN),
            "curate": may(user, Role.CURATOR),
            "administer": may(user, Role.ADMIN),
        },
    }
