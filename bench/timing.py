"""CPU and wall timing shared by the in-process benchmarks, and a fixed loop that says how fast
this (shared, often loaded) machine is running right now, so timings can be read against it."""

import time


def timed(function, repeats: int):
    """(best CPU seconds, best wall seconds, the last result)."""
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        result = function()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall), result


def machine_speed() -> float:
    """Best CPU seconds of three runs of a 10-million-step Python loop."""

    def loop():
        total = 0
        for i in range(10_000_000):
            total += i
        return total

    return timed(loop, 3)[0]
