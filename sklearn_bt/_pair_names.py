"""Item-level names of pair columns, and their order in the two halves.

Pair rows ``[x_A | x_B]`` carry names such as ``team_a`` / ``team_b``: the
item-level name is what the two share (see :class:`PairTransformer`'s Notes),
and the B half must list its columns in the A half's order, since pair rows
are split by position.
"""

import re

import numpy as np

_SEPARATORS = "_-. "


def item_feature_names(pair_names, d):
    """Item-level column names from the names of the two halves (see Notes).

    Raises a ValueError when the B half has the A half's columns in another
    order: pair rows are split by position, so they would be mismatched.
    """
    if pair_names is None:
        return np.asarray([f"x{i}" for i in range(d)], dtype=object)
    names_a = [str(n) for n in pair_names[:d]]
    names_b = [str(n) for n in pair_names[d:]]
    check_halves_by_side(names_a, names_b)
    # Whole words first (player1_score / player2_score -> score), then word
    # parts (team1 / team2 -> team, teamA / teamB -> team).
    for split in (_words, _word_parts):
        stems = _shared_stems(names_a, names_b, split)
        if stems is not None:
            return np.asarray(stems, dtype=object)
    check_same_column_order(names_a, names_b)
    return np.asarray(names_a, dtype=object)


def _words(name):
    """``"winner_rank"`` -> ``("winner", "_", "rank")``: words and separators."""
    return tuple(t for t in re.split(f"([{re.escape(_SEPARATORS)}])", name) if t)


# Inside a word: lower to upper case (teamA), letter to digit (team1) and
# digit to letter (1st).
_WORD_PART_BOUNDARY = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])"
)


def _word_parts(name):
    """``"teamA_1"`` -> ``("team", "A", "_", "1")``: words split at case and
    digit boundaries, never inside a run of letters of one case."""
    return tuple(
        part for word in _words(name) for part in _WORD_PART_BOUNDARY.split(word)
    )


def _shared_stems(names_a, names_b, split):
    """The stem of each pair of names, if every pair differs by the same tag.

    Only whole parts (as cut by ``split``) may differ, so ``winner`` /
    ``loser`` share no stem (not ``er``).  None when some pair shares no
    stem, the tags differ, or two columns would get the same stem.
    """
    stems, tags = [], set()
    for name_a, name_b in zip(names_a, names_b, strict=True):
        split_pair = _split_tag(split(name_a), split(name_b))
        if split_pair is None:
            return None
        tag, stem = split_pair
        tags.add(tag)
        stems.append(stem)
    if len(tags) == 1 and len(set(stems)) == len(stems):
        return stems
    return None


def _split_tag(parts_a, parts_b):
    """``(tag_a, tag_b), stem`` of two names cut into parts, or None.

    The tag is the run of parts where the names differ, the stem what is
    left of either name without it.  None when the stem or the tag has no
    word: then the names share only separators, or are equal.
    """
    n_prefix = len(_common_prefix(parts_a, parts_b))
    n_suffix = len(_common_prefix(parts_a[n_prefix:][::-1], parts_b[n_prefix:][::-1]))
    tag_a = "".join(parts_a[n_prefix : len(parts_a) - n_suffix])
    tag_b = "".join(parts_b[n_prefix : len(parts_b) - n_suffix])
    stem = _join_around_tag(parts_a[:n_prefix], parts_a[len(parts_a) - n_suffix :])
    if not stem or not (tag_a + tag_b).strip(_SEPARATORS):
        return None
    return (tag_a, tag_b), stem


def _join_around_tag(before, after):
    """The stem from the parts before and after the tag, with the separator
    that set the tag apart dropped (``stat_a_mean`` -> ``stat_mean``)."""
    before, after = "".join(before), "".join(after)
    separators = tuple(_SEPARATORS)
    if before.endswith(separators) and after.startswith(separators):
        after = after[1:]
    return (before + after).strip(_SEPARATORS)


def _common_prefix(s, t):
    """Longest common prefix of two sequences (strings or tuples of parts)."""
    n = 0
    for item_s, item_t in zip(s, t, strict=False):
        if item_s != item_t:
            break
        n += 1
    return s[:n]


