"""Taxonomy import: real taxonomies in, bad files rejected whole with the row at fault."""

import gzip
import json

import pytest

from taxonomy.actions import import_taxonomy
from taxonomy.errors import TaxonomyError
from taxonomy.labels import LabelResolver
from taxonomy.models import Node, Taxonomy
from taxonomy.tree import Tree
from tests.conftest import ARXIV_NODES, SHARED_DATA

TAXONOMY4CL = SHARED_DATA / "taxonomies" / "taxonomy4cl-v1.0.1.json"
FORC4CL_VAL = SHARED_DATA / "corpora" / "forc4cl-val.jsonl.gz"


@pytest.mark.django_db
def test_arxiv_nodes_import_with_depths_and_paths():
    taxonomy = import_taxonomy(ARXIV_NODES, name="arxiv")
    assert taxonomy.nodes.count() == 166
    solar = Node.objects.get(taxonomy=taxonomy, code="astro-ph.SR")
    assert (solar.depth, solar.path) == (2, "physics/astro-ph/astro-ph.SR")
    assert list(solar.parents.values_list("code", flat=True)) == ["astro-ph"]
    tree = Tree.from_taxonomy(taxonomy)
    assert set(tree.roots) == {"cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"}
    assert len(tree.leaves) == 155


@pytest.mark.django_db
def test_taxonomy4cl_json_imports_and_resolves_every_forc4cl_label():
    taxonomy = import_taxonomy(TAXONOMY4CL, name="taxonomy4cl")
    assert taxonomy.nodes.count() == 46 + 109 + 26
    resolver = LabelResolver(Tree.from_taxonomy(taxonomy))
    with gzip.open(FORC4CL_VAL, "rt") as lines:
        labels = {label for line in lines for label in json.loads(line)["labels"]}
    assert labels and all(resolver.resolve(label) == label for label in labels)


def write_csv(tmp_path, rows):
    path = tmp_path / "nodes.csv"
    path.write_text("code,parent,label,description\n" + "".join(f"{r}\n" for r in rows))
    return path


@pytest.mark.django_db
def test_several_parents_make_a_polyhierarchy(tmp_path):
    path = write_csv(
        tmp_path, ["ai,,AI,", "stats,,Statistics,", "ml,ai|stats,Machine learning,", "dl,ml,Deep learning,"]
    )
    tree = Tree.from_taxonomy(import_taxonomy(path, name="poly"))
    assert tree.parents["ml"] == ("ai", "stats")
    assert tree.ancestors("dl") == {"ml", "ai", "stats"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "row", "reason"),
    [
        (["a,,A,", "b,zz,B,"], 3, "unknown parent 'zz'"),
        (["a,,A,", "b,a,B,", "a,b,Again,"], 4, "duplicate code 'a'"),
        (["a,,A,", "b,c,B,", "c,b,C,"], 3, "cycle"),
        (["a,,A,", ",a,Nameless,"], 3, "empty code"),
    ],
)
def test_bad_rows_are_rejected_with_their_row_and_nothing_is_written(tmp_path, rows, row, reason):
    with pytest.raises(TaxonomyError) as error:
        import_taxonomy(write_csv(tmp_path, rows), name="bad")
    assert error.value.row == row and reason in error.value.reason
    assert not Taxonomy.objects.exists() and not Node.objects.exists()


@pytest.mark.django_db
def test_the_same_name_and_version_twice_is_refused():
    import_taxonomy(ARXIV_NODES, name="arxiv")
    with pytest.raises(TaxonomyError, match="exists already"):
        import_taxonomy(ARXIV_NODES, name="arxiv")
    assert import_taxonomy(ARXIV_NODES, name="arxiv", version="2").nodes.count() == 166
