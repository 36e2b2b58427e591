"""Benchmark sklearn_bt ("ours") against the anchors it must beat.

Usage::

    python benchmarks/run.py                          # every workload, 5 repeats
    python benchmarks/run.py --quick                  # small workloads, 1 repeat
    python benchmarks/run.py --workload tennis-ids --entry ours --entry choix
    python benchmarks/run.py --list                   # workload and entry names

Prints one table per workload and writes ``benchmarks/results/bench-*.json``,
``.csv`` and ``latest.*``; ``--plot`` also draws time against N for the items
workloads (``benchmarks/plot.py`` does the same from a saved JSON).
"""

import os
import sys

# One BLAS/OpenMP thread, set before NumPy is imported here or in a child: on
# a 2-core machine NumPy's and SciPy's BLAS pools and OpenMP thrash each
# other, and timings with threads are noise.  --default-threads keeps the
# machine's settings instead, to see what a user who sets nothing gets.
if "--default-threads" in sys.argv:
    os.environ["SKLEARN_BT_BENCH_DEFAULT_THREADS"] = "1"  # _harness.KEEP_THREADS_VAR
else:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _anchors import ENTRIES  # noqa: E402
from _harness import (  # noqa: E402
    format_table,
    markdown_report,
    resolve_isolation,
    run_workload,
)
from _workloads import DEFAULT_DATA_DIR, DEFAULT_EXCLUDED, DataUnavailable, registry  # noqa: E402

RESULTS_DIR = HERE / "results"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workload",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="run only this workload (repeatable; a substring matches several)",
    )
    parser.add_argument(
        "--entry",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="run only entries whose name contains NAME (case-insensitive, "
        "repeatable); the floor always runs",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="default 5 (1 with --quick)"
    )
    parser.add_argument(
        "--cap",
        type=float,
        default=None,
        help="per-fit time cap in seconds (default 120, 30 with --quick)",
    )
    parser.add_argument(
        "--entry-budget",
        type=float,
        default=None,
        help="stop repeating an entry once its fits used this many seconds "
        "(default 2 x cap)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small workloads, 1 repeat, 30 s cap"
    )
    parser.add_argument(
        "--isolation",
        choices=["fork", "fork-shared", "spawn"],
        default="fork",
        help="fork: each fit in a child forked from one server per workload, "
        "which copies the pages it shares with the server first, as a fresh "
        "process owns its own (default; Linux 5.14+, elsewhere fork-shared); "
        "fork-shared: the same without the copy (cold fits then pay "
        "copy-on-write faults); spawn: "
        "each fit in a fresh interpreter (slower, simpler)",
    )
    parser.add_argument(
        "--default-threads",
        action="store_true",
        help="keep the machine's BLAS/OpenMP thread settings (default: one thread)",
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--plot", action="store_true", help="also save the time-vs-N PNG"
    )
    parser.add_argument(
        "--list", action="store_true", help="list workloads and entries"
    )
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="print saved results as Markdown tables and exit (several files: "
        "a later file's workload replaces an earlier one's)",
    )
    parser.add_argument(
        "--ours-placeholder",
        metavar="TEXT",
        help="with --report: show TEXT instead of the numbers in the ours rows",
    )
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else 5)
    args.cap = args.cap or (30.0 if args.quick else 120.0)
    args.entry_budget = args.entry_budget or 2 * args.cap
    return args


def select_workloads(reg, names, quick):
    if names:
        exact = [n for n in names if n in reg]
        chosen = [
            k for k in reg if k in exact or any(n in k for n in names if n not in reg)
        ]
        if not chosen:
            raise SystemExit(f"no workload matches {names}; try --list")
        return chosen
    return [
        k for k, (_, q) in reg.items() if k not in DEFAULT_EXCLUDED and (q or not quick)
    ]


def select_entries(kind, names):
    chosen = [e for e in ENTRIES if e.kind == kind]
    if not names:
        return chosen
    wanted = [n.lower() for n in names]
    return [
        e
        for e in chosen
        if e.role == "floor" or any(w in e.name.lower() for w in wanted)
    ]


