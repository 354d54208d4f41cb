"""Poison tasks: a message that has killed INGEST_POISON_MAX_DEATHS worker processes is given up
before it runs (the counting itself, by a real worker's main process: tests/faults/test_poison_tasks.py)."""

import pytest
from celery.app.task import Context

from shelfmark.poison import DEATHS, KilledWorkers, give_up_poison


def test_a_message_is_given_up_once_it_has_killed_the_limit(settings):
    settings.INGEST_POISON_MAX_DEATHS = 2
    give_up_poison(Context())
    give_up_poison(Context({DEATHS: 1}))

    with pytest.raises(KilledWorkers, match=r"^killed 2 worker processes; given up$"):
        give_up_poison(Context({DEATHS: 2}))


def test_no_limit_gives_nothing_up(settings):
    settings.INGEST_POISON_MAX_DEATHS = 0
    give_up_poison(Context({DEATHS: 50}))
