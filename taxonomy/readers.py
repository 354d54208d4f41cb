"""Read taxonomy files into plain node rows."""

import csv
import json
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


def read_nested_json(path: Path) -> Iterator[NodeRow]:
    """Yield the nodes of a ``{"name", "children": [...]}`` tree (as Taxonomy4CL ships).

    The top object names the taxonomy itself, so its children are the roots. A node's code is
    its path of names joined by "/", which is how labelled corpora name such subjects.
    """
    try:
        top = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TaxonomyError(path.name, 1, f"not a JSON tree: {error}") from error
    if not isinstance(top, dict) or not isinstance(top.get("children"), list):
        raise TaxonomyError(path.name, 1, 'expected an object with a "children" list')
    entry = 0
    stack: list[tuple[dict, str | None]] = [(child, None) for child in reversed(top["children"])]
    while stack:
        node, parent = stack.pop()
        entry += 1
        name = node.get("name") if isinstance(node, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise TaxonomyError(path.name, entry, "a node without a name")
        code = f"{parent}/{name.strip()}" if parent else name.strip()
        yield NodeRow(
            row=entry,
            code=code,
            parents=(parent,) if parent else (),
            label=name.strip(),
            description=str(node.get("description") or ""),
        )
        stack.extend((child, code) for child in reversed(node.get("children") or []))


READERS = {".csv": read_nodes_csv, ".json": read_nested_json}


def read_nodes(path: Path) -> Iterator[NodeRow]:
    """Yield the nodes of a taxonomy file, read according to its extension."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise TaxonomyError(
            path.name, 1, f"unknown taxonomy format {path.suffix!r}; known: {', '.join(READERS)}"
        )
    return reader(path)
