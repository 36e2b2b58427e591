"""
Draws and home advantage: international football and the NFL
==============================================================

About one international football match in four ends in a draw, and the home
side wins more often than the visitors.  Dropping the draws throws data away;
counting them as half a win says nothing about how likely a draw is.
Davidson's (1970) model gives a draw its own probability,

    P(A won) : P(draw) : P(B won) = pi_A : nu sqrt(pi_A pi_B) : pi_B,

with one tie parameter ``nu`` fitted jointly with the strengths
(``BradleyTerryRanker(ties="davidson")``).  Home advantage enters as an item
feature "plays at home", because some matches are played at neutral venues:
its coefficient is the home advantage on the log-odds scale.  We fit both
effects on the bundled international football results and NFL games, with
95 % confidence intervals from the observed information ``hessian_``.
"""

# %%
# The data: pair rows ``[team_a, home_a, team_b, home_b]`` and the result for
# team A, 1 / 0.5 / 0.  ``home_a`` is 0 at neutral venues.
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import softmax
from scipy.stats import norm
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_bt import (
    BradleyTerryRanker,
    PairTransformer,
    restrict_to_largest_component,
)
from sklearn_bt.datasets import load_international_football, load_nfl_games

football = load_international_football(as_frame=True, start=2010)
X, y = football.data, football.target.to_numpy()
print(X.head(3))
draws, neutral = np.mean(y == 0.5), np.mean(X.home_a == 0)
print(f"{len(y)} matches, draws: {draws:.1%}, at neutral venues: {neutral:.1%}")


# %%
# Without a penalty, the strengths exist only if the comparison graph is
# strongly connected: every team has beaten, and lost to (or drawn with), the
# rest of the field through some chain of results.  A few teams fail that
# since 2010; keep the largest strongly connected component.  A draw links
# two teams both ways.
def largest_component(X, y):
    winners = X.team_a.where(y >= 0.5, X.team_b)
    losers = X.team_b.where(y >= 0.5, X.team_a)
    keep = restrict_to_largest_component(winners, losers, ties=y == 0.5)
    return X[keep], y[keep]


X, y = largest_component(X, y)
print(f"{len(y)} matches between {X.team_a.nunique()} teams kept")

# %%
# The model: :class:`~sklearn_bt.PairTransformer` applies one
# ``ColumnTransformer`` to both halves of the rows; it names the item-level
# columns ``team`` and ``home`` after ``team_a`` / ``team_b`` and ``home_a`` /
# ``home_b``.  The teams become one-hot strengths, ``home`` passes through,
# and its coefficient (the last one) is the home advantage.


def davidson_with_home_advantage():
    items = ColumnTransformer(
        [("team", OneHotEncoder(), ["team"]), ("home", "passthrough", ["home"])]
    )
    return make_pipeline(PairTransformer(items), BradleyTerryRanker(ties="davidson"))


def report(name, ranker):
    """Home advantage and nu with 95 % intervals from the observed information.

    ``hessian_`` is over [team strengths, home, log nu].  Strengths are
    defined up to a constant, so it is singular; the home effect and nu are
    orthogonal to that direction, and the pseudo-inverse gives their
    variances.
    """
    covariance = np.linalg.pinv(ranker.hessian_, rtol=1e-10)
    z = norm.ppf(0.975)
    home, se_home = ranker.coef_[-1], np.sqrt(covariance[-2, -2])
    nu, se_log_nu = ranker.tie_parameter_, np.sqrt(covariance[-1, -1])
    # The interval for nu is built on the log scale, where the likelihood is
    # closer to quadratic, and is then exponentiated.
    nu_low, nu_high = nu * np.exp(-z * se_log_nu), nu * np.exp(z * se_log_nu)
    print(f"{name}:")
    print(
        f"  home advantage {home:.3f} [{home - z * se_home:.3f}, "
        f"{home + z * se_home:.3f}] (odds x{np.exp(home):.2f})"
    )
    print(
        f"  nu {nu:.3f} [{nu_low:.3f}, {nu_high:.3f}] "
        f"(standard error {ranker.tie_parameter_se_:.3f}); two equal teams draw "
        f"with probability {nu / (2 + nu):.1%}"
    )


football_model = davidson_with_home_advantage().fit(X, y)
report("International football since 2010", football_model[-1])

# %%
# Draws are most likely between equal teams.  The model's outcome
# probabilities against the log-odds ``delta = theta_A - theta_B + home``
# (for Davidson's model, ``log P(A won) - log P(B won)``), next to the
# observed frequencies in bins of ``delta``.
log_proba = football_model.predict_log_proba(X)
delta = log_proba[:, 2] - log_proba[:, 0]
bins = np.quantile(delta, np.linspace(0.005, 0.995, 16))
which = np.clip(np.digitize(delta, bins) - 1, 0, len(bins) - 2)
centres = np.array([delta[which == k].mean() for k in range(len(bins) - 1)])
grid = np.linspace(*np.quantile(delta, [0.005, 0.995]), 200)
log_nu = np.log(football_model[-1].tie_parameter_)
# Davidson's outcome probabilities are a softmax of (-delta/2, log nu, delta/2).
curves = softmax(np.column_stack([-grid / 2, np.full_like(grid, log_nu), grid / 2]), 1)

fig, ax = plt.subplots(figsize=(6, 4))
for column, (label, value, colour) in enumerate(
    [("B won", 0.0, "tab:red"), ("draw", 0.5, "tab:grey"), ("A won", 1.0, "tab:blue")]
):
    observed = [np.mean(y[which == k] == value) for k in range(len(bins) - 1)]
    ax.plot(grid, curves[:, column], color=colour, label=f"P({label})")
    ax.plot(centres, observed, "o", color=colour, markersize=4)
ax.set_xlabel("delta = theta_A - theta_B + home advantage")
ax.set_ylabel("probability")
ax.set_title("Davidson's model on international football (dots: observed)")
ax.legend()
fig.tight_layout()

# %%
# The NFL: ties are rare (overtime decides most games), so nu is small, and
# nearly every game is played at the home team's stadium.
nfl = load_nfl_games(as_frame=True, start=2010)
X_nfl, y_nfl = largest_component(nfl.data, nfl.target.to_numpy())
print(f"{len(y_nfl)} games, ties: {np.mean(y_nfl == 0.5):.2%}")
nfl_model = davidson_with_home_advantage().fit(X_nfl, y_nfl)
report("NFL since 2010", nfl_model[-1])

# %%
# When every row has a home team, the home coefficient is the same as a
# first-position advantage fitted with ``fit_intercept=True``; the feature
# form is what handles neutral venues.  Fit with the intercept on the games
# played at a home stadium:
at_home = (X_nfl.home_a == 1).to_numpy()
intercept_model = make_pipeline(
    PairTransformer(OneHotEncoder()),
    BradleyTerryRanker(ties="davidson", fit_intercept=True),
).fit(X_nfl.loc[at_home, ["team_a", "team_b"]], y_nfl[at_home])
print(f"intercept on home games only: {intercept_model[-1].intercept_:.3f}")
