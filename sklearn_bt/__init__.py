"""Bradley-Terry models for pairwise comparisons, as scikit-learn estimators."""

from ._exceptions import MLEDoesNotExistWarning
from ._graph import ComparisonGraph, comparison_graph, restrict_to_largest_component
from ._outcomes import outcomes_from_scores, outcomes_from_winner_loser
from ._pair_transformer import PairTransformer
from ._ranker import BradleyTerryRanker
from ._scoring import pairwise_log_loss_scorer, swap_pairs
from ._win_matrix import pairs_from_win_matrix, win_matrix

__version__ = "0.1.0.dev0"

__all__ = [
    "BradleyTerryRanker",
    "ComparisonGraph",
    "MLEDoesNotExistWarning",
    "PairTransformer",
    "comparison_graph",
    "outcomes_from_scores",
    "outcomes_from_winner_loser",
    "pairs_from_win_matrix",
    "pairwise_log_loss_scorer",
    "restrict_to_largest_component",
    "swap_pairs",
    "win_matrix",
]
