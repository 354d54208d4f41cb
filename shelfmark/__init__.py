"""Shelfmark: classify academic documents into a subject taxonomy, then browse and search them."""

from shelfmark.celery import app as celery_app

__all__ = ["celery_app"]
