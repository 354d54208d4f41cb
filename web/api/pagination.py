"""Page-numbered lists whose page size the client may choose (``size``), within bounds."""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from search.backends.base import MAX_PAGE_SIZE
from web.api.serializers import page_size_field


class Pagination(PageNumberPagination):
    """A ``page`` that is not one of the list's, or a ``size`` out of 1..MAX_PAGE_SIZE, answers 400
    naming the parameter (DRF would answer 404, or quietly take another size)."""

    page_size = 20
    page_size_query_param = "size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        size = request.query_params.get(self.page_size_query_param)
        if size is None:
            return self.page_size
        try:
            return page_size_field().run_validation(size)
        except ValidationError as error:
            raise ValidationError({self.page_size_query_param: error.detail}) from error

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ValidationError({self.page_query_param: [error.detail]}) from error
