"""Plots of leaderboards (matplotlib is optional and imported only when plotting)."""

import numpy as np

__all__ = ["plot_leaderboard"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plotting needs matplotlib, which is not installed: "
            "pip install matplotlib (or pip install 'sklearn-bt[plot]')."
        ) from exc
    return plt


def plot_leaderboard(lb, ax=None, top=None):
    """Forest plot of a leaderboard: each item's rating with its interval.

    Items run from the best (top) to the worst (bottom).  An item whose
    interval is unbounded (not identified by the data) is drawn as a hollow
    marker without a bar.

    Parameters
    ----------
    lb : Leaderboard
        The result of :func:`leaderboard`.
    ax : matplotlib Axes, default=None
        Where to draw.  None makes a new figure whose height fits the items.
    top : int, default=None
        Plot only the ``top`` best-rated items.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_bt import leaderboard, plot_leaderboard
    >>> board = leaderboard(["a", "b", "c", "a"], ["b", "c", "a", "c"])
    >>> ax = plot_leaderboard(board)
    >>> [label.get_text() for label in ax.get_yticklabels()]  # best first, at the top
    ['a', 'b', 'c']
    """
    from ._leaderboard import Leaderboard

    if not isinstance(lb, Leaderboard):
        raise ValueError(
            f"lb must be a Leaderboard (from leaderboard()); got {type(lb).__name__}."
        )
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise ValueError(f"top must be a positive int or None; got {top!r}.")
    plt = _pyplot()
    cols, settings = lb._columns, lb.settings
    n = lb.n_items if top is None else min(int(top), lb.n_items)
    labels = [_short(v) for v in cols["item"][:n].tolist()]
    ratings = np.asarray(cols["rating"][:n], dtype=float)
    # The best item at the top: y counts down.
    y = np.arange(n)[::-1]
    if ax is None:
        _, ax = plt.subplots(
            figsize=(7.0, max(2.5, 0.3 * n + 1.3)), layout="constrained"
        )
    elif not hasattr(ax, "errorbar"):
        raise TypeError(
            f"ax must be a matplotlib Axes (or None for a new figure); got "
            f"{type(ax).__name__}."
        )

    if "lower" in cols:
        lower = np.asarray(cols["lower"][:n], dtype=float)
        upper = np.asarray(cols["upper"][:n], dtype=float)
        bounded = np.isfinite(lower) & np.isfinite(upper)
        ax.errorbar(
            ratings[bounded],
            y[bounded],
            xerr=[ratings[bounded] - lower[bounded], upper[bounded] - ratings[bounded]],
            fmt="o",
            color="C0",
            ecolor="C0",
            elinewidth=1.5,
            capsize=3,
            markersize=5,
        )
        if (~bounded).any():
            ax.plot(
                ratings[~bounded],
                y[~bounded],
                "o",
                markerfacecolor="none",
                color="C3",
                label="interval unbounded",
            )
            ax.legend(loc="lower right", fontsize="small")
    else:
        ax.plot(ratings, y, "o", color="C0")

    if settings["anchor"] is not None:
        ax.axvline(settings["anchor_rating"], color="grey", linestyle=":", linewidth=1)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(_xlabel(settings))
    ax.set_title(_title(settings, n, lb.n_items), fontsize="medium")
    return ax


def _short(label, width=32):
    text = str(label)
    return text if len(text) <= width else text[: width - 1] + "…"


def _xlabel(settings):
    label = f"rating ({settings['scale']:g} points = {settings['base']:g}:1 odds"
    if settings["anchor"] is not None:
        label += f"; {_short(settings['anchor'], 24)} = {settings['anchor_rating']:g}"
    return label + ")"


def _title(settings, n_shown, n_items):
    shown = (
        f"top {n_shown} of {n_items} items" if n_shown < n_items else f"{n_items} items"
    )
    if settings["interval"] is None:
        return f"Leaderboard, {shown}"
    pct = f"{100 * settings['confidence']:g}%"
    what = (
        f"{pct} bootstrap intervals, {settings['n_bootstrap']:,} resamples"
        if settings["interval"] == "bootstrap"
        else f"{pct} Wald intervals"
        + (" (sandwich)" if settings.get("sandwich") else "")
    )
    return f"Leaderboard, {shown} ({what})"
