"""Bradley-Terry models for pairwise comparisons, as scikit-learn estimators."""

from ._exceptions import MLEDoesNotExistWarning
from ._graph import ComparisonGraph, comparison_graph, restrict_to_largest_component
from ._leaderboard import (
    Leaderboard,
    elo_ratings,
    leaderboard,
    leaderboard_from_win_matrix,
)
from ._outcomes import outcomes_from_scores, outcomes_from_winner_loser
from ._pair_transformer import PairTransformer
from ._plotting import plot_leaderboard
from ._ranker import BradleyTerryRanker
from ._scoring import pairwise_log_loss_scorer, score_items, swap_pairs
from ._uncertainty import (
    bootstrap,
    covariance,
    estimates,
    parameter_names,
    standard_errors,
)
from ._win_matrix import (
    aggregate_pairs,
    pairs_from_counts,
    pairs_from_win_matrix,
    win_matrix,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "BradleyTerryRanker",
    "ComparisonGraph",
    "Leaderboard",
    "MLEDoesNotExistWarning",
    "PairTransformer",
    "aggregate_pairs",
    "bootstrap",
    "comparison_graph",
    "covariance",
    "elo_ratings",
    "estimates",
    "leaderboard",
    "leaderboard_from_win_matrix",
    "outcomes_from_scores",
    "outcomes_from_winner_loser",
    "pairs_from_counts",
    "pairs_from_win_matrix",
    "pairwise_log_loss_scorer",
    "parameter_names",
    "plot_leaderboard",
    "restrict_to_largest_component",
    "score_items",
    "standard_errors",
    "swap_pairs",
    "win_matrix",
]
