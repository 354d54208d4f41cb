"""How busy the machine was while a benchmark ran: load averages, CPU time other processes took, steal.

    with Watch() as load:
        ...  # the benchmark, its child processes included
    report |= load.report()
    load.refuse_if_busy(busy_ok, out)

The CPU time of the whole machine comes from /proc/stat; the benchmark's own is that of this
process and its descendants (waited-for ones from ``getrusage``, live ones from /proc/PID/stat).
The difference is what other processes took, steal included, which is also given apart.
"""

import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from procs import children

# Above a tenth of one core on average, other processes (or other guests of the hypervisor, as
# steal) took enough of a 2-core machine to move a throughput by several percent: the run is busy.
OTHERS_CORES_MAX = 0.10
STEAL_CORES_MAX = 0.10
TICK_S = 1 / os.sysconf("SC_CLK_TCK")
BUSY_FIELDS = (0, 1, 2, 5, 6, 7)  # user, nice, system, irq, softirq, steal in /proc/stat's cpu line
STEAL_FIELD = 7


@dataclass(frozen=True)
class Reading:
    at: float
    loadavg: tuple[float, float, float]
    machine_s: float
    steal_s: float
    own_s: float


def own_cpu_s() -> float:
    """CPU seconds used so far by this process and its descendants, ended or alive."""
    used = sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    for pid in children(os.getpid()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # it ended after it was listed
            continue
        used += sum(map(int, fields[11:15])) * TICK_S  # utime, stime, and those of its ended children
    return used


def read() -> Reading:
    """The machine's load averages and CPU time, and the benchmark's own CPU time, now."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    loadavg = tuple(float(value) for value in Path("/proc/loadavg").read_text().split()[:3])
    return Reading(
        at=time.monotonic(),
        loadavg=loadavg,
        machine_s=sum(ticks[i] for i in BUSY_FIELDS) * TICK_S,
        steal_s=ticks[STEAL_FIELD] * TICK_S,
        own_s=own_cpu_s(),
    )


def busy_reason(others_cores: float, steal_cores: float) -> str:
    """Why the machine counts as busy, or "" if it was quiet."""
    reasons = []
    if others_cores > OTHERS_CORES_MAX:
        reasons.append(
            f"other processes took {others_cores:.2f} of a core on average (limit {OTHERS_CORES_MAX})"
        )
    if steal_cores > STEAL_CORES_MAX:
        reasons.append(f"steal took {steal_cores:.2f} of a core on average (limit {STEAL_CORES_MAX})")
    return "; ".join(reasons)


class Watch:
    """The machine's load over a ``with`` block; ``figures`` and ``reason`` are set when it ends."""

    def __enter__(self) -> "Watch":
        self.start = read()
        return self

    def __exit__(self, *exc: object) -> None:
        end = read()
        seconds = end.at - self.start.at
        others_s = (end.machine_s - self.start.machine_s) - (end.own_s - self.start.own_s)
        steal_s = end.steal_s - self.start.steal_s
        self.figures = {
            "seconds": round(seconds, 1),
            "loadavg_before": self.start.loadavg,
            "loadavg_after": end.loadavg,
            "own_cpu_s": round(end.own_s - self.start.own_s, 2),
            "others_cpu_s": round(others_s, 2),
            "others_cores": round(others_s / seconds, 3),
            "steal_s": round(steal_s, 2),
            "steal_cores": round(steal_s / seconds, 3),
        }
        self.reason = busy_reason(others_s / seconds, steal_s / seconds)

    def summary(self) -> str:
        """One line: the load figures, and busy (why) or quiet."""
        f = self.figures
        return (
            f"machine over {f['seconds']} s: load average {f['loadavg_before'][0]} -> {f['loadavg_after'][0]}, "
            f"this benchmark {f['own_cpu_s']} CPU s, other processes {f['others_cpu_s']} CPU s "
            f"({f['others_cores']} cores), steal {f['steal_s']} s ({f['steal_cores']} cores): "
            + (f"BUSY, {self.reason}" if self.reason else "quiet")
        )

    def report(self) -> dict:
        """The fields a benchmark's JSON report gets: busy, why, and the load figures."""
        return {"busy": bool(self.reason), "busy_reason": self.reason, "load": self.figures}

    def refuse_if_busy(self, busy_ok: bool, out: Path) -> None:
        """Exit non-zero before ``out`` is written if the machine was busy, unless ``busy_ok``."""
        if self.reason and not busy_ok:
            sys.exit(f"not writing {out}: the machine was busy ({self.reason}); --busy-ok writes it anyway")
