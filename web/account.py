"""Signing in and out, and the page where a user sees and rotates their API token."""

from django.contrib import messages
from django.contrib.auth import views as auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import Role
from accounts.tokens import rotate_token, token_of
from web.access import role_required

login = require_http_methods(["GET", "POST"])(
    auth.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)
)
logout = auth.LogoutView.as_view()  # POST only: a link or an image cannot sign anyone out


@require_http_methods(["GET", "POST"])
@role_required(Role.READER)
def token(request: HttpRequest) -> HttpResponse:
    """The user's API token for scripts; POST replaces it (the old one stops working)."""
    if not request.user.is_authenticated:  # anonymous readers have no token to show
        return redirect("login")
    if request.method == "POST":
        rotate_token(request.user)
        messages.success(request, "A new token replaces the old one; scripts using the old one must change.")
        return redirect("token")
    return render(request, "web/token.html", {"token": token_of(request.user)})
