"""Search engines behind a lazy registry: the Elasticsearch client is imported only when used."""

from collections.abc import Callable
from functools import cache
from importlib import import_module

from django.conf import settings

from search.backends.base import SearchBackend


def _embedded() -> SearchBackend:
    module = import_module("search.backends.embedded")
    return module.EmbeddedBackend(settings.SEARCH_EMBEDDED_PATH)


def _elasticsearch() -> SearchBackend:
    module = import_module("search.backends.elasticsearch")
    return module.ElasticsearchBackend(settings.ELASTICSEARCH_URL, settings.SEARCH_INDEX)


BACKENDS: dict[str, Callable[[], SearchBackend]] = {
    "embedded": _embedded,
    "elasticsearch": _elasticsearch,
}


@cache
def _backend(name: str) -> SearchBackend:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"unknown search backend {name!r}; known: {', '.join(BACKENDS)}") from None


def get_backend() -> SearchBackend:
    """The configured search backend (``SEARCH_BACKEND``), one per process."""
    return _backend(settings.SEARCH_BACKEND)
