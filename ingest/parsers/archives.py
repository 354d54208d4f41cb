"""The members of ZIP and tar archives and of folders, with guards against zip bombs.

Directories, hidden files (a path part starting with ".") and macOS resource forks are skipped,
and so are links and devices in tar archives. An archive that is not a plain file on disk (gzip
compressed, or nested in another archive) is first copied to a temporary file, because ZIP and
tar readers need to seek; the copy is bounded by INGEST_MAX_ARCHIVE_BYTES.
"""

import os
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.errors import SourceError
from ingest.parsers.limits import Budget, LimitError, expansion_limit, max_archive_bytes
from ingest.parsers.opening import is_disk_file, spill

SKIPPED_PARTS = ("__MACOSX",)


@dataclass(frozen=True)
class Member:
    """One file in an archive or folder."""

    path: str  # inside the archive, "/"-separated
    size: int  # uncompressed, as the archive declares it
    compressed: int  # what it takes in the archive
    open: Callable[[], BinaryIO]


def is_skipped(path: str) -> bool:
    """Whether a member path is hidden or a resource fork rather than a document."""
    parts = [part for part in path.split("/") if part]
    return not parts or any(part.startswith(".") or part in SKIPPED_PARTS for part in parts)


@contextmanager
def archive_members(stream: BinaryIO, name: str, kind: str) -> Iterator[list[Member]]:
    """The members of a ZIP (``kind`` "zip") or tar archive, open while the context lasts.

    LimitError names the member at which the declared sizes pass INGEST_MAX_ARCHIVE_BYTES, or a
    member that claims to expand more than INGEST_MAX_COMPRESSION_RATIO."""
    with ExitStack() as stack:
        if not is_disk_file(stream):
            budget = Budget(name, max_archive_bytes())
            stream = stack.enter_context(spill(stream, lambda data: budget.spend(len(data))))
        if kind == "zip":
            members = _zip_members(stack.enter_context(zipfile.ZipFile(stream)), name)
        else:
            members = _tar_members(
                stack.enter_context(tarfile.open(fileobj=stream, mode="r:", errors="replace"))
            )
        _check_declared_sizes(members, name)
        yield members


def folder_members(folder: Path) -> list[Member]:
    """The files under a folder, sorted by path, hidden ones left out."""
    members = []
    for directory, subdirectories, files in os.walk(folder):
        subdirectories.sort()
        for file_name in sorted(files):
            path = Path(directory, file_name)
            relative = path.relative_to(folder).as_posix()
            if is_skipped(relative) or not path.is_file():
                continue
            size = path.stat().st_size
            members.append(Member(relative, size, size, lambda path=path: path.open("rb")))
    return members


def _zip_members(archive: zipfile.ZipFile, name: str) -> list[Member]:
    return [
        Member(
            info.filename,
            info.file_size,
            info.compress_size,
            lambda info=info: _open_zip(archive, info, name),
        )
        for info in archive.infolist()
        if not info.is_dir() and not is_skipped(info.filename)
    ]


def _open_zip(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> BinaryIO:
    try:
        return archive.open(info)
    except RuntimeError as error:  # zipfile's way to say "encrypted"
        raise SourceError(f"{name}:{info.filename}: encrypted member ({error})") from error
    except NotImplementedError as error:
        raise SourceError(f"{name}:{info.filename}: unsupported ZIP compression ({error})") from error


def _tar_members(archive: tarfile.TarFile) -> list[Member]:
    return [
        Member(info.name, info.size, info.size, lambda info=info: archive.extractfile(info))
        for info in archive.getmembers()
        if info.isfile() and not is_skipped(info.name)
    ]


def _check_declared_sizes(members: list[Member], name: str) -> None:
    declared = Budget(name, max_archive_bytes())
    for member in members:
        declared.spend(member.size, member.path)
        if member.size > expansion_limit(member.compressed):
            raise LimitError(
                f"{name}: member {member.path}: {member.compressed} bytes expand to {member.size} "
                "(over INGEST_MAX_COMPRESSION_RATIO; zip bomb?)"
            )
