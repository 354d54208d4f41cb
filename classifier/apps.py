from django.apps import AppConfig


class ClassifierConfig(AppConfig):
    name = "classifier"

    def ready(self) -> None:
        from celery.signals import worker_process_init

        from classifier.runtime import configure_worker_threads

        # After a worker forks a process: give its encoders that process's share of the cores.
        worker_process_init.connect(lambda **_: configure_worker_threads(), weak=False)
