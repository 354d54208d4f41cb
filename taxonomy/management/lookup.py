"""The taxonomy a management command names."""

from django.core.management.base import CommandError

from taxonomy.actions import find_taxonomy
from taxonomy.models import Taxonomy


def named_taxonomy(value: str) -> Taxonomy:
    """The taxonomy of that id, or the newest version of that name; CommandError if there is none."""
    found = find_taxonomy(value)
    if found is None:
        raise CommandError(f"no taxonomy with id or name {value!r}; import it with import_taxonomy")
    return found
