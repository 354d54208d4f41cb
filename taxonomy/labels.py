"""Resolve subject labels found in input files to node codes of a taxonomy."""

from dataclasses import dataclass, field

from taxonomy.tree import Tree

PATH_SEPARATOR = "/"


@dataclass
class LabelResolver:
    """Maps a label to a node code: by code, by the path of labels from a root, or by a unique label."""

    tree: Tree
    _by_path: dict[str, str] = field(init=False, repr=False)
    _by_label: dict[str, str | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {}
        self._by_label = {}
        for code in self.tree.parents:
            path = PATH_SEPARATOR.join(self.tree.labels[c] for c in self.tree.first_path(code))
            self._by_path[path.casefold()] = code
            label = self.tree.labels[code].casefold()
            self._by_label[label] = None if label in self._by_label else code  # None: ambiguous

    def resolve(self, label: str) -> str | None:
        """The code that ``label`` names, or None when it names no node (or several)."""
        label = label.strip()
        if label in self.tree.parents:
            return label
        folded = label.casefold()
        return self._by_path.get(folded) or self._by_label.get(folded)
