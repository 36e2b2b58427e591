"""Run entries on workloads: one fresh subprocess per fit, interleaved repeats.

Why a subprocess per fit: it is the only way to (a) stop a fit that runs past
the cap without hanging the suite and (b) measure its memory honestly. Memory
is the peak resident set size (RSS) *increase* during the fit: the child
resets the kernel's high-water mark (``/proc/self/clear_refs`` <- 5) right
before the fit and reads ``VmHWM`` after it, minus ``VmRSS`` before. This
counts NumPy buffers, Rust/C allocations and Python objects alike. Each fit
is then timed a second time in the same process: the "warm" time, without the
first-call costs.

Run as a script (``python _harness.py --child ...``) it is the child.
"""

from __future__ import annotations

import errno
import gc
import os
import pickle
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Set by run.py --default-threads: children keep the machine's thread settings.
KEEP_THREADS_VAR = "SKLEARN_BT_BENCH_DEFAULT_THREADS"
HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------
def _proc_status_kb(field_name):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return None


def _reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class _FitTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _FitTimeout


# A fit this long is not timed a second time: its one-off costs (a few ms)
# are under 0.1% of it, and the cold time stands for the warm one.
WARM_REFIT_MAX_S = 10.0


def run_fit(wl, entry, cap, out_path):
    """Time one fit of ``entry`` on ``wl`` and pickle the outcome to ``out_path``.

    Runs in a process of its own (forked or spawned), so the peak-RSS reset
    and the alarm only concern this fit. The fit is then timed once more in
    the same process (``warm_seconds``): the second fit of a process, as in a
    notebook, a cross-validation or a server, has no first-call costs and
    reuses memory the first one faulted in.
    """
    out = {"status": "ok", "warnings": [], "notes": []}
    gc.collect()
    rss_before = _proc_status_kb("VmRSS")
    peak_ok = _reset_peak_rss()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(max(1, int(cap + 0.5)))
    result = peak_kb = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            result = entry.fit(wl)
            out["seconds"] = time.perf_counter() - start
            peak_kb = _proc_status_kb("VmHWM")  # the first fit's, before the refit
            out["warm_seconds"] = _time_warm_refit(wl, entry, out["seconds"], cap)
        signal.alarm(0)
        out["warnings"] = sorted(
            {f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught}
        )
    except _FitTimeout:
        out["status"] = "timeout"
    except Exception as exc:  # an entry failing is a result, not a crash
        signal.alarm(0)
        out["status"] = f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    if peak_ok and rss_before is not None and peak_kb is not None:
        out["peak_mb"] = (peak_kb - rss_before) / 1024
    if out["status"] == "ok" and entry.params is not None:
        params = entry.params(wl, result)
        if isinstance(params, tuple):
            params, notes = params
            out["notes"] = list(notes)
        out["params"] = params
    _dump(out, out_path)


def _time_warm_refit(wl, entry, cold_seconds, cap):
    """Seconds of a second fit in this process (the cold time for a long fit).

    The refit gets a cap of its own; one that runs past it is reported as the
    cold time rather than a timeout of the entry.
    """
    if cold_seconds >= WARM_REFIT_MAX_S:
        return cold_seconds
    gc.collect()
    signal.alarm(max(1, int(cap + 0.5)))
    start = time.perf_counter()
    try:
        entry.fit(wl)
    except _FitTimeout:
        return cold_seconds
    finally:
        # A pending alarm would kill the caller later: SIGALRM's default
        # action ends the process (the smoke test calls this in pytest's).
        signal.alarm(0)
    return time.perf_counter() - start


def _import_modules(entries):
    """Import what the entries need, and initialise their dependencies.

    Returns {entry name: missing module}.
    """
    import importlib

    missing = {}
    for entry in entries:
        for module in entry.modules:
            try:
                importlib.import_module(module)
            except ImportError:
                missing[entry.name] = module
    _initialise_dependencies()
    return missing


def _initialise_dependencies():
    """Run the once-per-process set-up that dependencies defer to a first call.

    scikit-learn's first ``check_array`` asks narwhals whether the input is a
    dataframe, and narwhals then discovers its plugins: it reads the entry
    points of every installed distribution (3-7 ms here, more with more
    packages installed). Every later call in the process, any estimator's,
    skips it. Like the imports above it is the process's cost, not a fit's,
    and it is left out of every entry's timing alike (the LogisticRegression
    anchors pay it too); the issue's own measurements, in one process, paid it
    once over all repeats.
    """
    try:
        import numpy as np
        from sklearn.utils import check_array
    except ImportError:
        return
    check_array(np.zeros((1, 1)))


