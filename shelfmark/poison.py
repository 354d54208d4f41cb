"""Poison tasks: a task whose worker process dies under it (past the memory cap in native code, say)
is counted in its own message, and failed for good once it has killed ``INGEST_POISON_MAX_DEATHS``.

With acks_late and reject_on_worker_lost, Celery hands such a message back to the broker as it was;
the next process takes it and dies in turn, forever. Instead, the worker's main process, which sees
its pool process die, sends the message again with one more death in a header and acknowledges the
one it held. The count travels with the message: it holds however many workers take turns at it, on
one machine or several, and across their restarts, and a copy the watchdog dispatched, or a live
duplicate, is not mistaken for a death. A process that starts a message which has killed the limit
fails it at once with ``KilledWorkers``, before the work runs; its error callback records that on
its batch, or on its job for a turn of parsing. Deaths nobody saw (the whole worker killed) are not
counted: the watchdog's dispatch limit (``INGEST_BATCH_MAX_DISPATCHES``) covers those.
"""

import logging

from billiard.einfo import ExceptionWithTraceback
from billiard.exceptions import WorkerLostError
from celery import Celery
from celery.app.task import Context
from celery.worker.request import Request
from celery.worker.state import task_ready
from django.conf import settings
from kombu.message import Message

logger = logging.getLogger(__name__)

DEATHS = "worker_deaths"  # message header: worker processes that died running this message
PROPERTIES = ("correlation_id", "reply_to", "priority")


class KilledWorkers(Exception):
    """A task given up because the worker processes that ran it died, ``deaths`` of them."""

    def __init__(self, deaths: int) -> None:
        self.deaths = deaths
        super().__init__(f"killed {deaths} worker process{'es' * (deaths != 1)}; given up")


def give_up_poison(request: Context) -> None:
    """Raise KilledWorkers if the task's message has killed ``INGEST_POISON_MAX_DEATHS`` processes."""
    deaths = int(request.get(DEATHS) or 0)
    if 0 < settings.INGEST_POISON_MAX_DEATHS <= deaths:
        raise KilledWorkers(deaths)


def send_again(app: Celery, message: Message, deaths: int) -> None:
    """Publish ``message`` once more to the queue it came from, as it was but for ``deaths``."""
    queue = app.amqp.queues[message.delivery_info["routing_key"]]
    properties = {name: message.properties[name] for name in PROPERTIES if message.properties.get(name)}
    with app.producer_or_acquire() as producer:
        producer.publish(
            message.body,
            exchange=queue.exchange,
            routing_key=queue.routing_key,
            declare=[queue],
            headers={**message.headers, DEATHS: deaths},
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            retry=True,
            retry_policy=app.conf.task_publish_retry_policy,
            **properties,
        )


class CountingRequest(Request):
    """A task's request in the worker's main process: when its pool process dies running it, the
    message goes back to the queue with the death counted."""

    def on_failure(self, exc_info, send_failed_event: bool = True, return_ok: bool = False) -> None:
        if self._died(exc_info) and self._count_death():
            return
        super().on_failure(exc_info, send_failed_event=send_failed_event, return_ok=return_ok)

    def _died(self, exc_info) -> bool:
        """Whether the pool process died running the task, for which Celery would hand it back."""
        error = exc_info.exception
        if isinstance(error, ExceptionWithTraceback):
            error = error.exc
        return isinstance(error, WorkerLostError) and self.task.acks_late and self.task.reject_on_worker_lost

    def _count_death(self) -> bool:
        """Send the message again with one more death and acknowledge this one; False (and the
        message handed back as it was) if it cannot be sent."""
        deaths = int(self.request_dict.get(DEATHS) or 0) + 1
        try:
            send_again(self.app, self.message, deaths)
        except Exception:  # the broker is away: Celery hands the message back, uncounted
            logger.exception("%s[%s] killed its worker process; could not count it", self.name, self.id)
            return False
        task_ready(self)
        self.acknowledge()
        logger.error("%s[%s] killed its worker process (%d so far); queued again", self.name, self.id, deaths)
        return True
