"""
Choosing the prior strength with GridSearchCV in a Pipeline
===========================================================

A reward model learned from preferences: each item has features, its utility
is ``theta = w . x``, and people preferred A over B.  The data is in the
winner/loser form (the preferred item first, ``y`` all ones).  We choose the
L2 prior ``alpha`` by cross-validated pairwise log-loss.

Two things matter here:

* scaling features with a bare ``StandardScaler`` on ``[x_A | x_B]`` scales the
  halves differently and, on winner/loser data, removes the signal;
  ``PairTransformer(StandardScaler())`` shares one scaler between A and B;
* the stock ``"neg_log_loss"`` scorer fails on one-label folds; use
  ``pairwise_log_loss_scorer``, or ``swap_pairs`` to give the data both labels.
"""

# %%
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_bt import (
    BradleyTerryRanker,
    PairTransformer,
    pairwise_log_loss_scorer,
    swap_pairs,
)

rng = np.random.default_rng(0)
n_pairs, n_features = 2000, 8
true_w = rng.normal(size=n_features)
x_a = rng.normal(loc=3.0, scale=2.0, size=(n_pairs, n_features))
x_b = rng.normal(loc=3.0, scale=2.0, size=(n_pairs, n_features))
a_wins = rng.random(n_pairs) < 1 / (1 + np.exp(-(x_a - x_b) @ true_w / 2.0))
winner = np.where(a_wins[:, None], x_a, x_b)
loser = np.where(a_wins[:, None], x_b, x_a)
X = np.hstack([winner, loser])
y = np.ones(n_pairs)

# %%
# The pitfall: a bare StandardScaler centres each half on its own mean, and on
# winner/loser data the difference between the halves *is* the signal.
bare = make_pipeline(StandardScaler(), BradleyTerryRanker(alpha=1.0)).fit(X, y)
paired = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker(alpha=1.0))
paired.fit(X, y)
print("bare scaler, coef:  ", bare[-1].coef_.round(2))
print("paired scaler, coef:", paired[-1].coef_.round(2))

# %%
# Grid search over alpha with the one-label-safe scorer.
search = GridSearchCV(
    paired,
    {"bradleyterryranker__alpha": [0.01, 1.0, 100.0, 10000.0]},
    scoring=pairwise_log_loss_scorer,
    cv=5,
)
search.fit(X, y)
print("best alpha:", search.best_params_["bradleyterryranker__alpha"])
print("mean log-loss per alpha:", (-search.cv_results_["mean_test_score"]).round(4))

# %%
# Or swap half the pairs, so the stock scorers work too.
X_swapped, y_swapped = swap_pairs(X, y, random_state=0)
search = GridSearchCV(
    paired,
    {"bradleyterryranker__alpha": [0.01, 1.0, 100.0, 10000.0]},
    scoring="neg_log_loss",
    cv=5,
).fit(X_swapped, y_swapped)
print("best alpha (stock scorer, swapped pairs):", search.best_params_)

# %%
# The fitted reward model scores items never compared, from their features.
new_items = rng.normal(loc=3.0, scale=2.0, size=(3, n_features))
print(search.best_estimator_[-1].coef_.round(2))
scaled = search.best_estimator_[0].transformer_.transform(new_items)
rewards = search.best_estimator_[-1].score_items(scaled)
print("rewards of three new items:", rewards.round(2))
