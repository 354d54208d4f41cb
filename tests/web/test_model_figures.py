"""The model a user meets, made visible: the home page names the model each taxonomy classifies with and
its figures with what they are, a document page the model that gave its subjects, and the active
model's reliability curve is one click from home."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from classifier.models import ClassifierModel
from taxonomy.actions import import_taxonomy
from tests.classifier.test_model_figures import METRICS, OLD_METRICS
from tests.conftest import ARXIV_NODES

pytestmark = pytest.mark.django_db
ZERO_SHOT = (
    "zero-shot, an untrained model: its scores are cosine similarities, not probabilities, "
    "and it has no validation figures"
)


def trained_model(taxonomy, version: str = "hybrid/arxiv@1/figures", metrics=METRICS, active=True):
    return ClassifierModel.objects.create(
        taxonomy=taxonomy, version=version, kind="hybrid", path="x", metrics=metrics, is_active=active
    )


def words(markup: str) -> str:
    """Markup as a visitor reads it: tags dropped, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def models_card(client) -> str:
    page = client.get("/").content.decode()
    return re.search(r'aria-labelledby="models-title">(.*?)</section>', page, re.S).group(1)


def test_home_names_each_taxonomys_model_its_figures_with_what_they_are_and_when_trained(
    client, arxiv_taxonomy
):
    other = import_taxonomy(ARXIV_NODES, name="arxiv-untrained")
    record = trained_model(arxiv_taxonomy)
    card = models_card(client)
    said = words(card)
    assert (
        f"Model hybrid/arxiv@1/figures, trained {record.created:%Y-%m-%d %H:%M} UTC. "
        f"Validation: {METRICS['data']}; 5,687 documents. "
        "On leaves: P@1 0.883, micro-F1 0.707, macro-F1 0.401, ECE 0.064. "
        "With ancestors: P@1 0.914, micro-F1 0.805, macro-F1 0.500, ECE 0.064."
    ) in said
    assert f'href="/taxonomies/{arxiv_taxonomy.pk}/reliability/">reliability</a>' in card
    assert f"arxiv-untrained v{other.version} Model: {ZERO_SHOT}." in said
    assert f"/taxonomies/{other.pk}/reliability/" not in card, "zero-shot has no curve to show"


def test_home_says_what_it_does_not_know_of_a_model_saved_before_figures_said_what_they_are(
    client, arxiv_taxonomy
):
    trained_model(arxiv_taxonomy, metrics=OLD_METRICS)
    said = words(models_card(client))
    assert (
        "Validation: data unknown; 5,687 documents. Space unknown: P@1 0.914, micro-F1 0.805, "
        "macro-F1 0.400, ECE 0.050."
    ) in said


def test_the_home_page_costs_the_same_queries_for_one_taxonomy_as_for_several(client, arxiv_taxonomy):
    trained_model(arxiv_taxonomy)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(3):
        taxonomy = import_taxonomy(ARXIV_NODES, name=f"arxiv-{n}")
        if n % 2:
            trained_model(taxonomy, version=f"hybrid/arxiv-{n}@1/figures")
    assert queries() == one


def test_the_reliability_page_draws_the_active_models_stored_bins(client, arxiv_taxonomy):
    trained_model(arxiv_taxonomy, version="hybrid/arxiv@1/inactive", metrics={}, active=False)
    trained_model(arxiv_taxonomy)
    page = client.get(f"/taxonomies/{arxiv_taxonomy.pk}/reliability/").content.decode()
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)
    assert [float(v) for x, y, _ in dots for v in (x, y)] == pytest.approx(
        [v for p, observed, _ in METRICS["reliability"] for v in (48 + 300 * p, 48 + 300 * (1 - observed))]
    ), "predicted probability along x, observed frequency up y, on a 300-unit plot"
    radii = [float(r) for *_, r in dots]
    assert radii == sorted(radii, reverse=True), "the more subjects a bin holds, the larger its dot"
    assert "predicted 0.850, observed 0.800, 400 subjects" in svg
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", page, re.S).group(1)
    assert "hybrid/arxiv@1/figures" in caption and "on leaves" in caption and "5,687 documents" in caption
    assert "ECE 0.064" in caption
    assert page.count('<td class="num">') == 3 * len(METRICS["reliability"])


def test_the_reliability_page_says_why_there_is_no_curve(client, arxiv_taxonomy):
    url = f"/taxonomies/{arxiv_taxonomy.pk}/reliability/"
    assert "a zero-shot model's scores are similarities, not probabilities" in words(
        client.get(url).content.decode()
    )
    record = trained_model(arxiv_taxonomy, metrics=OLD_METRICS)
    page = words(client.get(url).content.decode())
    assert record.version in page and "saved before reliability bins were stored" in page
    assert "<svg" not in client.get(url).content.decode()


def test_the_reliability_page_is_for_readers_and_up(arxiv_taxonomy, user_with):
    trained_model(arxiv_taxonomy)
    url = f"/taxonomies/{arxiv_taxonomy.pk}/reliability/"
    assert Client().get(url).status_code == 302, "a visitor who is not signed in signs in first"
    reader = Client()
    reader.force_login(user_with(Role.READER))
    assert "<svg" in reader.get(url).content.decode()
    assert reader.get("/taxonomies/0/reliability/").status_code == 404


@pytest.mark.slow
def test_a_document_page_names_the_model_that_gave_its_subjects(client, library):
    document = library.placed[0]
    subjects = re.compile(r'aria-labelledby="subjects-title">(.*?)</section>', re.S)

    def said() -> str:
        section = subjects.search(client.get(f"/documents/{document.pk}/").content.decode()).group(1)
        return words(section)

    version = document.classifications.values_list("model_version", flat=True).first()
    assert version.startswith("zeroshot/")
    assert f"Model {version}: {ZERO_SHOT}." in said()

    record = trained_model(library.taxonomy, version="hybrid/arxiv@1/gave-these", active=False)
    document.classifications.update(model_version=record.version, score_kind="probability")
    assert (
        f"Model hybrid/arxiv@1/gave-these, trained {record.created:%Y-%m-%d %H:%M} UTC "
        f"(not the active model now). Validation: {METRICS['data']}; 5,687 documents. "
        "On leaves: P@1 0.883, micro-F1 0.707, macro-F1 0.401, ECE 0.064. With ancestors: P@1 0.914"
    ) in said()

    record.delete()
    assert "Model hybrid/arxiv@1/gave-these: no longer registered, so its figures are unknown." in said()
