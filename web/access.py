"""Who may open each page and call each endpoint: nobody by default, a role per view and method.

Pages say it with ``@role_required(Role.X)``; API views with ``permission_classes = allow(...)``.
A visitor who is not signed in is sent to the login page (pages) or answered 401 (API); a user
without the role gets 403.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import Role, may


def role_required(role: Role) -> Callable[[Callable], Callable]:
    """A page view that only ``role`` (and the roles above it) may open."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if may(request.user, role):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied(f"this page is for the {role.group} role")

        guarded.required_role = role
        return guarded

    return decorate


class Nobody(BasePermission):
    """The default for every API view: one that names no roles is closed to all."""

    def has_permission(self, request, view) -> bool:
        return False


class RoleRule(BasePermission):
    """Reading (GET, HEAD, OPTIONS) needs ``read``, writing (the other methods) ``write``; None: nobody."""

    read: Role | None = None
    write: Role | None = None

    def has_permission(self, request, view) -> bool:
        if request.method not in view.allowed_methods:
            return True  # nothing to guard: the view answers 405
        needed = self.read if request.method in SAFE_METHODS else self.write
        return needed is not None and may(request.user, needed)


def allow(read: Role | None = None, write: Role | None = None) -> list[type[BasePermission]]:
    """The ``permission_classes`` of an API view that ``read`` may read and ``write`` may change."""
    name = f"Allow{read.name.title() if read else 'Nobody'}{write.name.title() if write else 'Nobody'}"
    return [type(name, (RoleRule,), {"read": read, "write": write})]


class Readers(RoleRule):
    """Readers (and the roles above) read, nobody writes: for views configured by dotted path."""

    read = Role.READER
