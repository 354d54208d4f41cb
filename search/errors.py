"""Errors of search, for the pages and the API to turn into messages."""


class QueryError(ValueError):
    """A search the engines will not run: which parameter is at fault, and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class OutdatedIndex(RuntimeError):
    """The index was built by an older Shelfmark and lacks a field searches need: ``manage.py reindex``."""
