"""JSON for what DRF does not answer itself: unknown paths under /api/ and server errors there."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON under /api/, the page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": f"no such endpoint or object: {request.path}"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON under /api/ (nothing of the error is shown; it is logged), the page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "server error"}, status=500)
    return defaults.server_error(request)
