"""What benchmark processes share: peak resident memory of a process tree (from /proc), Django set-up."""

from pathlib import Path


def children(pid: int) -> list[int]:
    """Direct and indirect child processes of ``pid``; those that end while listed are left out."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:  # the thread or its process ended meanwhile
            continue
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


class PeakSampler:
    """Samples the peak RSS of some processes and all their descendants while a benchmark runs,
    so that a process replaced midway (WORKER_MAX_MEMORY_KB) keeps the peak it reached."""

    def __init__(self, roots: list[int], every_s: float = 0.25) -> None:
        import threading

        self.roots, self.every_s, self.peaks = roots, every_s, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def sample(self) -> None:
        for root in self.roots:
            for pid in [root, *children(root)]:
                try:
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), round(peak_rss_mib(pid), 1))
                except (FileNotFoundError, ProcessLookupError):  # it ended between the look and the read
                    continue

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.sample()
