"""Celery tasks of search."""

from celery import shared_task

from search import actions


@shared_task(name="search.index_documents", queue="index")
def index_documents(document_ids: list[int]) -> None:
    actions.index_documents(document_ids)
