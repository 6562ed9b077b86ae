"""Progress of a long job in its log: one readable line at most every ``every_s`` seconds (no carriage-return
bars, which a log file shows as one endless line)."""

from __future__ import annotations

import time


class StepLog:
    """``log(step, running)``: prints "label: step N, R replicas running, T s" when ``every_s`` have passed."""

    def __init__(self, label: str, every_s: float = 30.0) -> None:
        self.label = label
        self.every_s = every_s
        self.start = time.perf_counter()
        self.last = -float("inf")

    def __call__(self, step: int, running: int) -> None:
        now = time.perf_counter()
        if now - self.last >= self.every_s:
            self.last = now
            print(f"{self.label}: step {step:,}, {running} replicas running, {now - self.start:.0f} s", flush=True)