def machine_info():
    import numpy
    import scipy
    import sklearn

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if "model name" in line
            )
    except (OSError, StopIteration):
        pass
    versions = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }
    for name in ("choix", "evalica", "statsmodels", "pandas", "pyarrow", "sklearn_bt"):
        try:
            from importlib.metadata import version

            versions[name] = version(name.replace("_", "-"))
        except Exception:
            versions[name] = None
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "threads": {
            v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        },
        "versions": versions,
    }


def write_results(out_dir, payload):
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    rows = [r for wl in payload["workloads"] for r in wl["rows"]]
    for base in (f"bench-{stamp}", "latest"):
        with open(out_dir / f"{base}.json", "w") as fh:
            json.dump(payload, fh, indent=1, default=_json_default)
        with open(out_dir / f"{base}.csv", "w", newline="") as fh:
            writer = csv.DictWriter(
                fh, fieldnames=list(rows[0]) if rows else ["workload"]
            )
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "warnings": " | ".join(row["warnings"])})
    return out_dir / f"bench-{stamp}.json"


def _json_default(obj):
    try:
        return obj.item()
    except AttributeError:
        return str(obj)


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        from plot import load_results

        print(markdown_report(load_results(args.report), args.ours_placeholder))
        return 0
    reg = registry(args.data_dir)
    if args.list:
        print(
            "workloads:",
            *[f"  {k}" + ("  (quick)" if q else "") for k, (_, q) in reg.items()],
            sep="\n",
        )
        print(
            "entries:",
            *[f"  [{e.kind}] {e.name} ({e.role})" for e in ENTRIES],
            sep="\n",
        )
        return 0
    args.isolation = resolve_isolation(args.isolation)
    info = machine_info()
    info["command"] = "python benchmarks/run.py " + " ".join(
        map(shlex.quote, sys.argv[1:] if argv is None else argv)
    )
    info["settings"] = {
        "repeats": args.repeats,
        "cap_s": args.cap,
        "entry_budget_s": args.entry_budget,
        "isolation": args.isolation,
    }
    print(
        f"# {info['date']}  {info['cpu']}  {info['cores']} cores  "
        f"OPENBLAS_NUM_THREADS={info['threads']['OPENBLAS_NUM_THREADS']}"
    )
    print(
        f"# repeats={args.repeats} cap={args.cap:.0f}s "
        f"entry budget={args.entry_budget:.0f}s isolation={args.isolation}"
    )
    payload = {"machine": info, "workloads": []}
    suite_start = time.perf_counter()
    for name in select_workloads(reg, args.workload, args.quick):
        factory, _ = reg[name]
        print(f"\n## {name}")
        try:
            wl = factory()
        except DataUnavailable as exc:
            print(f"  skipped: {exc}")
            payload["workloads"].append({"name": name, "skipped": str(exc), "rows": []})
            continue
        wl.name = name
        print(f"  {wl.description}")
        for note in wl.notes:
            print(f"  note: {note}")
        entries = select_entries(wl.kind, args.entry)
        rows, ll_ref = run_workload(
            wl,
            entries,
            repeats=args.repeats,
            cap=args.cap,
            entry_budget=args.entry_budget,
            isolation=args.isolation,
        )
        print()
        print(format_table(rows))
        payload["workloads"].append(
            {
                "name": name,
                "kind": wl.kind,
                "description": wl.description,
                "notes": wl.notes,
                "n_comparisons": wl.n_comparisons,
                "n_items": wl.n_items,
                "n_features": wl.n_features,
                "id_type": wl.id_type,
                "alpha": wl.alpha,
                "reference_loglik": ll_ref,
                "rows": rows,
            }
        )
    payload["machine"]["suite_seconds"] = time.perf_counter() - suite_start
    path = write_results(args.out, payload)
    print(
        f"\nresults: {path} (and latest.json/.csv); suite took "
        f"{payload['machine']['suite_seconds']:.0f} s"
    )
    if args.plot:
        from plot import plot_items

        png = plot_items(payload, args.out / "items_time_vs_n.png")
        if png:
            print(f"plot: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
