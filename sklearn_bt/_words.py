"""Words of messages, shared by the library and its command line.

No import beyond the standard library: the command line's ``--help`` must not
load scikit-learn.
"""


def plural(count, word):
    """``"1 item"``, ``"2 items"``, ``"1,000.5 comparisons"``: a count and its noun."""
    whole = float(count).is_integer()
    number = f"{int(count):,}" if whole else f"{count:,.1f}"
    return f"{number} {word}" + ("" if count == 1 else "s")
