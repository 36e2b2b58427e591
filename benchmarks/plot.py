"""Plot median fit time against N for the synthetic items workloads.

Usage::

    python benchmarks/plot.py [RESULTS.json ...] [-o OUT.png]

One panel per id type (int, str); one line per entry; an entry that hit the
time cap is drawn as an upward triangle at the cap.
"""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

STYLE = {
    "ours": dict(lw=2.5, color="black", zorder=5),
    "floor": dict(ls=":", lw=1.2, color="black"),
}
# Ours has several user paths: one line style each, all black.
OURS_STYLE = {
    "ours aggregate_pairs + pipeline": dict(ls="--", lw=2.0, color="black", zorder=5),
    "ours leaderboard() with intervals": dict(ls="-.", lw=1.5, color="dimgray"),
    "ours leaderboard() randomized intervals": dict(ls=":", lw=1.5, color="dimgray"),
}


def _items_workloads(payload):
    chosen = [
        wl
        for wl in payload["workloads"]
        if wl.get("kind") == "items"
        and wl["name"].startswith(("items-", "arena-"))
        and not wl["name"].endswith("-ties")  # the same N as the arena without
    ]
    return sorted(chosen, key=lambda wl: (wl["n_comparisons"], wl["n_items"]))


def plot_items(payload, out_png):
    """Save the time-vs-N figure; returns its path, or None without data."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = _items_workloads(payload)
    if not workloads:
        return None
    cap = payload["machine"].get("settings", {}).get("cap_s")
    id_types = [t for t in ("int", "str") if any(w["id_type"] == t for w in workloads)]
    fig, axes = plt.subplots(
        1, len(id_types), figsize=(7 * len(id_types), 5.5), sharey=True, squeeze=False
    )
    entries = list(dict.fromkeys(r["entry"] for w in workloads for r in w["rows"]))
    colors = dict(zip(entries, plt.cm.tab10.colors * 2, strict=False))
    for ax, id_type in zip(axes[0], id_types, strict=True):
        wls = [w for w in workloads if w["id_type"] == id_type]
        labels = [f"N={w['n_comparisons']:.0e}\nK={w['n_items']}" for w in wls]
        for entry in entries:
            # NaN where an entry has no time, so its line breaks there.
            xs, ys, capped = list(range(len(wls))), [float("nan")] * len(wls), []
            for i, wl in enumerate(wls):
                row = next((r for r in wl["rows"] if r["entry"] == entry), None)
                if row is None:
                    continue
                if row["median_s"] is not None:
                    ys[i] = row["median_s"]
                elif row["status"].startswith("> cap") and cap:
                    capped.append(i)
            rows = (r for w in wls for r in w["rows"] if r["entry"] == entry)
            role = next(rows)["role"]
            style = OURS_STYLE.get(entry, STYLE.get(role, {}))
            style = {"color": colors[entry], **style}
            if any(y == y for y in ys):
                ax.plot(xs, ys, marker="o", label=entry, **style)
            if capped:
                ax.scatter(
                    capped, [cap] * len(capped), marker="^", s=70, color=style["color"]
                )
        if cap:
            ax.axhline(cap, color="red", lw=0.8, ls="--")
            ax.text(
                0,
                cap * 1.08,
                f"cap {cap:.0f} s (▲ = skipped or timed out)",
                color="red",
                fontsize=8,
            )
        ax.set_xticks(range(len(wls)), labels, fontsize=8)
        ax.set_yscale("log")
        ax.set_title(f"{id_type} ids")
        ax.set_xlabel("workload (sorted by N)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("median cold fit time (s), log scale")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=4, fontsize=8, frameon=False)
    machine = payload["machine"]
    fig.suptitle(
        f"Bradley-Terry fit time, items workloads ({machine['date'][:10]}, "
        f"{machine['cpu']}, 1 BLAS thread)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.12, 1, 0.96))
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return out_png


def load_results(paths):
    """Read result JSONs; a later file's workload replaces an earlier one's."""
    payload, by_name, commands = None, {}, []
    for path in paths:
        with open(path) as fh:
            data = json.load(fh)
        payload = payload or data
        by_name.update({wl["name"]: wl for wl in data["workloads"]})
        commands.append(data["machine"].get("command", ""))
    payload["workloads"] = list(by_name.values())
    payload["machine"]["command"] = "`, then `".join(commands)
    return payload


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "results",
        nargs="*",
        type=Path,
        default=[HERE / "results" / "latest.json"],
        help="result JSONs (later files override workloads of earlier ones)",
    )
    parser.add_argument(
        "-o", "--out", type=Path, default=HERE / "results" / "items_time_vs_n.png"
    )
    args = parser.parse_args(argv)
    png = plot_items(load_results(args.results), args.out)
    print(png or "no items workloads in these results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
