"""Read taxonomy files into plain node rows."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from taxonomy.errors import TaxonomyError

PARENT_SEPARATOR = "|"


@dataclass(frozen=True)
class NodeRow:
    """One node as read from a file; ``parents`` may hold several codes (polyhierarchy)."""

    row: int
    code: str
    parents: tuple[str, ...]
    label: str
    description: str = ""


def read_nodes_csv(path: Path) -> Iterator[NodeRow]:
    """Yield the rows of a ``code,parent,label,description`` CSV (several parents split by "|")."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "parent", "label"} - set(reader.fieldnames or ())
        if missing:
            raise TaxonomyError(path.name, 1, f"missing column(s): {', '.join(sorted(missing))}")
        for row_number, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            if not code:
                raise TaxonomyError(path.name, row_number, "empty code")
            parents = tuple(p.strip() for p in (row["parent"] or "").split(PARENT_SEPARATOR) if p.strip())
            yield NodeRow(
                row=row_number,
                code=code,
                parents=parents,
                label=(row["label"] or "").strip() or code,
                description=(row.get("description") or "").strip(),
            )
