"""
=========================================================
An arena leaderboard with bootstrap confidence intervals
=========================================================

Chatbot-Arena-style leaderboards rate language models from human votes between
two anonymous answers: "A is better", "B is better" or a tie.  This example
simulates such battles between a dozen models whose true strengths we know,
then builds the leaderboard in one call to :func:`sklearn_bt.leaderboard`:
a Bradley-Terry fit with ties counted as half a win for each side, ratings on
the Elo scale anchored on one model, and percentile bootstrap intervals.
"""

# %%
# Simulated battles
# -----------------
# Twelve models with log-strengths spread over about 2.3 (some 400 Elo
# points).  Popular models fight more often, as in a real arena.  A battle
# ends in a tie with Davidson's probability ``nu * sqrt(pi_A pi_B) / (pi_A +
# pi_B + nu * sqrt(pi_A pi_B))``, about 29% between equals.
import numpy as np

from sklearn_bt import leaderboard

rng = np.random.default_rng(42)
models = np.array(
    [
        "aurora-70b",
        "basalt-8b",
        "cirrus-pro",
        "dune-mini",
        "ember-34b",
        "fjord-chat",
        "granite-13b",
        "halo-ultra",
        "iris-7b",
        "juniper-v2",
        "krill-1b",
        "lumen-large",
    ]
)
true_theta = np.array([1.0, -0.6, 1.2, -0.2, 0.3, 0.1, -0.4, 0.8, -0.9, 0.5, -1.1, 0.6])
popularity = rng.dirichlet(np.full(len(models), 3.0))

n_battles = 4000
a = rng.choice(len(models), size=n_battles, p=popularity)
b = rng.choice(len(models), size=n_battles, p=popularity)
a, b = a[a != b], b[a != b]
nu = 0.8
pi_a, pi_b = np.exp(true_theta[a]), np.exp(true_theta[b])
tie_weight = nu * np.sqrt(pi_a * pi_b)
total = pi_a + pi_b + tie_weight
u = rng.random(len(a)) * total
outcome = np.where(u < pi_a, 1.0, np.where(u < pi_a + tie_weight, 0.5, 0.0))
print(f"{len(a)} battles, {np.mean(outcome == 0.5):.0%} ties")

# %%
# The leaderboard
# ---------------
# ``ties="half"`` counts a tie as half a win for each side.  The Elo scale has
# 400 points for odds of 10 to 1; ``anchor`` pins one model's rating, so every
# interval is relative to it (the anchor's own interval has width zero).  The
# bootstrap resamples the battles 1,000 times; it resamples the counts of the
# distinct (model A, model B, outcome) cells and warm-starts every refit, so
# it takes a second or two.
board = leaderboard(
    models[a],
    models[b],
    outcome,
    ties="half",
    interval="bootstrap",
    n_bootstrap=1000,
    anchor="fjord-chat",
    anchor_rating=1100,
    random_state=0,
)
print(board)

# %%
# ``rank_lower`` is 1 + the number of models whose whole interval lies above
# this one's:
# two models with overlapping intervals share a rank.  The table is a pandas
# DataFrame, ready for further work:
board.table[["item", "rating", "lower", "upper", "rank", "rank_lower"]].round(1)

# %%
# Compared with the truth
# -----------------------
# The true ratings on the same anchored scale.  Ties counted as half wins
# shrink the estimated spread a little (a tie says "close", which the
# half-win rule reads as a 50:50 result), so the estimates sit slightly
# inside the truth, in the same order.
order = np.searchsorted(models, board.table["item"])
true_rating = 1100 + 400 / np.log(10) * (
    true_theta[order] - true_theta[models == "fjord-chat"]
)
for item, estimate, truth in zip(
    board.table["item"], board.table["rating"], true_rating, strict=True
):
    print(f"{item:12s} estimated {estimate:7.1f}   true {truth:7.1f}")

# %%
# A forest plot
# -------------
# ``Leaderboard.plot`` draws each rating with its interval, best at the top;
# the dotted line marks the anchor.
ax = board.plot()
