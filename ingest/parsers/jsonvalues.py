"""JSON values with their nesting bounded: built from ijson's events as they stream, and refused
as soon as a container opens deeper than the limit, before the deep part is built."""

import json
from collections.abc import Iterator
from typing import BinaryIO

import ijson
from ijson.common import ObjectBuilder

Event = tuple[str, object]  # ijson.basic_parse's (event, value)
OPENING = ("start_map", "start_array")
CLOSING = ("end_map", "end_array")
EVENT_BUFFER_BYTES = 16 * 1024  # ijson lists a buffer's events at once: "[[[[" gives one a byte


class TooDeep(Exception):
    """A value nested deeper than the limit. ``key`` is the field of the outer object it was under
    ("" when the value is no object); ``depth`` is how deep the events stand where building stopped."""

    def __init__(self, key: str, depth: int) -> None:
        super().__init__(key, depth)
        self.key, self.depth = key, depth


def json_events(data: BinaryIO | bytes) -> Iterator[Event]:
    """ijson's events of a JSON text, numbers as int or float."""
    return ijson.basic_parse(data, buf_size=EVENT_BUFFER_BYTES, use_float=True)


def build_value(events: Iterator[Event], limit: int) -> object:
    """The value whose events come next, built as they stream; TooDeep as soon as a container opens
    deeper than ``limit`` (the events then stand inside it: see ``skip_value``)."""
    builder = ObjectBuilder()
    depth, key = 0, ""
    for event, value in events:
        if event in OPENING:
            depth += 1
            if depth > limit:
                raise TooDeep(key, depth)
        elif event in CLOSING:
            depth -= 1
        elif event == "map_key" and depth == 1:
            key = str(value)
        builder.event(event, value)
        if depth == 0:
            return builder.value
    raise ijson.IncompleteJSONError("premature end of the JSON value")


def skip_value(events: Iterator[Event], depth: int) -> None:
    """Pass over the rest of a value whose events stand ``depth`` containers deep, building nothing."""
    for event, _ in events:
        if event in OPENING:
            depth += 1
        elif event in CLOSING:
            depth -= 1
            if depth == 0:
                return


def loads_bounded(text: str, limit: int) -> object:
    """One JSON value from ``text`` (a line), TooDeep when it nests deeper than ``limit``.

    A text with at most ``limit`` brackets cannot nest deeper, and goes to ``json.loads``; one with
    more is built from its events, so a deep one is refused before its depth is built."""
    if text.count("{") + text.count("[") <= limit:
        return json.loads(text)
    events = json_events(text.encode("utf-8", "surrogateescape"))
    value = build_value(events, limit)
    for _ in events:  # ijson raises on anything after the value
        pass
    return value


def error_reason(error: ijson.JSONError) -> str:
    """The first line of ijson's message (the rest points at the spot with a drawing)."""
    message = error.args[0] if error.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    return str(message).strip().splitlines()[0] if str(message).strip() else type(error).__name__
