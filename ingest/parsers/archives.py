"""The members of ZIP and tar archives and of folders, with guards against zip bombs.

Directories, hidden files (a path part starting with ".") and macOS resource forks are left out
quietly. Members that are not read for what they could do, a path that climbs out with ".." or
is absolute, a link, a device, are listed as skipped with the reason, for the caller to report.
An archive that is not a plain file on disk (gzip compressed, or nested in another archive) is
first copied to a temporary file, because ZIP and tar readers need to seek; the copy is bounded
by INGEST_MAX_ARCHIVE_BYTES.
"""

import os
import re
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from ingest.errors import SourceError
from ingest.parsers.limits import Budget, LimitError, expansion_limit, max_archive_bytes
from ingest.parsers.opening import is_disk_file, spill

SKIPPED_PARTS = ("__MACOSX",)
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Member:
    """One file in an archive or folder."""

    path: str  # inside the archive, "/"-separated
    size: int  # uncompressed, as the archive declares it
    compressed: int  # what it takes in the archive
    open: Callable[[], BinaryIO]


@dataclass(frozen=True)
class Skipped:
    """A member not read, and why."""

    path: str
    reason: str


def is_skipped(path: str) -> bool:
    """Whether a member path is hidden or a resource fork rather than a document ("./" is no part)."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return not parts or any(part.startswith(".") or part in SKIPPED_PARTS for part in parts)


def unsafe_path(path: str) -> str:
    """Why a member's path is not to be trusted ("" when it is): it is absolute, or climbs out with ".."."""
    normal = path.replace("\\", "/")
    if normal.startswith("/") or _DRIVE.match(normal):
        return "an absolute path"
    if ".." in normal.split("/"):
        return 'a path that climbs out of the archive ("..")'
    return ""


@contextmanager
def archive_members(stream: BinaryIO, name: str, kind: str) -> Iterator[tuple[list[Member], list[Skipped]]]:
    """The members of a ZIP (``kind`` "zip") or tar archive, open while the context lasts, and
    those skipped for what they could do.

    LimitError names the member at which the declared sizes pass INGEST_MAX_ARCHIVE_BYTES, or a
    member that claims to expand more than INGEST_MAX_COMPRESSION_RATIO."""
    with ExitStack() as stack:
        if not is_disk_file(stream):
            budget = Budget(name, max_archive_bytes())
            stream = stack.enter_context(spill(stream, lambda data: budget.spend(len(data))))
        if kind == "zip":
            members, skipped = _zip_members(stack.enter_context(zipfile.ZipFile(stream)), name)
        else:
            members, skipped = _tar_members(
                stack.enter_context(tarfile.open(fileobj=stream, mode="r:", errors="replace"))
            )
        _check_declared_sizes(members, name)
        yield members, skipped


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


def _zip_members(archive: zipfile.ZipFile, name: str) -> tuple[list[Member], list[Skipped]]:
    members, skipped = [], []
    for info in archive.infolist():
        if info.is_dir():
            continue
        if reason := unsafe_path(info.filename) or _not_a_file(info.external_attr >> 16):
            skipped.append(Skipped(info.filename, reason))
        elif not is_skipped(info.filename):
            opener = partial(_open_zip, archive, info, name)
            members.append(Member(info.filename, info.file_size, info.compress_size, opener))
    return members, skipped


def _not_a_file(mode: int) -> str:
    """Why a ZIP member whose Unix mode is ``mode`` is no plain file ("" when it is one; the mode is
    0 in archives made elsewhere)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "" if stat.S_IFMT(mode) in (0, stat.S_IFREG) else "not a regular file"


def _open_zip(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> BinaryIO:
    try:
        return archive.open(info)
    except RuntimeError as error:  # zipfile's way to say "encrypted"
        raise SourceError(f"{name}:{info.filename}: encrypted member ({error})") from error
    except NotImplementedError as error:
        raise SourceError(f"{name}:{info.filename}: unsupported ZIP compression ({error})") from error


def _tar_members(archive: tarfile.TarFile) -> tuple[list[Member], list[Skipped]]:
    members, skipped = [], []
    for info in archive.getmembers():
        if info.isdir():
            continue
        if reason := unsafe_path(info.name) or _tar_kind(info):
            skipped.append(Skipped(info.name, reason))
        elif not is_skipped(info.name):
            members.append(Member(info.name, info.size, info.size, partial(archive.extractfile, info)))
    return members, skipped


def _tar_kind(info: tarfile.TarInfo) -> str:
    """Why a tar member is no plain file ("" when it is one)."""
    if info.issym():
        return f"a symbolic link (to {info.linkname})"
    if info.islnk():
        return f"a hard link (to {info.linkname})"
    if info.isdev():
        return "a device or FIFO"
    return "" if info.isfile() else "not a regular file"


def _check_declared_sizes(members: list[Member], name: str) -> None:
    declared = Budget(name, max_archive_bytes())
    for member in members:
        declared.spend(member.size, member.path)
        if member.size > expansion_limit(member.compressed):
            raise LimitError(
                f"{name}: member {member.path}: {member.compressed} bytes expand to {member.size} "
                "(over INGEST_MAX_COMPRESSION_RATIO; zip bomb?)"
            )