def server_main(workload_path, kind, own_pages=True):
    """Fork server: load the workload and imports once, fork once per fit.

    Reads JSON commands ``[entry name, cap, out path]`` on stdin and answers
    ``done`` on stdout after each fit. Each fit runs in a forked child, a
    fresh copy of this process: the fit's first calls are cold, its memory
    is its own, and a fit past ``cap + 30`` s is killed. With ``own_pages``
    the child first copies the pages it shares with the server (see
    :func:`own_inherited_pages`), as a fresh interpreter has its own.
    """
    import json

    from _anchors import ENTRIES

    with open(workload_path, "rb") as fh:
        wl = pickle.load(fh)
    entries = {e.name: e for e in ENTRIES if e.kind == kind}
    missing = _import_modules(entries.values())
    gc.collect()
    for line in sys.stdin:
        name, cap, out_path = json.loads(line)
        if name in missing:
            _dump({"status": f"not installed ({missing[name]})"}, out_path)
        else:
            _fork_fit(wl, entries[name], cap, out_path, own_pages)
        print("done", flush=True)


def _fork_fit(wl, entry, cap, out_path, own_pages):
    pid = os.fork()
    if pid == 0:  # child: keep stdout (the protocol pipe) clean
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            if own_pages and not own_inherited_pages():
                _dump({"status": "error: could not copy the server's pages"}, out_path)
                return
            run_fit(wl, entry, cap, out_path)
        finally:
            os._exit(0)
    deadline = time.monotonic() + cap + 30
    while os.waitpid(pid, os.WNOHANG)[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _dump({"status": "timeout"}, out_path)
            return
        time.sleep(0.005)


# madvise(2) advice, Linux 5.14 and later: fault a range in writable, as a
# write to each page would, without changing its contents.
_MADV_POPULATE_WRITE = 23


def can_own_inherited_pages():
    """Whether :func:`own_inherited_pages` works here: Linux 5.14 or later."""
    if sys.platform != "linux":
        return False
    release = os.uname().release.split(".")
    try:
        return (int(release[0]), int(release[1].split("-")[0])) >= (5, 14)
    except (IndexError, ValueError):
        return False


def resolve_isolation(isolation, log=print):
    """The isolation to run with: ``"fork"`` becomes ``"fork-shared"`` where
    a forked child cannot copy its pages (the run says so)."""
    if isolation == "fork" and not can_own_inherited_pages():
        log(
            "  note: this system cannot copy a forked child's pages (Linux 5.14+ "
            "can): cold fits pay copy-on-write faults (--isolation fork-shared)"
        )
        return "fork-shared"
    return isolation


def own_inherited_pages():
    """Give this forked child its own copy of every page it shares with its parent.

    After a fork, parent and child share their writable memory copy-on-write:
    the child's first write to a page (a reference count, a cache of the
    interpreter's, a freed block reused) copies it, at a page fault of
    several microseconds on this VM. A fresh interpreter that imported the
    same modules and loaded the same data owns those pages already, so a
    forked child would charge a fit for faults no script pays, and charge
    code that runs many Python functions more (ours on K = 100: 2,400 faults
    and 35 ms cold, against 160 faults and 16 ms after this copy, and 15 ms
    in a fresh interpreter). The copy takes 0.1-0.5 s, outside the timing.

    Returns False where the kernel cannot (see :func:`can_own_inherited_pages`).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with open("/proc/self/maps") as fh:
        mappings = fh.read().splitlines()
    for mapping in mappings:
        fields = mapping.split()
        span, perms = fields[0], fields[1]
        name = fields[5] if len(fields) > 5 else ""
        # Private writable mappings; not the kernel's [vvar] and [vsyscall].
        if perms[:2] != "rw" or perms[3] != "p" or name.startswith("[v"):
            continue
        start, stop = (int(address, 16) for address in span.split("-"))
        if libc.madvise(start, stop - start, _MADV_POPULATE_WRITE) != 0:
            if ctypes.get_errno() == errno.EINVAL and name == "":
                return False  # the advice is unknown to this kernel
    return True


def child_main(workload_path, kind, entry_name, out_path, cap):
    """Spawn mode: a fresh interpreter for one fit."""
    from _anchors import get_entry

    entry = get_entry(kind, entry_name)
    with open(workload_path, "rb") as fh:
        wl = pickle.load(fh)
    missing = _import_modules([entry])
    if missing:
        _dump({"status": f"not installed ({missing[entry.name]})"}, out_path)
        return
    run_fit(wl, entry, cap, out_path)


def _dump(obj, path):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)


# --------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------
def child_env():
    """The children's environment: one BLAS/OpenMP thread unless told otherwise.

    ``run.py`` sets the thread variables itself (or, with
    ``--default-threads``, marks that it keeps the machine's settings).
    """
    env = dict(os.environ)
    if env.get(KEEP_THREADS_VAR) != "1":
        for var in THREAD_VARS:
            env.setdefault(var, "1")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    return env


def measure(workload_path, kind, entry_name, cap, tmpdir):
    """Spawn mode: one fit in a fresh interpreter; returns the outcome dict."""
    out_path = Path(tmpdir) / "out.pkl"
    out_path.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(HERE / "_harness.py"),
        "--child",
        str(workload_path),
        kind,
        entry_name,
        str(out_path),
        str(cap),
    ]
    try:
        # Hard limit: the child's own alarm covers the fit; this covers a fit
        # stuck in C code that never returns to Python to see the alarm.
        proc = subprocess.run(
            cmd, env=child_env(), capture_output=True, text=True, timeout=cap + 120
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    return _read_outcome(out_path, proc.returncode, proc.stderr)


def _read_outcome(out_path, returncode, stderr):
    if not out_path.exists():
        tail = (stderr or "").strip().splitlines()[-1:] or ["no output"]
        return {"status": f"crashed (exit {returncode}): {tail[0][:120]}"}
    with open(out_path, "rb") as fh:
        return pickle.load(fh)


class ForkServer:
    """Parent's handle on ``server_main``: one interpreter per workload."""

    def __init__(self, workload_path, kind, tmpdir, own_pages=True):
        self.args = [sys.executable, str(HERE / "_harness.py"), "--server"]
        self.args += [str(workload_path), kind, "own" if own_pages else "shared"]
        self.tmpdir = Path(tmpdir)
        self.proc = None

    def _start(self):
        self.close()  # a server that died: release its pipes and log
        self.stderr = open(self.tmpdir / "server.err", "w+")
        self.proc = subprocess.Popen(
            self.args,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )

    def measure(self, entry_name, cap):
        import json

        if self.proc is None or self.proc.poll() is not None:
            self._start()
        out_path = self.tmpdir / "out.pkl"
        out_path.unlink(missing_ok=True)
        self.proc.stdin.write(json.dumps([entry_name, cap, str(out_path)]) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if answer.strip() != "done":  # the server died: report, restart next time
            self.proc.wait()
            self.stderr.seek(0)
            return _read_outcome(out_path, self.proc.returncode, self.stderr.read())
        return _read_outcome(out_path, 0, "")

    def close(self):
        if self.proc is None:
            return
        self.proc.stdin.close()  # the server's loop ends at end of input
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.stderr.close()
        self.proc = None


@dataclass
class _State:
    entry: object
    status: str = "ok"
    seconds: list = field(default_factory=list)
    warm_seconds: list = field(default_factory=list)
    peak_mb: list = field(default_factory=list)
    warnings: set = field(default_factory=set)
    notes: list = field(default_factory=list)
    params: object = None
    done: bool = False


def _installed(entry):
    from importlib.util import find_spec

    for module in entry.modules:
        try:
            if find_spec(module.split(".")[0]) is None:
                return module
        except (ImportError, ValueError):
            return module
    return None


def run_workload(
    wl, entries, *, repeats, cap, entry_budget, isolation="fork", log=print
):
    """Time ``entries`` on ``wl``; returns one row dict per entry.

    Repeats are interleaved (repeat r runs every entry once, in an order
    rotated by r). An entry stops early on an error or a timeout, or once its
    fits have used ``entry_budget`` seconds in total; its median is over the
    repeats it ran (column ``n``). ``isolation`` is ``"fork"`` (a fork server
    per workload, fast; each child copies the pages it shares with the
    server before its fit), ``"fork-shared"`` (the same without the copy) or
    ``"spawn"`` (a fresh interpreter per fit).
    """
    from _exact import log_likelihood, reference, relative_gap

    start = time.perf_counter()
    ref_params = reference(wl)
    ll_ref = log_likelihood(wl, ref_params)
    elapsed = time.perf_counter() - start
    log(f"  reference log-likelihood {ll_ref:.10g} ({elapsed:.1f} s)")

    states = [_State(e) for e in entries]
    for st in states:
        missing = _installed(st.entry)
        reason = st.entry.not_applicable(wl)
        if missing:
            st.status, st.done = f"not installed ({missing})", True
        elif reason:
            st.status, st.done = reason, True
        elif st.entry.predict_seconds is not None:
            predicted = st.entry.predict_seconds(wl)
            if predicted > cap:
                st.status, st.done = f"> cap (predicted {predicted:.0f} s)", True

    with tempfile.TemporaryDirectory(prefix="bt-bench-") as tmpdir:
        workload_path = Path(tmpdir) / "workload.pkl"
        _dump(wl, workload_path)
        isolation = resolve_isolation(isolation, log)
        if isolation in ("fork", "fork-shared"):
            server = ForkServer(
                workload_path, wl.kind, tmpdir, own_pages=isolation == "fork"
            )
            run_one = server.measure
        else:
            server = None

            def run_one(name, cap):
                return measure(workload_path, wl.kind, name, cap, tmpdir)

        try:
            for r in range(repeats):
                active = [st for st in states if not st.done]
                if not active:
                    break
                shift = r % len(active)
                for st in active[shift:] + active[:shift]:
                    outcome = run_one(st.entry.name, cap)
                    _record(st, outcome, cap, entry_budget)
                    log(f"  [{r + 1}/{repeats}] {st.entry.name}: {_brief(outcome)}")
        finally:
            if server is not None:
                server.close()

    floor = next((st for st in states if st.entry.role == "floor" and st.seconds), None)
    floor_s = statistics.median(floor.seconds) if floor else None
    fastest = _fastest_anchor(states, "seconds")
    fastest_warm = _fastest_anchor(states, "warm_seconds")
    rows = []
    for st in states:
        median = statistics.median(st.seconds) if st.seconds else None
        warm = statistics.median(st.warm_seconds) if st.warm_seconds else None
        ll = log_likelihood(wl, st.params) if st.params is not None else None
        rows.append(
            {
                "workload": wl.name,
                "entry": st.entry.name,
                "role": st.entry.role,
                "status": st.status,
                "n": len(st.seconds),
                "median_s": median,
                "x_fastest_anchor": _ratio(median, fastest),
                "warm_median_s": warm,
                "warm_x_fastest_anchor": _ratio(warm, fastest_warm),
                "x_floor": _ratio(median, floor_s),
                "loglik": ll,
                "ll_gap": relative_gap(ll_ref, ll) if ll is not None else None,
                "peak_mb": max(st.peak_mb) if st.peak_mb else None,
                "warnings": sorted(st.warnings) + st.notes,
            }
        )
    return rows, ll_ref


def _fastest_anchor(states, times):
    """Smallest median of ``times`` (an attribute of _State) among the anchors."""
    medians = [
        statistics.median(getattr(st, times))
        for st in states
        if st.entry.role == "anchor" and getattr(st, times) and st.status == "ok"
    ]
    return min(medians, default=None)


def _record(st, outcome, cap, entry_budget):
    status = outcome["status"]
    if "peak_mb" in outcome and status == "ok":
        st.peak_mb.append(outcome["peak_mb"])
    st.warnings.update(outcome.get("warnings", []))
    for note in outcome.get("notes", []):
        if note not in st.notes:
            st.notes.append(note)
    if status == "timeout":
        st.status, st.done = f"> cap ({cap:.0f} s, timed out)", True
    elif status != "ok":
        st.status, st.done = status, True
    else:
        st.seconds.append(outcome["seconds"])
        st.warm_seconds.append(outcome["warm_seconds"])
        if "params" in outcome:
            st.params = outcome["params"]
        if sum(st.seconds) >= entry_budget:
            st.done = True


def _brief(outcome):
    if outcome["status"] != "ok":
        return outcome["status"]
    mem = outcome.get("peak_mb")
    mem = f", {mem:.0f} MB" if mem is not None else ""
    return f"{outcome['seconds']:.3f} s (warm {outcome['warm_seconds']:.3f} s){mem}"


def _ratio(a, b):
    return a / b if a is not None and b else None


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------
COLUMNS = [
    "entry",
    "n",
    "median s",
    "× fastest anchor",
    "warm s",
    "warm × fastest anchor",
    "× floor",
    "ll gap",
    "peak MB",
    "warnings / status",
]


def _fmt(value, spec):
    return "" if value is None else format(value, spec)


def _gap(value):
    if value is None:
        return ""
    if value != value:  # NaN
        return "nan"
    return f"{value:.1e}" if abs(value) >= 1e-15 else "0"


def format_table(rows):
    """Markdown table of one workload's rows."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(COLUMNS) - 2) + ["---"]) + "|",
    ]
    for row in rows:
        status = "" if row["status"] == "ok" else row["status"]
        remarks = "; ".join(([status] if status else []) + row["warnings"])
        cells = [
            row["entry"],
            str(row["n"]),  # may be "" for a placeholder row
            _fmt(row["median_s"], ".3g"),
            _fmt(row["x_fastest_anchor"], ".2f"),
            _fmt(row.get("warm_median_s"), ".3g"),  # absent in older results
            _fmt(row.get("warm_x_fastest_anchor"), ".2f"),
            _fmt(row["x_floor"], ".1f"),
            _gap(row["ll_gap"]),
            _fmt(row["peak_mb"], ".0f"),
            remarks.replace("|", "/")[:160],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_report(payload, ours_placeholder=None):
    """All workloads' tables as Markdown, with the machine line on top.

    With ``ours_placeholder`` (a string), the ``ours`` rows show it instead of
    numbers, for a README written before the core's numbers are final.
    """
    m = payload["machine"]
    settings = m.get("settings", {})
    lines = [
        f"Measured {m['date'][:10]} on {m['cpu']} ({m['cores']} cores, "
        f"OPENBLAS_NUM_THREADS={m['threads'].get('OPENBLAS_NUM_THREADS')}), "
        f"{m['platform']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
        + ".",
        "",
        f"Command: `{m.get('command', '')}` (repeats={settings.get('repeats')}, "
        f"cap={settings.get('cap_s')} s, entry budget={settings.get('entry_budget_s')}"
        f" s).",
    ]
    if ours_placeholder is None:
        lines += ["", *ratio_table(payload)]
    lines += ["", *summary_table(payload, ours_placeholder)]
    if _has_warm_times(payload):
        lines += [
            "",
            "Warm: the second fit in the same process (no first-call costs, "
            "memory already faulted in).",
            "",
            *summary_table(payload, ours_placeholder, times="warm_median_s"),
        ]
    for wl in payload["workloads"]:
        lines += ["", f"### {wl['name']}", ""]
        if wl.get("skipped"):
            lines.append(f"skipped: {wl['skipped']}")
            continue
        lines.append(f"{wl['description']}.")
        lines += [f"Note: {note}." for note in wl.get("notes", [])]
        lines.append("")
        rows = wl["rows"]
        if ours_placeholder is not None:
            rows = [_placeholder_row(r, ours_placeholder) for r in rows]
        lines.append(format_table(rows))
    return "\n".join(lines)


EXACT_GAP = 1e-7
# The other user paths of ours, each a column of the summary after "ours".
OTHER_OURS = (
    "ours aggregate_pairs + pipeline",
    "ours leaderboard() with intervals",
    "ours leaderboard() randomized intervals",
)


def _has_warm_times(payload):
    return any(
        row.get("warm_median_s") is not None
        for wl in payload["workloads"]
        for row in wl.get("rows", [])
    )


def summary_table(payload, ours_placeholder=None, times="median_s"):
    """One line per workload: the fastest anchor, the fastest exact one, ours.

    "Exact" means a log-likelihood gap of at most ``EXACT_GAP``: the fastest
    anchor overall is often one that stopped early. ``times`` is the row key
    of the times compared: ``"median_s"`` (the first fit in a fresh process)
    or ``"warm_median_s"`` (the second).
    """
    lines = [
        "| workload | N | K or d | fastest anchor: s (ll gap) "
        f"| fastest anchor with gap ≤ {EXACT_GAP:g}: s | ours s | ours ll gap "
        "| ours aggregate_pairs + pipeline s (gap) | ours leaderboard() s (gap) "
        "| ours leaderboard(wald-randomized) s (gap) |",
        "|---|---:|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for wl in payload["workloads"]:
        if wl.get("skipped"):
            continue
        anchors = [r for r in wl["rows"] if r["role"] == "anchor"]
        size = wl["n_items"] if wl["kind"] == "items" else f"d={wl['n_features']}"
        cells = [wl["name"], f"{wl['n_comparisons']:,}", str(size)]
        best = _fastest(anchors, times)
        cells.append(
            f"{best['entry']}: {best[times]:.3g} ({_gap(best['ll_gap'])})"
            if best
            else ""
        )
        best = _fastest(_exact(anchors), times)
        cells.append(f"{best['entry']}: {best[times]:.3g}" if best else "none")
        ours = [r for r in wl["rows"] if r["role"] == "ours"]
        if ours_placeholder is not None:
            cells += [ours_placeholder, "", "", "", ""]
        else:
            by_name = {r["entry"]: r for r in ours}
            cells += _ours_cells(by_name.get("ours"), times)
            for name in OTHER_OURS:
                other = by_name.get(name)
                if other is not None and other.get(times) is not None:
                    cells.append(f"{other[times]:.3g} ({_gap(other['ll_gap'])})")
                else:
                    cells.append(other["status"] if other else "")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ratio_table(payload):
    """One line per workload: ours as a multiple of the fastest anchor.

    Cold and warm (the rows' own ratios, as the per-workload tables show
    them: each against the fastest anchor at that time, which may be another
    one), and cold against the fastest exact anchor (gap at most
    ``EXACT_GAP``); "" where a time is missing.
    """
    lines = [
        "| workload | ours s, cold (warm) | fastest anchor, cold: s (ll gap) "
        "| ours ÷ fastest, cold | warm | ours ÷ fastest exact, cold | ours peak MB |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for wl in payload["workloads"]:
        ours = next((r for r in wl.get("rows", []) if r["entry"] == "ours"), None)
        if wl.get("skipped") or ours is None or ours.get("median_s") is None:
            continue
        anchors = [r for r in wl["rows"] if r["role"] == "anchor"]
        cold = _fastest(anchors, "median_s")
        exact = _fastest(_exact(anchors), "median_s")
        warm_time = ours.get("warm_median_s")
        ours_times = f"{ours['median_s']:.3g}" + (
            f" ({warm_time:.3g})" if warm_time is not None else ""
        )
        cells = [
            wl["name"],
            ours_times,
            f"{cold['entry']}: {cold['median_s']:.3g} ({_gap(cold['ll_gap'])})"
            if cold
            else "",
            _times(ours["x_fastest_anchor"]),
            _times(ours.get("warm_x_fastest_anchor")),
            _times(_ratio(ours["median_s"], exact and exact["median_s"])),
            f"{ours['peak_mb']:.0f}" if ours.get("peak_mb") is not None else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _fastest(rows, times):
    """The row of least ``times`` among those timed, or None."""
    timed = [r for r in rows if r.get(times) is not None]
    return min(timed, key=lambda r: r[times], default=None)


def _exact(rows):
    """The rows whose log-likelihood gap is at most ``EXACT_GAP``."""
    return [
        r for r in rows if r["ll_gap"] is not None and abs(r["ll_gap"]) <= EXACT_GAP
    ]


def _times(ratio):
    return "" if ratio is None else f"{ratio:.2f}x"


def _ours_cells(ours, times):
    if ours is not None and ours.get(times) is not None:
        return [f"{ours[times]:.3g}", _gap(ours["ll_gap"])]
    return [ours["status"] if ours else "", ""]


def _placeholder_row(row, text):
    if row["role"] != "ours":
        return row
    blank = dict.fromkeys(
        ["median_s", "x_fastest_anchor", "warm_median_s", "warm_x_fastest_anchor"]
        + ["x_floor", "ll_gap"]
    )
    return {**row, **blank, "peak_mb": None, "status": text, "warnings": [], "n": ""}


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if sys.argv[1] == "--child":
        child_main(
            sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])
        )
    elif sys.argv[1] == "--server":
        server_main(sys.argv[2], sys.argv[3], own_pages=sys.argv[4] == "own")
