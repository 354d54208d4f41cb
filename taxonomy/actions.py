"""Actions on taxonomies: the only place that writes them."""

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from taxonomy.errors import TaxonomyError
from taxonomy.models import Node, Taxonomy
from taxonomy.readers import NodeRow, read_nodes
from taxonomy.tree import Tree


def validate_rows(rows: Iterable[NodeRow], file: str) -> tuple[list[NodeRow], Tree]:
    """Check codes are unique, parents exist and there is no cycle; return rows and their tree."""
    rows = list(rows)
    by_code: dict[str, NodeRow] = {}
    for row in rows:
        if row.code in by_code:
            raise TaxonomyError(
                file, row.row, f"duplicate code {row.code!r} (first on row {by_code[row.code].row})"
            )
        by_code[row.code] = row
    for row in rows:
        for parent in row.parents:
            if parent not in by_code:
                raise TaxonomyError(file, row.row, f"unknown parent {parent!r} of {row.code!r}")
    tree = Tree(
        parents={r.code: r.parents for r in rows},
        labels={r.code: r.label for r in rows},
        descriptions={r.code: r.description for r in rows},
    )
    cycle = tree.find_cycle()
    if cycle:
        raise TaxonomyError(file, by_code[cycle[0]].row, "cycle: " + " -> ".join(cycle))
    if not rows:
        raise TaxonomyError(file, 1, "no nodes")
    return rows, tree


@transaction.atomic
def import_taxonomy(path: Path, name: str, version: str = "1") -> Taxonomy:
    """Import a taxonomy file (nodes CSV or nested JSON) as a new version; nothing is written if any row is bad."""
    path = Path(path)
    rows, tree = validate_rows(read_nodes(path), path.name)
    if Taxonomy.objects.filter(name=name, version=version).exists():
        raise TaxonomyError(path.name, 1, f"taxonomy {name!r} version {version!r} exists already")
    taxonomy = Taxonomy.objects.create(name=name, version=version, source=path.name)
    nodes = Node.objects.bulk_create(
        Node(
            taxonomy=taxonomy,
            code=row.code,
            label=row.label,
            description=row.description,
            depth=tree.depth(row.code),
            path="/".join(tree.first_path(row.code)),
        )
        for row in rows
    )
    id_of = {node.code: node.id for node in nodes}
    Node.parents.through.objects.bulk_create(
        Node.parents.through(from_node_id=id_of[row.code], to_node_id=id_of[parent])
        for row in rows
        for parent in row.parents
    )
    return taxonomy


def find_taxonomy(value: str) -> Taxonomy | None:
    """A taxonomy by id, or by name (its most recent version); None if there is none."""
    value = value.strip()
    found = Taxonomy.objects.filter(pk=int(value)) if value.isdigit() else Taxonomy.objects.none()
    found = found or Taxonomy.objects.filter(name=value).order_by("-created", "-pk")
    return found.first()


def set_suggestion_floor(taxonomy: Taxonomy, floor: float | None) -> None:
    """Set the least similarity a zero-shot subject of the taxonomy needs to be stored, from 0 up to
    1; None goes back to ``CLASSIFIER_SUGGESTION_FLOOR``. Subjects already stored stay as they are."""
    if floor is not None and not 0.0 <= floor < 1.0:
        raise ValueError(f"a suggestion floor is a similarity from 0 up to 1, not {floor}")
    taxonomy.suggestion_floor = floor
    taxonomy.save(update_fields=["suggestion_floor"])
