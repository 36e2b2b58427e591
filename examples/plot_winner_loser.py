"""
Item strengths from winner/loser records
=========================================

The most common form of comparison data is a list of results: who won, who
lost.  Here we rank the teams of the 1987 American League East from simulated
games, with ``PairTransformer(OneHotEncoder())`` turning team names into one
strength per team (the classic Bradley-Terry model), and compare the fit with
the strengths the games were simulated from.
"""

# %%
# Simulate a season: every pair of teams meets 13 times.
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_bt import BradleyTerryRanker, PairTransformer

rng = np.random.default_rng(0)
teams = np.array(["BAL", "BOS", "CLE", "DET", "MIL", "NYY", "TOR"])
true_strength = np.array([-0.9, 0.1, -0.4, 0.5, 0.4, 0.3, 0.2])
rows = []
for i in range(len(teams)):
    for j in range(i + 1, len(teams)):
        p_i = 1 / (1 + np.exp(-(true_strength[i] - true_strength[j])))
        for _ in range(13):
            win = rng.random() < p_i
            rows.append((teams[i], teams[j]) if win else (teams[j], teams[i]))
X = np.array(rows)  # [[winner, loser], ...]
y = np.ones(len(X))  # winner/loser data: item A always won
print(X[:3])

# %%
# Fit: y is all ones, and that is fine (``classes_`` is ``[0, 1]``).
model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
model.fit(X, y)
ranker = model[-1]
names = model[0].transformer_.categories_[0]
for i in np.argsort(-ranker.coef_):
    print(f"{names[i]}: {ranker.coef_[i]:+.2f}")

# %%
# Strengths are defined up to a constant: the fit centres them.  Compare with
# the truth, centred the same way.
estimated = ranker.coef_
truth = true_strength - true_strength.mean()
print("correlation with the truth:", np.corrcoef(estimated, truth)[0, 1].round(3))

# %%
# Predict a match-up: the probability that DET beats BAL.
print(model.predict_proba([["DET", "BAL"]])[0, 1].round(3))
