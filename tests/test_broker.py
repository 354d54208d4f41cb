"""The embedded default's filesystem broker: a producer and a consumer racing on one folder."""

import time
from queue import Empty
from threading import Thread

from kombu import Connection

from shelfmark.broker import Transport

MESSAGES = 200


def test_a_consumer_never_reads_a_message_still_being_written(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with Connection("filesystem://", transport=Transport, transport_options=options) as connection:
        producer, consumer = connection.channel(), connection.channel()
        payloads = [{"n": n, "text": "abstract " * 20_000} for n in range(MESSAGES)]  # about 180 kB each
        writer = Thread(target=lambda: [producer._put("ingest", p) for p in payloads])
        writer.start()
        received, deadline = [], time.monotonic() + 120
        while len(received) < MESSAGES and time.monotonic() < deadline:
            try:
                received.append(consumer._get("ingest")["n"])  # an empty or partial file would not decode
            except Empty:
                continue
        writer.join()
    assert sorted(received) == list(range(MESSAGES))
    assert list(tmp_path.iterdir()) == []
