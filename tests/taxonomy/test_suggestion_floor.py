"""A taxonomy's suggestion floor: shown, set and cleared by manage.py suggestion_floor, bad values refused."""

import io

import pytest
from django.core.management import CommandError, call_command

from taxonomy.models import Taxonomy

pytestmark = pytest.mark.django_db


def floor_command(*args: str) -> str:
    out = io.StringIO()
    call_command("suggestion_floor", *args, stdout=out)
    return out.getvalue().strip()


def test_a_taxonomy_takes_the_setting_until_it_has_a_floor_of_its_own(arxiv_taxonomy, settings):
    settings.CLASSIFIER_SUGGESTION_FLOOR = 0.15
    assert floor_command("arxiv") == "arxiv 1: suggestion floor 0.15 (CLASSIFIER_SUGGESTION_FLOOR)"
    assert floor_command(str(arxiv_taxonomy.pk), "0.36") == "arxiv 1: suggestion floor 0.36"
    assert Taxonomy.objects.get(pk=arxiv_taxonomy.pk).suggestion_floor == 0.36
    assert floor_command("arxiv", "default").endswith("0.15 (CLASSIFIER_SUGGESTION_FLOOR)")
    assert Taxonomy.objects.get(pk=arxiv_taxonomy.pk).suggestion_floor is None


@pytest.mark.parametrize("value", ["1", "1.5", "-0.1", "nan", "inf", "high"])
def test_a_floor_that_is_not_a_similarity_is_refused(arxiv_taxonomy, value):
    with pytest.raises(CommandError):
        floor_command("arxiv", value)
    assert Taxonomy.objects.get(pk=arxiv_taxonomy.pk).suggestion_floor is None


def test_an_unknown_taxonomy_is_named(db):
    with pytest.raises(CommandError, match="no taxonomy with id or name 'acm'"):
        floor_command("acm")
