"""How fast heroicrun reads and measures a run, against gpxpy and the expat floor, in one run.

    python benchmarks/read_and_measure.py            # all sizes
    python benchmarks/read_and_measure.py 3600 21600 # chosen sizes

Each task runs in a fresh Python process so its peak memory is its own; times are the best of
several repeats. The floor is expat parsing the same bytes with no handlers: the least a correct
XML read can cost in Python. Targets on the 130,000-point file: heroicrun at least 6x faster than
gpxpy.parse alone, within 4x of the floor, peak memory under 150 MB, and `heroicrun check` as a
whole process under 1.5 s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SIZES = (3600, 21600, 86400, 130000)
REPEATS = 3

TASK = r"""
import json, resource, sys, time
from pathlib import Path
task, path, repeats = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
if task == "heroicrun":
    from heroicrun import measuring, reading
    def run():
        measuring.measure(reading.read_path(path))
elif task == "gpxpy":
    import gpxpy
    def run():
        gpxpy.parse(path.read_text(encoding="utf-8"))
elif task == "floor":
    from xml.parsers import expat
    def run():
        expat.ParserCreate().Parse(path.read_bytes(), True)
elif task == "geopy":
    from geopy.distance import geodesic
    from heroicrun import reading
    track = reading.read_path(path)
    pairs = list(zip(track.lat_deg.tolist(), track.lon_deg.tolist()))
    def run():
        sum(geodesic(a, b).m for a, b in zip(pairs, pairs[1:]))
elif task == "vectorised":
    from heroicrun import geodesy, reading
    track = reading.read_path(path)
    def run():
        geodesy.step_distances_m(track.lat_deg, track.lon_deg).sum()
baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = float("inf")
for _ in range(repeats):
    start = time.perf_counter()
    run()
    best = min(best, time.perf_counter() - start)
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": best, "peak_mb": peak_kb / 1024, "baseline_mb": baseline_kb / 1024}))
"""


def measure(task: str, path: Path, repeats: int = REPEATS) -> dict[str, float]:
    """Run one task in a fresh interpreter; its best time and peak resident memory."""
    done = subprocess.run(
        [sys.executable, "-c", TASK, task, str(path), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def whole_check(path: Path) -> float:
    """Best wall time of `heroicrun check FILE` as a separate process, start to exit."""
    command = shutil.which("heroicrun")
    argv = [command] if command else [sys.executable, "-m", "heroicrun"]
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([*argv, "check", str(path)], check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main(sizes: tuple[int, ...]) -> None:
    sys.path.insert(0, str(HERE))
    from generate import write_run

    OUT.mkdir(exist_ok=True)
    header = (
        f"{'points':>8} {'MB':>6} {'heroicrun s':>11} {'gpxpy s':>8} {'floor s':>8}"
        f" {'vs gpxpy':>9} {'vs floor':>9} {'peak MB':>8} {'gpxpy MB':>9} {'check s':>8}"
    )
    print(header)
    print("-" * len(header))
    for points in sizes:
        path = write_run(OUT / f"run-{points}.gpx", points)
        megabytes = path.stat().st_size / 1e6
        ours = measure("heroicrun", path)
        theirs = measure("gpxpy", path, repeats=1 if points > 50000 else REPEATS)
        floor = measure("floor", path)
        check_s = whole_check(path)
        print(
            f"{points:>8} {megabytes:>6.1f} {ours['seconds']:>11.3f} {theirs['seconds']:>8.2f}"
            f" {floor['seconds']:>8.3f} {theirs['seconds'] / ours['seconds']:>8.1f}x"
            f" {ours['seconds'] / floor['seconds']:>8.2f}x {ours['peak_mb']:>8.0f}"
            f" {theirs['peak_mb']:>9.0f} {check_s:>8.2f}"
        )
    largest = OUT / f"run-{max(sizes)}.gpx"
    per_pair = measure("geopy", largest, repeats=1)
    vectorised = measure("vectorised", largest)
    print(
        f"\ndistance on {max(sizes):,} points: geopy geodesic per pair {per_pair['seconds']:.2f} s,"
        f" heroicrun vectorised {vectorised['seconds'] * 1000:.1f} ms"
        f" ({per_pair['seconds'] / vectorised['seconds']:.0f}x)"
    )
    print(
        "peak MB is the whole process's peak resident memory (Python, numpy and the libraries"
        " included)."
    )


if __name__ == "__main__":
    chosen = tuple(int(arg) for arg in sys.argv[1:]) or SIZES
    main(chosen)
