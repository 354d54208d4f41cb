from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        # Ingestion sends the index step by name; register it in every process (eager mode too).
        from search import tasks  # noqa: F401
