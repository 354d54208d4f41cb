"""URLs: the librarians' web UI at /, the REST API under /api/, accounts, and Django's admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from web import account

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", account.login, name="login"),
    path("accounts/logout/", account.logout, name="logout"),
    path("accounts/token/", account.token, name="token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", include("web.urls")),
]

handler404 = "web.api.errors.not_found"
handler500 = "web.api.errors.server_error"
