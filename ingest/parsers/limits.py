"""Size limits that keep hostile or broken inputs from exhausting memory or disk."""

from django.conf import settings

from ingest.errors import RecordError, SourceError

MIB = 1024 * 1024
RATIO_FLOOR_BYTES = MIB  # a compressed layer may always expand to this much, whatever its ratio
# What json, the spool, the templates and repr() go through recursively within Python's recursion
# limit (1,000), with room to spare.
NESTING_CEILING = 200


class LimitError(SourceError):
    """An input over a size or compression-ratio limit: it sinks the whole file, archives included."""


def max_member_bytes() -> int:
    """The most bytes held in memory at once: one PDF, one XML article, one line, entry or document."""
    return settings.INGEST_MAX_MEMBER_BYTES


def max_archive_bytes() -> int:
    """The most uncompressed bytes read out of one archive, nested members included."""
    return settings.INGEST_MAX_ARCHIVE_BYTES


def max_compression_ratio() -> int:
    """The most a compressed member or gzip layer may expand, as uncompressed bytes per compressed byte."""
    return settings.INGEST_MAX_COMPRESSION_RATIO


def expansion_limit(compressed_bytes: int) -> int:
    """The most bytes ``compressed_bytes`` of compressed data may decompress to."""
    return max(compressed_bytes * max_compression_ratio(), RATIO_FLOOR_BYTES)


class Budget:
    """Bytes left to read out of one archive; spending past it raises LimitError."""

    def __init__(self, archive: str, limit: int) -> None:
        self.archive, self.limit, self.spent = archive, limit, 0

    def spend(self, size: int, member: str | None = None) -> None:
        """Count ``size`` more bytes read (from ``member``); LimitError names it once over the limit."""
        self.spent += size
        if self.spent > self.limit:
            where = f"{self.archive}: member {member}" if member else self.archive
            raise LimitError(
                f"{where}: the archive expands to more than {self.limit} bytes (INGEST_MAX_ARCHIVE_BYTES; zip bomb?)"
            )


def max_nesting() -> int:
    """How deep a record may nest (JSON objects and arrays, metadata): the record itself is level 1.
    At most NESTING_CEILING, whatever the setting says."""
    return min(settings.INGEST_MAX_NESTING, NESTING_CEILING)


def too_deep(file: str, line: int, field: str) -> RecordError:
    """The error for a record, or its ``field``, nested deeper than INGEST_MAX_NESTING."""
    return RecordError(file, line, field, f"nested deeper than {max_nesting()} levels (INGEST_MAX_NESTING)")
