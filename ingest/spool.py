"""A job's parsed records kept on disk, one JSON line each, so that storing can stop and resume at a
byte offset whatever the input's format (an archive, a PDF, XML cannot be entered midway)."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

from ingest.errors import RecordError
from ingest.types import ParsedRecord

Item = ParsedRecord | RecordError


class _Stopped(Exception):
    pass


def write_spool(items: Iterable[Item], path: Path, every: int, go_on: Callable[[], bool]) -> int | None:
    """Write the items to ``path`` and return how many there were.

    ``go_on()`` is asked every ``every`` items; when it says no, or parsing fails, writing stops
    and nothing is left behind (None is returned when told to stop).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    try:
        with open(path, "w", encoding="utf-8") as out:
            for item in items:
                out.write(_line(item))
                count += 1
                if count % every == 0 and not go_on():
                    raise _Stopped
    except _Stopped:
        path.unlink(missing_ok=True)
        return None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return count


def read_spool(path: Path, offset: int) -> Iterator[tuple[Item, int]]:
    """The items from byte ``offset`` on, each with the offset just after it."""
    with open(path, "rb") as spool:
        spool.seek(offset)
        while line := spool.readline():
            yield _item(json.loads(line)), spool.tell()


def _line(item: Item) -> str:
    if isinstance(item, RecordError):
        fields = {"file": item.file, "line": item.line, "field": item.field, "reason": item.reason}
        return json.dumps({"error": fields}, ensure_ascii=False) + "\n"
    return json.dumps({"record": asdict(item)}, ensure_ascii=False) + "\n"


def _item(data: dict) -> Item:
    if "error" in data:
        return RecordError(**data["error"])
    record = data["record"]
    warnings = tuple(tuple(warning) for warning in record.get("warnings", ()))  # spools of before have none
    return ParsedRecord(**{**record, "labels": tuple(record["labels"]), "warnings": warnings})
