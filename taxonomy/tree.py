"""An in-memory view of a taxonomy's hierarchy, for validation, decoding and facets."""

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


@dataclass
class Tree:
    """Codes with their parents; answers ancestry questions without touching the database."""

    parents: dict[str, tuple[str, ...]]
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_taxonomy(cls, taxonomy) -> "Tree":
        """Load a stored taxonomy's hierarchy in two queries."""
        from taxonomy.models import Node

        nodes = list(Node.objects.filter(taxonomy=taxonomy).values("id", "code", "label", "description"))
        code_of = {n["id"]: n["code"] for n in nodes}
        parents: dict[str, list[str]] = {n["code"]: [] for n in nodes}
        links = Node.parents.through.objects.filter(from_node__taxonomy=taxonomy)
        for child_id, parent_id in links.values_list("from_node_id", "to_node_id"):
            parents[code_of[child_id]].append(code_of[parent_id])
        return cls(
            parents={code: tuple(sorted(p)) for code, p in parents.items()},
            labels={n["code"]: n["label"] for n in nodes},
            descriptions={n["code"]: n["description"] for n in nodes},
        )

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {code: [] for code in self.parents}
        for code, parents in self.parents.items():
            for parent in parents:
                kids[parent].append(code)
        return {code: tuple(k) for code, k in kids.items()}

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return tuple(code for code, parents in self.parents.items() if not parents)

    @cached_property
    def leaves(self) -> tuple[str, ...]:
        return tuple(code for code, kids in self.children.items() if not kids)

    @cached_property
    def topological_order(self) -> tuple[str, ...]:
        """Every code after all of its ancestors, on every path (not only the first parent's): walk
        it forwards to go top-down, backwards to go bottom-up. ``ValueError`` on a cycle."""
        waiting = {code: len(parents) for code, parents in self.parents.items()}
        ready = [code for code, count in waiting.items() if not count]
        order: list[str] = []
        while ready:
            code = ready.pop()
            order.append(code)
            for child in self.children[code]:
                waiting[child] -= 1
                if not waiting[child]:
                    ready.append(child)
        if len(order) < len(self.parents):
            raise ValueError(f"not a DAG: a cycle through {self.find_cycle()}")
        return tuple(order)

    @cached_property
    def topological_position(self) -> dict[str, int]:
        """Each code's place in ``topological_order``: higher than every ancestor's."""
        return {code: i for i, code in enumerate(self.topological_order)}

    def consistent(self, codes: Sequence[str], scores: np.ndarray) -> np.ndarray:
        """``scores`` (documents × ``codes``) with every node raised to its best descendant's, so no
        score rises going down any path. Bottom-up in topological order, so a node with several
        parents has its final score before it passes it on; ``codes`` must hold every ancestor of
        each of them."""
        column = {code: i for i, code in enumerate(codes)}
        result = np.array(scores, copy=True)
        for code in reversed(self.topological_order):
            if code in column:
                for parent in self.parents[code]:
                    target = result[:, column[parent]]
                    np.maximum(target, result[:, column[code]], out=target)
        return result

    def specific_first(self, codes: Iterable[str]) -> list[str]:
        """The codes in the order given, except that each comes after every one of its descendants
        among them: a reader meets the most specific subjects first, the broader ones after."""
        given = list(dict.fromkeys(codes))
        place = {code: i for i, code in enumerate(given)}
        above = {code: self.ancestors(code) & place.keys() for code in given}
        below = Counter(ancestor for code in given for ancestor in above[code])
        ready = [place[code] for code in given if not below[code]]
        heapq.heapify(ready)
        result: list[str] = []
        while ready:
            code = given[heapq.heappop(ready)]
            result.append(code)
            for ancestor in above[code]:
                below[ancestor] -= 1
                if not below[ancestor]:
                    heapq.heappush(ready, place[ancestor])
        return result

    def ancestors(self, code: str) -> set[str]:
        """Every node above ``code`` on any path to a root (not ``code`` itself)."""
        seen: set[str] = set()
        stack = list(self.parents[code])
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(self.parents[parent])
        return seen

    def descendants(self, code: str) -> set[str]:
        """Every node below ``code`` on any path (not ``code`` itself)."""
        seen: set[str] = set()
        stack = list(self.children[code])
        while stack:
            child = stack.pop()
            if child not in seen:
                seen.add(child)
                stack.extend(self.children[child])
        return seen

    def closure(self, codes: Iterable[str]) -> set[str]:
        """The codes together with all their ancestors."""
        result: set[str] = set()
        for code in codes:
            result.add(code)
            result |= self.ancestors(code)
        return result

    def first_path(self, code: str) -> list[str]:
        """Codes from a root down to ``code``, following each node's first parent."""
        path = [code]
        while self.parents[path[0]]:
            path.insert(0, self.parents[path[0]][0])
        return path

    def depth(self, code: str) -> int:
        return len(self.first_path(code)) - 1

    def find_cycle(self) -> list[str] | None:
        """A list of codes forming a cycle, or None when the graph is acyclic."""
        state: dict[str, int] = {}  # 1: on the stack, 2: done
        for start in self.parents:
            if start in state:
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            trail: list[str] = []
            while stack:
                code, index = stack.pop()
                if index == 0:
                    if state.get(code) == 1:
                        return trail[trail.index(code) :] + [code]
                    if state.get(code) == 2:
                        continue
                    state[code] = 1
                    trail.append(code)
                parents = self.parents[code]
                if index < len(parents):
                    stack.append((code, index + 1))
                    stack.append((parents[index], 0))
                else:
                    state[code] = 2
                    trail.pop()
        return None
