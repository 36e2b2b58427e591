"""Real pairwise-comparison data sets that ship with sklearn_bt.

Each loader returns the pair layout ``[team_a, home_a, team_b, home_b]`` used by
the library, the result for team A (1.0 won, 0.5 drawn, 0.0 lost) and, with
``as_frame=True``, the full table as a pandas DataFrame. The files are bundled
gzip-compressed and verified against a SHA-256 checksum when loaded.
"""

from ._loaders import load_international_football, load_nfl_games

__all__ = ["load_international_football", "load_nfl_games"]