# Words that mark the side of a column, as (A side, B side).  The halves of
# X marked by any of them, column by column, are taken as they are.
_SIDE_WORDS = [
    ("a", "b"),
    ("1", "2"),
    ("winner", "loser"),
    ("w", "l"),
    ("home", "away"),
    ("home", "visitor"),
    ("first", "second"),
    ("left", "right"),
    ("red", "blue"),
    ("chosen", "rejected"),
    ("player", "opponent"),
    ("team", "opponent"),
    ("team", "opp"),
    ("fav", "dog"),
]
# Those that also say a column is on the wrong side when the halves are not
# so marked: the ones that rarely name a feature (``left_reach``,
# ``first_serve``, ``set1`` and ``q2`` do; ``age_a`` hardly).
_STRONG_SIDE_WORDS = [
    ("a", "b"),
    ("winner", "loser"),
    ("home", "away"),
    ("home", "visitor"),
    ("chosen", "rejected"),
]


def check_halves_by_side(names_a, names_b):
    """Refuse halves that the columns' side words contradict.

    Pair rows are split by position.  Columns named by side (``age_a``,
    ``age_b``, ``winner_ht``, ``loser_ht``) say which half each belongs to:
    interleaved columns (``age_a, age_b, ht_a, ht_b``) would pair the age of
    A with the height of A, and halves with different features
    (``winner_age, winner_ht, loser_age, loser_rank``) would compare height
    with rank.  Both are errors, with the columns to select.
    """
    splits = (_words, _word_parts)
    for split in splits:
        tag = _positional_tag(names_a, names_b, split)
        if tag is not None and (tag in _SIDE_WORDS or not tag[0]):
            # The halves differ column by column by a side word, or the B
            # half's names add a suffix (x / x_2, x / x.1): as they should.
            return
    for split in splits:
        for side_words in _STRONG_SIDE_WORDS:
            marked = [_side_key(split(n), side_words) for n in names_a + names_b]
            if any(m is None for m in marked):
                continue
            _raise_if_contradicted(names_a, names_b, marked, side_words)


def _positional_tag(names_a, names_b, split):
    """The tag (lower case) by which every A column differs from the B column
    at its position, or None when they differ by different tags."""
    tags = set()
    for name_a, name_b in zip(names_a, names_b, strict=True):
        split_pair = _split_tag(split(name_a), split(name_b))
        if split_pair is None:
            return None
        (tag_a, tag_b), _ = split_pair
        tags.add((tag_a.strip(_SEPARATORS).lower(), tag_b.strip(_SEPARATORS).lower()))
    return tags.pop() if len(tags) == 1 else None


def _side_key(parts, side_words):
    """``(name with its side word blanked, side)``, or None unless the name
    has exactly one of the two side words."""
    found = [i for i, part in enumerate(parts) if part.lower() in side_words]
    if len(found) != 1:
        return None
    i = found[0]
    return parts[:i] + ("\0",) + parts[i + 1 :], side_words.index(parts[i].lower())


def _raise_if_contradicted(names_a, names_b, marked, side_words):
    names = names_a + names_b
    by_key = {}
    for name, (key, side) in zip(names, marked, strict=True):
        by_key.setdefault(key, [None, None])[side] = name
    a_side = [pair[0] for pair in by_key.values()]
    b_side = [pair[1] for pair in by_key.values()]
    complete = len(by_key) * 2 == len(names) and None not in a_side + b_side
    if complete and set(a_side) != set(names_a):
        raise ValueError(
            f"The columns of X look interleaved: by their names "
            f"({side_words[0]!r} / {side_words[1]!r}), the A half holds "
            f"{names_a!r} and the B half {names_b!r}, but pair rows are split by "
            "position: the first half of the columns describes item A, the "
            "second half item B, in the same order. Select them so: "
            f"X[{a_side + b_side!r}] (or, if {side_words[0]!r} and "
            f"{side_words[1]!r} name features rather than sides, rename them)."
        )
    sides_match_halves = all(
        side == (0 if i < len(names_a) else 1) for i, (_, side) in enumerate(marked)
    )
    shared = any(None not in pair for pair in by_key.values())
    if sides_match_halves and shared and not complete:
        missing = [
            pair[0] if pair[1] is None else pair[1]
            for pair in by_key.values()
            if None in pair
        ]
        raise ValueError(
            f"The two halves of X hold different features: by their names "
            f"({side_words[0]!r} / {side_words[1]!r}), {missing!r} have no "
            "counterpart in the other half. Pair rows need the same features "
            "for A and for B, in the same order."
        )


