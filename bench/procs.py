"""What benchmark processes share: peak resident memory of a process tree (from /proc), Django set-up."""

from pathlib import Path


def children(pid: int) -> list[int]:
    """Direct and indirect child processes of ``pid``."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        kids = (task / "children").read_text().split() if (task / "children").exists() else []
        for kid in map(int, kids):
            found += [kid, *children(kid)]
    return found


def peak_rss_mib(pid: int) -> float:
    """The peak resident set size (VmHWM) of one process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def setup_django() -> None:
    """Set Django up for a benchmark process: Shelfmark's settings, with a throwaway secret key and
    local hosts where the environment names none (a benchmark serves nobody)."""
    import os
    import secrets

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
    django.setup()
