"""Celery tasks of search."""

from search import actions
from shelfmark.celery import pipeline_task


@pipeline_task("search.index_documents", queue="index")
def index_documents(document_ids: list[int]) -> None:
    actions.index_documents(document_ids)
