"""Bradley-Terry models for pairwise comparisons, as scikit-learn estimators."""

from ._exceptions import MLEDoesNotExistWarning
from ._pair_transformer import PairTransformer
from ._ranker import BradleyTerryRanker
from ._scoring import pairwise_log_loss_scorer, swap_pairs

__version__ = "0.1.0.dev0"

__all__ = [
    "BradleyTerryRanker",
    "MLEDoesNotExistWarning",
    "PairTransformer",
    "pairwise_log_loss_scorer",
    "swap_pairs",
]
