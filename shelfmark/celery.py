"""The Celery app: settings come from Django's CELERY_* settings."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")

app = Celery("shelfmark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _prepare_worker_process(**_: object) -> None:
    """After fork: make the broker folder exist and pin torch to this process's share."""
    from classifier.runtime import configure_worker_threads

    configure_worker_threads()