def check_same_column_order(names_a, names_b):
    """Refuse a B half that has the A half's columns in another order.

    Pair rows are split by position, so ``length_a, helpful_a, helpful_b,
    length_b`` would compare the length of A with the helpfulness of B.
    """
    check_halves_by_side(names_a, names_b)
    for split in (_words, _word_parts):
        order = _b_column_order(names_a, names_b, split)
        if order is None or order == list(range(len(names_b))):
            continue
        i = next(i for i, j in enumerate(order) if i != j)
        matching = names_a + [names_b[j] for j in order]
        fix = (
            f"X[{matching!r}]"
            if len(matching) <= 20
            else "X[a_columns + b_columns], b_columns naming the B column of each "
            "A column in the same order"
        )
        raise ValueError(
            "The B half of X has the same columns as the A half but in a different "
            f"order: pair rows are split by position, which pairs {names_a[i]!r} "
            f"with {names_b[i]!r} instead of {names_b[order[i]]!r}. Select the "
            f"columns so that the B half follows the order of the A half: {fix}."
        )


def _b_column_order(names_a, names_b, split):
    """Position in B of the counterpart of each A column, or None.

    The counterpart renames a leading or trailing tag (``_a`` -> ``_b``,
    ``winner_`` -> ``loser_``), found by pairing the first A column with
    each B column in turn; None when no tag maps the A names onto the B names.
    """
    parts_a = [split(n) for n in names_a]
    position_b = {split(n): j for j, n in enumerate(names_b)}
    for candidate in position_b:
        rename = _tag_rename(parts_a[0], candidate)
        if rename is None:
            continue
        order = []
        for parts in parts_a:
            counterpart = rename(parts)
            if counterpart not in position_b:
                break
            order.append(position_b[counterpart])
        else:
            if len(set(order)) == len(names_b):
                return order
    return None


def _tag_rename(parts_a, parts_b):
    """A function renaming A parts to B parts by the tag of this pair, or None.

    Only a tag at the start or the end generalises to the other columns;
    the renamed name must keep a word besides the tag.
    """
    if _split_tag(parts_a, parts_b) is None:
        return None
    n_prefix = len(_common_prefix(parts_a, parts_b))
    n_suffix = len(_common_prefix(parts_a[::-1], parts_b[::-1]))
    if n_prefix == 0:  # tag at the start
        tag_a, tag_b = (
            parts_a[: len(parts_a) - n_suffix],
            parts_b[: len(parts_b) - n_suffix],
        )

        def rename(parts):
            rest = parts[len(tag_a) :]
            keep = parts[: len(tag_a)] == tag_a and "".join(rest).strip(_SEPARATORS)
            return tag_b + rest if keep else None

    elif n_suffix == 0:  # tag at the end
        tag_a, tag_b = parts_a[n_prefix:], parts_b[n_prefix:]

        def rename(parts):
            rest = parts[: len(parts) - len(tag_a)]
            keep = parts[len(rest) :] == tag_a and "".join(rest).strip(_SEPARATORS)
            return rest + tag_b if keep else None

    else:  # a tag inside the name: its place in other names is ambiguous
        return None
    return rename


def check_item_columns(X_items, item_names, a_names):
    """``X_items`` with the item-level column names, or a ValueError.

    Items are read by column position: named columns in another order (or
    other columns) would be weighed by the wrong coefficients.  A DataFrame
    may name them at the item level (``length``) or as the A half
    (``length_a``); other input passes as it is.
    """
    columns = getattr(X_items, "columns", None)
    if columns is None:
        return X_items
    columns, item_names = [str(c) for c in columns], [str(n) for n in item_names]
    if columns == item_names:
        return X_items
    if columns == [str(n) for n in a_names]:
        return X_items.set_axis(item_names, axis=1)
    raise ValueError(
        f"X_items has the columns {columns}, but the items were fitted with the "
        f"columns {item_names} (or {[str(n) for n in a_names]}), in this order. "
        f"Select them in that order, e.g. X_items[{item_names!r}]."
    )
