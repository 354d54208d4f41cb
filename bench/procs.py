"""Process measurements from /proc: peak resident memory of a process tree."""

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
