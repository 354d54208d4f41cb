"""Page-numbered lists whose page size the client may choose (``size``), within bounds."""

from rest_framework.pagination import PageNumberPagination

from search.backends.base import MAX_PAGE_SIZE


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "size"
    max_page_size = MAX_PAGE_SIZE
