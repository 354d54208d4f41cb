"""Search engines behind a lazy registry: the Elasticsearch client is imported only when used."""

from functools import cache
from importlib import import_module

from django.conf import settings

from search.backends.base import SearchBackend

# name -> (module, class, the settings the class is built from)
BACKENDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "embedded": ("search.backends.embedded", "EmbeddedBackend", ("SEARCH_EMBEDDED_PATH",)),
    "elasticsearch": (
        "search.backends.elasticsearch",
        "ElasticsearchBackend",
        ("ELASTICSEARCH_URL", "SEARCH_INDEX"),
    ),
}


@cache
def _backend(name: str, arguments: tuple) -> SearchBackend:
    module, cls, _ = BACKENDS[name]
    return getattr(import_module(module), cls)(*arguments)


def get_backend() -> SearchBackend:
    """The configured search backend (``SEARCH_BACKEND``), one per process and set of settings."""
    name = settings.SEARCH_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"unknown search backend {name!r}; known: {', '.join(BACKENDS)}")
    return _backend(name, tuple(getattr(settings, s) for s in BACKENDS[name][2]))
