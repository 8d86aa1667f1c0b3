"""How long a user waits for `heroicrun check` and `heroicrun --help`, as whole processes.

    python benchmarks/startup.py                    # the project's venv
    python benchmarks/startup.py --heroicrun PATH   # any heroicrun executable
    python benchmarks/startup.py --repeats 15

Every figure is the best of several runs of a fresh process, start to exit, so it includes the
interpreter starting, every import, reading, measuring, judging every mission and printing:
wall time (what a user waits) and CPU time (user + system, which other work on a shared machine
disturbs less; numpy's import starts threads, so its CPU time can exceed its wall time). The
baselines run in the same session, round after round with the rest, so the ratios hold however
busy the machine is:

- `python -c "import numpy"`: the least any numpy program costs. Target: `heroicrun check` of a
  1-hour run (3,600 points) within 2x of it.
- `python -c "import gpxpy; gpxpy.parse(open(f))"` of a 130,000-point run: reading it with the
  usual library and nothing else. Target: `heroicrun check` of the same file at least 6x faster.

Every process runs as on a user's machine after installing: Python's compiled bytecode is
kept (in a folder of the benchmark's own, whatever PYTHONDONTWRITEBYTECODE says) and a first
round, not counted, fills it; so are the checked missions heroicrun keeps in the user's cache
folder. Two rows show the first run instead: missions not yet checked, and sources compiled
on every run (a development checkout with PYTHONDONTWRITEBYTECODE=1).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_HEROICRUN = PROJECT / ".venv" / "bin" / "heroicrun"
HOUR_POINTS = 3600
LONG_POINTS = 130_000
REPEATS = 10
LONG_REPEATS = 3


class Best:
    """The best wall time and the best CPU time seen so far of one command."""

    def __init__(self) -> None:
        self.wall_s = float("inf")
        self.cpu_s = float("inf")

    def run(self, argv: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
        """Run `argv` once as a fresh process, which must exit 0, and keep its times if best."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=cwd, env=env)
        self.wall_s = min(self.wall_s, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        self.cpu_s = min(self.cpu_s, used)


def main(arguments: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heroicrun", type=Path, default=DEFAULT_HEROICRUN)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--long-repeats", type=int, default=LONG_REPEATS)
    options = parser.parse_args(arguments)
    executable = options.heroicrun.absolute()
    if not executable.exists():
        raise SystemExit(f"{executable}: no such heroicrun executable")
    # The heroicrun under test runs with its own interpreter, so the baselines do too.
    python = executable.parent / "python"
    python_argv = [str(python)] if python.exists() else [sys.executable]

    sys.path.insert(0, str(HERE))
    from generate import write_run

    with tempfile.TemporaryDirectory(prefix="heroicrun-startup-") as folder:
        # An empty working folder: `python -c` must not import a source checkout by accident.
        cwd = Path(folder)
        hour = str(write_run(cwd / f"run-{HOUR_POINTS}.gpx", HOUR_POINTS))
        long = str(write_run(cwd / f"run-{LONG_POINTS}.gpx", LONG_POINTS))
        heroicrun = [str(executable)]
        gpxpy = "import sys, gpxpy; gpxpy.parse(open(sys.argv[1], encoding='utf-8'))"
        installed = {
            key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"
        }
        installed |= {
            "PYTHONPYCACHEPREFIX": str(cwd / "bytecode"),
            "XDG_CACHE_HOME": str(cwd / "cache"),
        }
        uncompiled = {key: value for key, value in installed.items() if "PYCACHE" not in key}
        uncompiled["PYTHONDONTWRITEBYTECODE"] = "1"
        # name: (command, environment, or None for a new empty cache folder on every run)
        tasks: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "python": ([*python_argv, "-c", "pass"], installed),
            "numpy": ([*python_argv, "-c", "import numpy"], installed),
            "help": ([*heroicrun, "--help"], installed),
            "check_hour": ([*heroicrun, "check", hour], installed),
            "check_hour_json": ([*heroicrun, "check", hour, "--json"], installed),
            "check_first": ([*heroicrun, "check", hour], None),
            "check_uncompiled": ([*heroicrun, "check", hour], uncompiled),
            "check_long": ([*heroicrun, "check", long], installed),
            "gpxpy_long": ([*python_argv, "-c", gpxpy, long], installed),
        }
        long_tasks = {"check_long", "gpxpy_long"}
        figures = {name: Best() for name in tasks}
        rounds = max(options.repeats, options.long_repeats)
        # Round after round of every command, so that a busy moment on the machine falls on
        # all of them alike rather than on one. Round -1 fills the caches and is not counted.
        for number in range(-1, rounds):
            for name, (argv, env) in tasks.items():
                limit = options.long_repeats if name in long_tasks else options.repeats
                if number >= limit or (number < 0 and name in long_tasks):
                    continue
                if env is None:
                    env = installed | {"XDG_CACHE_HOME": str(cwd / f"first-{number}")}
                (Best() if number < 0 else figures[name]).run(argv, cwd, env)

    rows = [
        ("python -c pass", "python", None, ""),
        ('python -c "import numpy"', "numpy", None, "baseline"),
        ("heroicrun --help", "help", "numpy", "x numpy"),
        (f"heroicrun check ({HOUR_POINTS:,} points)", "check_hour", "numpy", "x numpy (<= 2)"),
        ("  with --json", "check_hour_json", "numpy", "x numpy"),
        ("  missions not yet checked", "check_first", "numpy", "x numpy"),
        ("  sources compiled every run", "check_uncompiled", "numpy", "x numpy"),
        (f"gpxpy.parse ({LONG_POINTS:,} points)", "gpxpy_long", None, "baseline"),
        (f"heroicrun check ({LONG_POINTS:,})", "check_long", "gpxpy_long", "x faster (>= 6)"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'whole process':<{width}}  {'wall s':>7} {'ratio':>6}  {'CPU s':>7} {'ratio':>6}")
    print("-" * (width + 52))
    for name, key, baseline, note in rows:
        wall, cpu = figures[key].wall_s, figures[key].cpu_s
        if baseline is None:
            print(f"{name:<{width}}  {wall:>7.3f} {'':>6}  {cpu:>7.3f} {'':>6}  {note}")
            continue
        base_wall, base_cpu = figures[baseline].wall_s, figures[baseline].cpu_s
        # Against gpxpy the ratio says how many times faster; against numpy, how many slower.
        wall_ratio = base_wall / wall if baseline == "gpxpy_long" else wall / base_wall
        cpu_ratio = base_cpu / cpu if baseline == "gpxpy_long" else cpu / base_cpu
        shown = f"{wall:>7.3f} {wall_ratio:>6.2f}  {cpu:>7.3f} {cpu_ratio:>6.2f}"
        print(f"{name:<{width}}  {shown}  {note}")
    print(
        f"\nbest of {options.repeats} runs ({options.long_repeats} for the"
        f" {LONG_POINTS:,}-point file), {executable}"
    )


if __name__ == "__main__":
    main()
