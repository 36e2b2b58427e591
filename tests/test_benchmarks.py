"""Smoke test of the benchmark harness in ``benchmarks/`` (no timing checks)."""

import signal
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit
from sklearn.metrics import log_loss

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    """The benchmark modules, importable as the run script imports them."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    import _anchors
    import _exact
    import _harness
    import _workloads

    yield _workloads, _exact, _anchors, _harness
    for name in ("_anchors", "_exact", "_harness", "_workloads"):
        sys.modules.pop(name, None)


def _run_items_entries(bench, wl, names):
    """One repeat of the named items entries on ``wl``: (rows, reference ll)."""
    _anchors, _harness = bench[2], bench[3]
    entries = [_anchors.get_entry("items", name) for name in names]
    return _harness.run_workload(
        wl, entries, repeats=1, cap=60, entry_budget=60, log=lambda msg: None
    )


def test_tiny_items_workload_runs_ours_and_an_anchor(bench):
    pytest.importorskip("choix")
    _workloads, _exact, _anchors, _harness = bench
    wl = _workloads.registry()["tiny-items"][0]()
    wl.name = "tiny-items"
    names = [
        "ours",
        "choix.ilsr_pairwise",
        "reference Newton",
        "floor (1 gradient pass)",
    ]
    rows, ll_ref = _run_items_entries(bench, wl, names)

    # The shared log-likelihood agrees with scikit-learn's log loss at the
    # reference optimum (an independent formula), and the reference solve has
    # a zero gradient there.
    theta = _exact.reference(wl)
    p_win = expit(theta[wl.w_idx] - theta[wl.l_idx])
    expected = -log_loss(np.ones(len(p_win)), p_win, labels=[0, 1], normalize=False)
    assert ll_ref == pytest.approx(expected, rel=1e-12)
    assert np.abs(_exact.floor_gradient(wl, theta)).max() < 1e-9

    by_entry = {row["entry"]: row for row in rows}
    assert list(by_entry) == names
    assert all(by_entry[name]["status"] == "ok" for name in names), rows
    assert abs(by_entry["reference Newton"]["ll_gap"]) < 1e-12
    assert abs(by_entry["ours"]["ll_gap"]) < 1e-6
    assert abs(by_entry["choix.ilsr_pairwise"]["ll_gap"]) < 1e-6
    assert by_entry["floor (1 gradient pass)"]["ll_gap"] is None
    assert by_entry["floor (1 gradient pass)"]["x_floor"] == pytest.approx(1.0)
    # Every fit was timed a second time in its process: a time of its own.
    assert all(
        0 < by_entry[name]["warm_median_s"] != by_entry[name]["median_s"]
        for name in names
    ), rows

    table = _harness.format_table(rows).splitlines()
    assert len(table) == 2 + len(names)
    assert all(
        line.startswith(f"| {name} |")
        for line, name in zip(table[2:], names, strict=True)
    )


def test_warm_refit_runs_the_fit_again_unless_it_is_long(bench):
    _harness = bench[3]
    calls = []

    class Entry:
        def fit(self, wl):
            calls.append(wl)

    entry = Entry()
    warm = _harness._time_warm_refit("wl", entry, cold_seconds=0.5, cap=60)
    assert calls == ["wl"]
    assert 0 <= warm < 0.5

    # No alarm is left pending (it would end this process a minute later).
    assert signal.alarm(0) == 0

    long_fit = _harness.WARM_REFIT_MAX_S
    assert _harness._time_warm_refit("wl", entry, long_fit, cap=60) == long_fit
    assert calls == ["wl"]  # a long fit is not repeated: its cold time stands


def _page_faults_writing(values, own_pages):
    """Page faults of a forked child writing one value on each page of ``values``.

    The child first copies its inherited pages if ``own_pages``; it checks
    that the copy left the contents alone. Returns the child's count, or -1
    if the contents changed.
    """
    import os
    import resource

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            from _harness import own_inherited_pages

            intact = True
            if own_pages:
                before = values.copy()
                intact = own_inherited_pages() and np.array_equal(values, before)
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            values[::512] += 1.0  # one float64 on each 4 KiB page
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
            os.write(write_end, str(faults if intact else -1).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as fh:
        return int(fh.read())


def test_forked_child_owns_the_pages_it_shares_with_the_server(bench):
    """After own_inherited_pages a forked child writes without copy-on-write faults.

    The parent's 1 MiB array (256 pages, under the size numpy gives huge
    pages) is shared copy-on-write with a forked child: each first write to
    a page faults. After the copy the writes fault no more, and the values
    are unchanged.
    """
    if not bench[3].can_own_inherited_pages():
        pytest.skip("copying a forked child's pages needs Linux 5.14+")
    values = np.arange(256 * 512, dtype=np.float64)  # touched: resident pages
    shared = _page_faults_writing(values, own_pages=False)
    owned = _page_faults_writing(values, own_pages=True)
    assert shared >= 200
    assert 0 <= owned < 20


def test_fork_falls_back_to_shared_pages_where_they_cannot_be_copied(
    bench, monkeypatch
):
    _harness = bench[3]
    notes = []
    monkeypatch.setattr(_harness, "can_own_inherited_pages", lambda: False)
    assert _harness.resolve_isolation("fork", notes.append) == "fork-shared"
    assert _harness.resolve_isolation("spawn", notes.append) == "spawn"
    assert len(notes) == 1 and "fork-shared" in notes[0]
    monkeypatch.setattr(_harness, "can_own_inherited_pages", lambda: True)
    assert _harness.resolve_isolation("fork", notes.append) == "fork"
    assert len(notes) == 1


def test_ids_in_pandas_columns_reach_every_items_entry(bench):
    # Categorical columns, as a pandas user holds ids: the pipeline gets the
    # DataFrame, leaderboard() the Series, the anchors encode them with pandas.
    wl = bench[0].registry()["tiny-items-category"][0]()
    assert wl.id_type == "category"
    names = [
        "ours",
        "ours aggregate_pairs + pipeline",
        "ours leaderboard() with intervals",
        "ours leaderboard() randomized intervals",
        "LogisticRegression ±1 aggregated",
        "reference Newton",
    ]
    rows, _ = _run_items_entries(bench, wl, names)
    assert all(row["status"] == "ok" for row in rows), rows
    for row in rows:
        assert abs(row["ll_gap"]) < (1e-6 if "Logistic" in row["entry"] else 1e-12)


def test_draws_count_as_half_a_win_in_every_items_entry(bench):
    pytest.importorskip("choix")
    pytest.importorskip("evalica")
    _workloads, _exact = bench[0], bench[1]
    wl = _workloads.registry()["tiny-items-ties"][0]()
    assert 0.1 < wl.ties.mean() < 0.5

    # The shared log-likelihood is that of the half-win model, computed
    # independently here: each draw is half a win and half a loss.
    theta = _exact.reference(wl)
    p_first = expit(theta[wl.w_idx] - theta[wl.l_idx])
    expected = np.sum(
        np.where(wl.ties, 0.5 * np.log(p_first * (1.0 - p_first)), np.log(p_first))
    )
    assert _exact.log_likelihood(wl, theta) == pytest.approx(expected, rel=1e-12)
    assert np.abs(_exact.floor_gradient(wl, theta)).max() < 1e-9

    names = [
        "ours",
        "ours aggregate_pairs + pipeline",
        "ours leaderboard() with intervals",
        "ours leaderboard() randomized intervals",
        "choix.ilsr_pairwise",
        "choix.ilsr_pairwise_dense",
        "evalica.bradley_terry",
        "LogisticRegression ±1 rows",
        "LogisticRegression ±1 aggregated",
        "scipy L-BFGS-B aggregated",
        "reference Newton",
    ]
    rows, _ = _run_items_entries(bench, wl, names)
    by_entry = {row["entry"]: row for row in rows}
    assert by_entry["choix.ilsr_pairwise"]["status"].startswith("n/a"), rows
    for name in names[:4]:  # ours
        assert by_entry[name]["status"] == "ok", rows
        assert abs(by_entry[name]["ll_gap"]) < 1e-12, rows
    for name in names[5:]:
        assert by_entry[name]["status"] == "ok", rows
        assert abs(by_entry[name]["ll_gap"]) < 1e-6, rows


def _row(entry, role, cold, warm, gap, peak=None, ratios=(None, None)):
    # ratios: the cold and warm multiples of the fastest anchor, which
    # run_workload stores in every row.
    return {
        "entry": entry,
        "role": role,
        "median_s": cold,
        "warm_median_s": warm,
        "x_fastest_anchor": ratios[0],
        "warm_x_fastest_anchor": ratios[1],
        "ll_gap": gap,
        "peak_mb": peak,
    }


def test_ratio_table_shows_ours_against_the_fastest_and_the_fastest_exact(bench):
    _harness = bench[3]
    payload = {
        "workloads": [
            {
                "name": "w1",
                "rows": [
                    _row("ours", "ours", 2.0, 1.0, 0.0, peak=12.4, ratios=(2.0, 2.0)),
                    # Fastest cold, but inexact: the exact ratio skips it.
                    _row("fast", "anchor", 1.0, 4.0, 1e-5),
                    # Fastest warm, and the fastest exact one.
                    _row("exact", "anchor", 8.0, 0.5, 1e-9),
                    _row("reference Newton", "reference", 0.1, 0.1, 0.0),
                ],
            },
            {"name": "skipped", "skipped": "no data", "rows": []},
            {
                "name": "w2",
                "rows": [
                    _row("ours", "ours", 3.0, None, 0.0, ratios=(0.5, None)),
                    _row("slow", "anchor", 6.0, None, 2e-3),
                    _row("failed", "anchor", None, None, None),
                ],
            },
        ]
    }
    header, rule, w1, w2 = _harness.ratio_table(payload)
    assert header.startswith("| workload |") and rule.startswith("|---|")
    assert w1 == "| w1 | 2 (1) | fast: 1 (1.0e-05) | 2.00x | 2.00x | 0.25x | 12 |"
    # No warm times, no exact anchor, no peak: empty cells, not an error.
    assert w2 == "| w2 | 3 | slow: 6 (2.0e-03) | 0.50x |  |  |  |"
