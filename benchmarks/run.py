"""The benchmark runner: every performance goal, measured in one run against a baseline of the same run.

    .venv/bin/python benchmarks/run.py [--quick] [--runs 3]

Prints a table and writes it to benchmarks/results.md with the machine's CPU count and the date.
Not part of the test suite (timings never decide a test). Each figure is the median of --runs runs;
commands run as whole processes (interpreter start included) and their CPU time and peak memory come
from the operating system's accounting of the finished child (os.wait4).

Registers are generated deterministically by benchmarks/generate.py into benchmarks/data/ (git-ignored)
and reused by later runs. --quick skips the 100 000-student register and the PDF conversion.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
PY = sys.executable
MUSKARI = [PY, "-m", "toolkit"]
AS_OF = "2026-11-25"
SIZES = {"1k": (1_000, 20_000), "10k": (10_000, 200_000), "100k": (100_000, 1_000_000)}
# the floor: the time it takes just to read the workbook's cells, with the fastest reader we know (fastexcel:
# calamine in Rust straight into Arrow columns). A bare calamine load into Python objects is a second line.
FASTEXCEL_LOAD = ("import fastexcel, sys; r = fastexcel.read_excel(sys.argv[1]); "
                  "[r.load_sheet_by_name(n).to_arrow() for n in r.sheet_names]")
BARE_LOAD = ("from python_calamine import CalamineWorkbook as W; import sys; w = W.from_path(sys.argv[1]); "
             "[w.get_sheet_by_name(n).to_python() for n in w.sheet_names]")


def measure(argv: list[str]) -> dict:
    """One run of a whole process: wall s, CPU s (user+sys of the child), peak RSS MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}\n{err[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mem": usage.ru_maxrss / 1024}


def paired(a: list[str], b: list[str], runs: int) -> tuple[dict, dict, dict]:
    """A and B in turn (A B A B ...); medians of each and of the pairwise ratios A/B."""
    measure(a), measure(b)                     # warm the page cache
    rows_a, rows_b = [], []
    for _ in range(runs):
        rows_a.append(measure(a))
        rows_b.append(measure(b))
    med = lambda rows, k: statistics.median(r[k] for r in rows)  # noqa: E731
    ratio = {k: statistics.median(x[k] / y[k] for x, y in zip(rows_a, rows_b, strict=True)) for k in ("wall", "cpu")}
    return ({k: med(rows_a, k) for k in ("wall", "cpu", "mem")}, {k: med(rows_b, k) for k in ("wall", "cpu", "mem")},
            ratio)


def register(size: str) -> Path:
    students, studies = SIZES[size]
    path = DATA / f"rekisteri-{size}.xlsx"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ({students} students, {studies} study rows) ...", file=sys.stderr)
        subprocess.run([PY, "benchmarks/generate.py", "--students", str(students), "--studies", str(studies),
                        "--as-of", AS_OF, str(path)], cwd=ROOT, check=True)
    return path


def demo_register() -> Path:
    path = DATA / "demo" / "rekisteri.xlsx"
    if not path.exists():
        subprocess.run([*MUSKARI, "demo", str(path.parent), "--as-of", AS_OF], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def run_script(args: list[str]) -> str:
    done = subprocess.run([PY, *args], cwd=ROOT, capture_output=True, text=True)
    return (done.stdout + (done.stderr if done.returncode else "")).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the 100 000-student register and PDFs")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows: list[tuple[str, str, str, str]] = []

    def row(what, ours, base, result):
        rows.append((what, ours, base, result))
        print(f"{what}: {ours} | {base} | {result}", file=sys.stderr)

    def vs_floor(label, command, size, runs, goal=None, floor=FASTEXCEL_LOAD, floor_name="fastexcel"):
        path = register(size)
        a, b, r = paired([*MUSKARI, command, str(path), "--as-of", AS_OF, "--format", "json"],
                         [PY, "-c", floor, str(path)], runs)
        judged = ""
        if goal is not None:
            met = r["wall"] <= goal and a["mem"] < 2048
            judged = f" (goal ≤ {goal:g}x wall, < 2 GB: {verdict(met)})"
        row(f"{label} vs bare {floor_name} read, {size} students", f"{a['wall']:.2f} s wall, {a['cpu']:.2f} s CPU, "
            f"peak {a['mem']:.0f} MiB", f"{b['wall']:.2f} s wall, {b['cpu']:.2f} s CPU, {b['mem']:.0f} MiB",
            f"wall {r['wall']:.2f}x, CPU {r['cpu']:.2f}x{judged}")

    vs_floor("`check`", "check", "1k", args.runs)
    vs_floor("`check`", "check", "10k", args.runs, goal=3)
    vs_floor("`check`", "check", "10k", args.runs, floor=BARE_LOAD, floor_name="python-calamine")
    if not args.quick:
        vs_floor("`check`", "check", "100k", 1)
        vs_floor("`eligibility` (reads, checks and decides)", "eligibility", "100k", 1, goal=4)
    demo = demo_register()
    a, b, r = paired([*MUSKARI, "--help"], [PY, "-c", "pass"], args.runs)
    row("`muskari --help`, interpreter start included", f"{a['wall']:.3f} s wall", f"`python -c pass` {b['wall']:.3f} s",
        f"+{a['wall'] - b['wall']:.3f} s (goal < 0.3 s: {verdict(a['wall'] - b['wall'] < 0.3)})")
    a, b, r = paired([*MUSKARI, "check", str(demo), "--as-of", AS_OF], [PY, "-c", "pass"], args.runs)
    row("`muskari check` on the demo register", f"{a['wall']:.2f} s wall, {a['cpu']:.2f} s CPU",
        f"`python -c pass` {b['wall']:.3f} s", f"{a['wall']:.2f} s (goal < 1.5 s: {verdict(a['wall'] < 1.5)})")

    sections = {
        "Safe write path vs plain openpyxl (benchmarks/bench_write.py)": run_script(["benchmarks/bench_write.py"]),
        "Certificates: docxtpl's own render with the toolkit's checks and limits vs a plain docxtpl loop "
        "(benchmarks/bench_certificates.py)":
            run_script(["benchmarks/bench_certificates.py", "--count", "300", "--pdf", "0" if args.quick else "100"]),
    }
    table = ["| measure | muskari | baseline (same run) | result |", "|---|---|---|---|",
             *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]]
    header = (f"Measured {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPUs ({platform.machine()}, "
              f"Python {platform.python_version()}); medians of {args.runs} runs; as-of day {AS_OF}; "
              f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (the machine is shared).")
    text = "\n".join(["# Benchmark results", "", header, "", *table, ""])
    for title, body in sections.items():
        text += f"\n## {title}\n\n```\n{body}\n```\n"
    print(text)
    (ROOT / "benchmarks" / "results.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
