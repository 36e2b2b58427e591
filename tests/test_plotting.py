"""Tests of the leaderboard forest plot (matplotlib with the Agg backend)."""

import sys

import numpy as np
import pytest

from sklearn_bt import MLEDoesNotExistWarning, leaderboard, plot_leaderboard

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture
def board():
    rng = np.random.default_rng(0)
    theta = np.linspace(-1, 1, 7)
    a = rng.integers(7, size=400)
    b = (a + rng.integers(1, 7, size=400)) % 7
    y = rng.random(400) < 1 / (1 + np.exp(-(theta[a] - theta[b])))
    names = np.array([f"model-{k}" for k in range(7)])
    return leaderboard(names[a], names[b], y.astype(float), anchor="model-3")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _labels_top_down(ax):
    ticks = ax.get_yticks()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    return [label for _, label in sorted(zip(-ticks, labels, strict=True))]


def _bars(ax):
    """Half-widths of the drawn error bars, from the LineCollection."""
    (collection,) = [c for c in ax.collections if len(c.get_segments())]
    return np.array([seg[1, 0] - seg[0, 0] for seg in collection.get_segments()])


def test_forest_plot_is_sorted_with_intervals(board, tmp_path):
    ax = board.plot()
    # The best item at the top.
    assert _labels_top_down(ax) == list(board.table["item"])
    widths = np.sort(_bars(ax))
    expected = np.sort(board.table["upper"] - board.table["lower"])
    np.testing.assert_allclose(widths, expected)
    assert "model-3 = 1000" in ax.get_xlabel()
    assert "95% Wald intervals" in ax.get_title()
    path = tmp_path / "board.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 5000


def test_top_and_given_axes(board):
    fig, ax = plt.subplots()
    assert plot_leaderboard(board, ax=ax, top=3) is ax
    assert _labels_top_down(ax) == list(board.table["item"][:3])
    assert "top 3 of 7" in ax.get_title()
    with pytest.raises(ValueError, match="top must be a positive int"):
        plot_leaderboard(board, top=0)
    with pytest.raises(ValueError, match="must be a Leaderboard"):
        plot_leaderboard(board.table)


def test_unbounded_and_missing_intervals():
    # Two groups never compared: relative to "a", the other group is unbounded.
    a = ["a", "b", "a", "c", "d", "c"]
    b = ["b", "a", "b", "d", "c", "d"]
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(a, b, anchor="a")
    ax = board.plot()
    assert ax.get_legend().get_texts()[0].get_text() == "interval unbounded"
    assert len(_bars(ax)) == 2  # only "a" and "b" have a bar
    plain = leaderboard(["a", "b", "c", "a"], ["b", "c", "a", "c"], interval=None)
    ax = plain.plot()
    assert not [c for c in ax.collections if len(c.get_segments())]
    assert ax.get_title() == "Leaderboard, 3 items"


def test_clear_error_without_matplotlib(board, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        board.plot()


def test_axes_that_are_not_axes_are_a_clear_error(board):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_leaderboard(board, ax="x")
