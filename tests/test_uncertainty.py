"""Tests of standard errors, covariances and the bootstrap.

Independent references: R's BradleyTerry2 as published (Agresti 2002), and
statsmodels' GLM / Logit fits, whose standard errors come from their own IRLS
or Newton code on a design built here with one reference column dropped.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_bt import (
    BradleyTerryRanker,
    MLEDoesNotExistWarning,
    PairTransformer,
    _uncertainty,
    bootstrap,
    covariance,
    estimates,
    leaderboard,
    parameter_names,
    standard_errors,
)

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _item_model(**params):
    return make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker(**params))


def _fit(model, X, y, weight=None):
    return model.fit(X, y, bradleyterryranker__sample_weight=weight)


def _glm_relative(winners, losers, counts, reference):
    """statsmodels GLM fit of BT with the reference column dropped (BT2's way)."""
    items = np.unique(np.concatenate([winners, losers]))
    others = [i for i in items if i != reference]
    D = np.zeros((len(winners), len(others)))
    for j, item in enumerate(others):
        D[:, j] = (winners == item).astype(float) - (losers == item)
    glm = sm.GLM(
        np.ones(len(winners)),
        D,
        family=sm.families.Binomial(),
        freq_weights=np.asarray(counts, float),
    ).fit(tol=1e-12)
    return dict(zip(others, glm.params, strict=True)), dict(
        zip(others, glm.bse, strict=True)
    )


def _random_items(n_items=6, n_rows=400, seed=0, connected=True):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_items)
    a = rng.integers(n_items, size=n_rows)
    b = (a + rng.integers(1, n_items, size=n_rows)) % n_items
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    y = (rng.random(n_rows) < p).astype(float)
    names = np.array([f"i{k}" for k in range(n_items)])
    return np.column_stack([names[a], names[b]]), y


# ---------------------------------------------------------------------------
# R's BradleyTerry2, as published
# ---------------------------------------------------------------------------


def _baseball(shared_data):
    data = pd.read_csv(shared_data / "bt2_baseball.csv")
    X = np.concatenate(
        [
            data[["home_team", "away_team"]].to_numpy(),
            data[["away_team", "home_team"]].to_numpy(),
        ]
    )
    counts = np.concatenate([data["home_wins"], data["away_wins"]]).astype(float)
    return data, X, counts


def test_baseball_abilities_relative_to_baltimore(shared_data):
    _, X, counts = _baseball(shared_data)
    model = _fit(_item_model(), X, np.ones(len(X)), counts)
    names = parameter_names(model)
    est = estimates(model, reference="Baltimore")
    se = standard_errors(model, reference="Baltimore")
    others = names != "x0_Baltimore"
    # Agresti (2002), Table 10.11.
    np.testing.assert_allclose(
        np.sort(est[others]), [0.68, 1.11, 1.25, 1.29, 1.44, 1.58], atol=0.006
    )
    np.testing.assert_allclose(se[others], 0.33, atol=0.015)
    assert se[~others] == 0.0
    # statsmodels' GLM on the design without Baltimore: the same to 1e-6.
    glm_est, glm_se = _glm_relative(X[:, 0], X[:, 1], counts, "Baltimore")
    for name, value, error in zip(names, est, se, strict=True):
        team = name.removeprefix("x0_")
        if team != "Baltimore":
            assert value == pytest.approx(glm_est[team], abs=1e-6)
            assert error == pytest.approx(glm_se[team], rel=1e-6)


def test_baseball_home_advantage(shared_data):
    data, _, _ = _baseball(shared_data)
    home_first = data[["home_team", "away_team"]].to_numpy()
    X = np.concatenate([home_first, home_first])
    y = np.concatenate([np.ones(len(data)), np.zeros(len(data))])
    counts = np.concatenate([data["home_wins"], data["away_wins"]]).astype(float)
    model = _fit(_item_model(fit_intercept=True), X, y, counts)
    names = parameter_names(model)
    assert names[-1] == "intercept"
    est = estimates(model, reference="Baltimore")
    se = standard_errors(model, reference="Baltimore")
    # Agresti (2002): home advantage 0.302 (SE about 0.13), abilities
    # normalised to sum to one.
    assert est[-1] == pytest.approx(0.3023, abs=5e-4)
    assert se[-1] == pytest.approx(0.131, abs=0.002)
    pi = np.exp(est[:-1])
    np.testing.assert_allclose(
        np.sort(pi / pi.sum()),
        [0.044, 0.088, 0.137, 0.157, 0.164, 0.190, 0.220],
        atol=6e-4,
    )
    # The home effect as an item feature (home team as A, always at home)
    # is the same parameter, with the same standard error.
    frame = pd.DataFrame(
        {"team_a": X[:, 0], "home_a": 1.0, "team_b": X[:, 1], "home_b": 0.0}
    )
    inner = ColumnTransformer(
        [("item", OneHotEncoder(), ["team"]), ("home", "passthrough", ["home"])]
    )
    feature_model = make_pipeline(PairTransformer(inner), BradleyTerryRanker())
    _fit(feature_model, frame, y, counts)
    feature_names = parameter_names(feature_model)
    assert feature_names[-1] == "home__home"
    feature_se = standard_errors(feature_model, reference="Baltimore")
    np.testing.assert_allclose(feature_se, se, rtol=1e-6)
    np.testing.assert_allclose(
        estimates(feature_model, reference="Baltimore"), est, atol=1e-7
    )


def test_citations_relative_to_biometrika(shared_data):
    data = pd.read_csv(shared_data / "bt2_citations.csv")
    X = data[["winner", "loser"]].to_numpy()
    counts = data["count"].to_numpy(float)
    model = _fit(_item_model(), X, np.ones(len(X)), counts)
    names = parameter_names(model)
    est = dict(zip(names, estimates(model, reference="Biometrika"), strict=True))
    se = dict(zip(names, standard_errors(model, reference="Biometrika"), strict=True))
    # Stigler (1994) via Agresti (2002).
    published = {
        "Comm Statist": (-2.949, 0.103),
        "JASA": (-0.480, 0.061),
        "JRSS-B": (0.269, 0.071),
    }
    for journal, (value, error) in published.items():
        assert est[f"x0_{journal}"] == pytest.approx(value, abs=6e-4)
        assert se[f"x0_{journal}"] == pytest.approx(error, abs=6e-4)
    # Sum-to-zero strengths are the fitted coef_, up to rounding.
    np.testing.assert_allclose(estimates(model), model[-1].coef_, atol=1e-12)


# ---------------------------------------------------------------------------
# statsmodels on a feature model
# ---------------------------------------------------------------------------


def test_feature_model_matches_statsmodels_logit():
    rng = np.random.default_rng(3)
    n, d = 300, 3
    x_a, x_b = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    w = np.array([1.0, -0.5, 0.25])
    p = 1 / (1 + np.exp(-(0.3 + (x_a - x_b) @ w)))
    y = (rng.random(n) < p).astype(int)
    model = BradleyTerryRanker(fit_intercept=True).fit(np.hstack([x_a, x_b]), y)
    logit = sm.Logit(y, np.column_stack([x_a - x_b, np.ones(n)])).fit(
        disp=0, method="newton", tol=1e-12
    )
    np.testing.assert_allclose(
        estimates(model), np.append(model.coef_, model.intercept_)
    )
    np.testing.assert_allclose(estimates(model), logit.params, rtol=1e-7)
    np.testing.assert_allclose(standard_errors(model), logit.bse, rtol=1e-7)
    np.testing.assert_allclose(covariance(model), logit.cov_params(), rtol=1e-6)
    assert list(parameter_names(model)) == ["x0", "x1", "x2", "intercept"]


def test_penalised_feature_model_inverts_the_penalised_hessian():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 4))
    y = (X[:, 0] - X[:, 2] + rng.normal(size=50) > 0).astype(int)
    model = BradleyTerryRanker(alpha=2.0).fit(X, y)
    D = X[:, :2] - X[:, 2:]
    p = 1 / (1 + np.exp(-D @ model.coef_))
    # The penalised information, built here from its definition.
    information = (D * (p * (1 - p))[:, None]).T @ D + 2.0 * np.eye(2)
    np.testing.assert_allclose(covariance(model), np.linalg.inv(information), rtol=1e-8)


# ---------------------------------------------------------------------------
# Parameterisations
# ---------------------------------------------------------------------------


def test_reference_and_sum_to_zero_agree_on_differences():
    X, y = _random_items(n_items=7, seed=1)
    model = _fit(_item_model(), X, y)
    cov_sum = covariance(model)
    cov_ref = covariance(model, reference="i3")
    est_sum, est_ref = estimates(model), estimates(model, reference="i3")
    for i, j in [(0, 1), (2, 6), (3, 5)]:
        var_sum = cov_sum[i, i] + cov_sum[j, j] - 2 * cov_sum[i, j]
        var_ref = cov_ref[i, i] + cov_ref[j, j] - 2 * cov_ref[i, j]
        assert var_sum == pytest.approx(var_ref, rel=1e-9)
        assert est_sum[i] - est_sum[j] == pytest.approx(est_ref[i] - est_ref[j])
    # Sum-to-zero strengths sum to zero, with a singular covariance.
    assert abs(est_sum.sum()) < 1e-10
    np.testing.assert_allclose(cov_sum.sum(axis=0), 0, atol=1e-10)
    # The reference has no variance; standard_errors is the covariance diagonal.
    assert cov_ref[3, 3] == 0 and cov_ref[3].max() == 0
    np.testing.assert_allclose(standard_errors(model), np.sqrt(np.diag(cov_sum)))
    np.testing.assert_allclose(
        standard_errors(model, reference="x0_i3"), np.sqrt(np.diag(cov_ref))
    )
    # Sum-to-zero variances are the centred reference covariance, P C P.
    P = np.eye(7) - 1 / 7
    np.testing.assert_allclose(P @ cov_ref @ P, cov_sum, atol=1e-12)


@pytest.mark.filterwarnings("ignore:The exact standard errors:UserWarning")
def test_sparse_factorisation_matches_the_dense_one(monkeypatch):
    X, y = _random_items(n_items=9, n_rows=300, seed=2)
    for alpha in (0.0, 0.5):
        model = _fit(_item_model(alpha=alpha), X, y)
        dense = [
            standard_errors(model),
            standard_errors(model, reference="i4"),
            covariance(model, items=["i0", "i8", "i4"]),
        ]
        # Sparse: a few columns by conjugate gradients, the diagonal densely or
        # by LU factors; or everything by the LU factors.
        for cg_columns, dense_diag in [(16, 100), (16, 2), (0, 2)]:
            with monkeypatch.context() as m:
                m.setattr(_uncertainty, "_EAGER_DENSE_MAX_PARAMS", 2)
                m.setattr(_uncertainty, "_DENSE_INVERSE_MAX_PARAMS", dense_diag)
                m.setattr(_uncertainty, "_SOLVE_BLOCK", 4)
                m.setattr(_uncertainty, "_CG_MAX_COLUMNS", cg_columns)
                sparse = [
                    standard_errors(model),
                    standard_errors(model, reference="i4"),
                    covariance(model, items=["i0", "i8", "i4"]),
                ]
            for got, expected in zip(sparse, dense, strict=True):
                np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-14)


@pytest.mark.filterwarnings("ignore:The exact standard errors:UserWarning")
@pytest.mark.parametrize("route", ["cg", "lu"])
def test_routes_for_large_models_match_the_dense_one(monkeypatch, route):
    # Beyond the dense limit the diagonal comes from block CG on the Hessian
    # shifted along its null space (another generalised inverse), or from
    # sparse LU when a first CG block converges slowly: the same variances.
    X, y = _random_items(n_items=11, n_rows=400, seed=3)
    X_other, y_other = _random_items(n_items=4, n_rows=60, seed=4)
    X_parts = np.vstack([X, np.char.add("o", X_other.astype(str))])
    y_parts = np.concatenate([y, y_other])
    with pytest.warns(MLEDoesNotExistWarning):
        two_parts = _fit(_item_model(), X_parts, y_parts)  # two null directions
    # Home advantage and a tie parameter: rows beyond the items.
    rng = np.random.default_rng(5)
    outcome = np.where(rng.random(len(y)) < 0.15, 0.5, y)
    board = leaderboard(
        X[:, 0], X[:, 1], outcome, home_a=(rng.random(len(y)) < 0.5), ties="davidson"
    )
    extra = board.model
    cases = [
        (_fit(_item_model(), X, y), {}),
        (_fit(_item_model(alpha=0.3), X, y), {}),
        (_fit(_item_model(), X, y), {"reference": "i4"}),
        (two_parts, {}),
        (extra, {}),
        (extra, {"reference": "i2"}),
    ]
    dense = [standard_errors(model, **kwargs) for model, kwargs in cases]
    extra[-1].hessian_ = sp.csr_array(extra[-1].hessian_)  # dense for leaderboards
    monkeypatch.setattr(_uncertainty, "_EAGER_DENSE_MAX_PARAMS", 2)
    monkeypatch.setattr(_uncertainty, "_DENSE_INVERSE_MAX_PARAMS", 2)
    monkeypatch.setattr(_uncertainty, "_SOLVE_BLOCK", 5)
    if route == "lu":
        monkeypatch.setattr(_uncertainty, "_CG_MAX_ITERATIONS", 0)
    for (model, kwargs), expected in zip(cases, dense, strict=True):
        structure = _uncertainty._structure(model)
        param = _uncertainty._parameterisation(structure, kwargs.get("reference"))
        ginv = _uncertainty._ginverse(structure, param)
        ginv.diag()
        assert ginv._route == route
        got = standard_errors(model, **kwargs)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-15)


def test_bare_ranker_on_one_hot_rows_finds_the_items():
    X, y = _random_items(n_items=5, seed=5)
    pipe = _fit(_item_model(), X, y)
    X_one_hot = pipe[0].transform(X)
    ranker = BradleyTerryRanker().fit(X_one_hot, y)
    np.testing.assert_allclose(standard_errors(ranker), standard_errors(pipe))
    np.testing.assert_allclose(
        standard_errors(ranker, reference=2),
        standard_errors(pipe, reference="i2"),
    )


def test_disconnected_items_are_not_identified_across_parts():
    # Two groups of items never compared with each other.
    X = np.array([["a", "b"], ["b", "a"], ["a", "b"], ["c", "d"], ["d", "c"]])
    with pytest.warns(MLEDoesNotExistWarning):
        model = _fit(_item_model(), X, np.ones(len(X)))
    with pytest.warns(UserWarning, match="not identifiable.*x0_c, x0_d"):
        se = standard_errors(model, reference="a")
    assert se[0] == 0 and np.isfinite(se[1]) and np.isinf(se[2:]).all()
    # Sum-to-zero within each part is fine.
    se_parts = standard_errors(model)
    assert np.isfinite(se_parts).all()
    np.testing.assert_allclose(estimates(model)[:2].sum(), 0, atol=1e-12)
    # With a prior everything is identified.
    penalised = _fit(_item_model(alpha=1.0), X, np.ones(len(X)))
    assert np.isfinite(standard_errors(penalised, reference="a")).all()


def test_bad_reference_and_model_are_clear_errors():
    X, y = _random_items(n_items=4, seed=6)
    model = _fit(_item_model(), X, y)
    with pytest.raises(ValueError, match="'zz' is not an item"):
        standard_errors(model, reference="zz")
    with pytest.raises(ValueError, match="must be a fitted BradleyTerryRanker"):
        standard_errors(OneHotEncoder().fit(X))
    features = BradleyTerryRanker().fit(
        np.random.default_rng(0).normal(size=(20, 4)), np.arange(20) % 2
    )
    with pytest.raises(ValueError, match="not an item"):
        standard_errors(features, reference="x0")


# ---------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------


def test_bootstrap_is_reproducible_and_independent_of_n_jobs():
    X, y = _random_items(n_items=5, n_rows=200, seed=7)
    model = _fit(_item_model(), X, y)
    first = bootstrap(model, X, y, n_bootstrap=30, random_state=11)
    again = bootstrap(model, X, y, n_bootstrap=30, random_state=11)
    parallel = bootstrap(model, X, y, n_bootstrap=30, random_state=11, n_jobs=2)
    other = bootstrap(model, X, y, n_bootstrap=30, random_state=12)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, parallel)
    assert not np.allclose(first, other)
    # Sum-to-zero samples; relative to a reference the reference stays at 0.
    np.testing.assert_allclose(first.sum(axis=1), 0, atol=1e-10)
    relative = bootstrap(model, X, y, reference="i0", n_bootstrap=30, random_state=11)
    np.testing.assert_allclose(relative[:, 0], 0)
    np.testing.assert_allclose(
        relative[:, 1] - relative[:, 2], first[:, 1] - first[:, 2]
    )


def test_bootstrap_equals_refits_on_resampled_rows():
    # Each replicate is a multinomial draw of the comparisons: refitting the
    # ranker on the same draw, as row weights, must give the same parameters.
    # With one row per ordered pair, in sorted order, the cells of the draw
    # are the rows.
    names = np.array(list("abcd"))
    a, b = np.nonzero(~np.eye(4, dtype=bool))
    X = np.column_stack([names[a], names[b]])
    y = np.array([1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0], dtype=float)
    weights = np.arange(1.0, 13.0)
    model = _fit(_item_model(), X, y, weights)
    samples = bootstrap(
        model, X, y, sample_weight=weights, n_bootstrap=3, random_state=5
    )
    seeds = np.random.SeedSequence(5).spawn(3)
    for seed, sample in zip(seeds, samples, strict=True):
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(int(weights.sum()), weights / weights.sum())
        refit = _fit(_item_model(), X, y, draws.astype(float))
        np.testing.assert_allclose(sample, estimates(refit), atol=1e-7)


def test_bootstrap_of_a_feature_model_matches_wald():
    rng = np.random.default_rng(9)
    n = 800
    X = rng.normal(size=(n, 4))
    p = 1 / (1 + np.exp(-(0.2 + (X[:, :2] - X[:, 2:]) @ [0.8, -0.4])))
    y = (rng.random(n) < p).astype(int)
    model = BradleyTerryRanker(fit_intercept=True).fit(X, y)
    samples = bootstrap(model, X, y, n_bootstrap=300, random_state=0)
    np.testing.assert_allclose(samples.mean(axis=0), estimates(model), atol=0.03)
    np.testing.assert_allclose(samples.std(axis=0), standard_errors(model), rtol=0.15)


def test_bootstrap_coverage_with_known_strengths():
    """90% percentile intervals cover the true centred strengths about 90% of
    the time: 40 data sets of 5 items (200 comparisons each), 200 resamples."""
    theta = np.array([-0.8, -0.4, 0.0, 0.4, 0.8])
    names = np.array(list("abcde"))
    a, b = np.triu_indices(5, 1)
    a, b = np.repeat(a, 20), np.repeat(b, 20)
    X = np.column_stack([names[a], names[b]])
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    rng = np.random.default_rng(2024)
    covered, widths, wald = [], [], []
    for _ in range(40):
        y = (rng.random(len(a)) < p).astype(float)
        model = _fit(_item_model(), X, y)
        samples = bootstrap(model, X, y, n_bootstrap=200, random_state=rng)
        lower, upper = np.percentile(samples, [5, 95], axis=0)
        covered.append((lower <= theta) & (theta <= upper))
        widths.append(upper - lower)
        wald.append(2 * 1.645 * standard_errors(model))
    coverage = np.mean(covered)
    # 200 intervals: a binomial standard deviation of 0.021 around 0.90.
    assert 0.83 <= coverage <= 0.97, coverage
    # And the intervals are as wide as the asymptotic ones, not just wide.
    assert np.mean(widths) == pytest.approx(np.mean(wald), rel=0.1)


def _c_lost_once():
    """Comparisons where "c" lost only once: about a third of the resamples
    drop that loss... and its only win, leaving it without a finite strength."""
    X = np.array([["a", "b"]] * 6 + [["b", "a"]] * 5 + [["c", "a"], ["b", "c"]])
    return X, np.ones(len(X))


def test_bootstrap_flags_resamples_without_mle():
    X, y = _c_lost_once()
    model = _fit(_item_model(), X, y)
    with pytest.warns(UserWarning, match=r"resamples the maximum-likelihood"):
        samples = bootstrap(model, X, y, n_bootstrap=100, random_state=0)
    assert np.isfinite(samples).all()
    # Far-out values come from the penalised refits, not from divergence.
    assert np.abs(samples).max() < 50
    # With the user's own alpha > 0 every resample has a finite estimate: no
    # resample is refitted, and no warning says one was.
    penalised = _fit(_item_model(alpha=1.0), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        samples = bootstrap(penalised, X, y, n_bootstrap=100, random_state=0)
    assert np.isfinite(samples).all()


def test_sparse_design_matrix_is_accepted():
    X, y = _random_items(n_items=4, n_rows=80, seed=10)
    model = _fit(_item_model(), X, y)
    X_one_hot = sp.csr_matrix(model[0].transform(X))
    ranker = BradleyTerryRanker().fit(X_one_hot, y)
    samples = bootstrap(ranker, X_one_hot, y, n_bootstrap=5, random_state=0)
    np.testing.assert_allclose(
        samples, bootstrap(model, X, y, n_bootstrap=5, random_state=0), atol=1e-8
    )


def test_tie_parameter_standard_error_matches_the_ranker():
    # The ranker computes se(nu) by the delta method from a Schur complement;
    # here log(nu) comes out of the generalised inverse with the strengths.
    rng = np.random.default_rng(12)
    X, y = _random_items(n_items=5, n_rows=500, seed=12)
    y = np.where(rng.random(len(y)) < 0.25, 0.5, y)
    model = _fit(_item_model(ties="davidson"), X, y)
    ranker = model[-1]
    assert parameter_names(model)[-1] == "log_nu"
    est, se = estimates(model), standard_errors(model)
    assert np.exp(est[-1]) == pytest.approx(ranker.tie_parameter_)
    assert ranker.tie_parameter_ * se[-1] == pytest.approx(
        ranker.tie_parameter_se_, rel=1e-6
    )
    # Relative to a reference, log(nu) and its standard error do not change.
    assert standard_errors(model, reference="i1")[-1] == pytest.approx(se[-1])


# ---------------------------------------------------------------------------
# ties="half": a quasi-likelihood, with sandwich standard errors.
# ---------------------------------------------------------------------------


def _half_win_items(seed=0, n=600, n_items=6):
    """Item ids and outcome scores with a quarter of ties (Davidson's model)."""
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1.0, 1.0, n_items)
    a = rng.integers(0, n_items, n)
    b = (a + rng.integers(1, n_items, n)) % n_items
    half = np.exp((theta[a] - theta[b]) / 2)
    u = rng.random(n) * (half + 0.8 + 1 / half)
    y = np.where(u < half, 1.0, np.where(u < half + 0.8, 0.5, 0.0))
    names = np.array([f"m{i}" for i in range(n_items)], dtype=object)
    return names[a], names[b], y


def _sandwich_glm(D, y):
    """statsmodels' fractional logit with robust (HC0) errors: the reference."""
    return sm.GLM(y, D, family=sm.families.Binomial()).fit(tol=1e-12, cov_type="HC0")


def test_half_win_standard_errors_are_statsmodels_sandwich_for_items():
    a, b, y = _half_win_items()
    model = _item_model(ties="half").fit(np.column_stack([a, b]), y)
    items = np.unique(np.concatenate([a, b]))
    others = items[1:]
    D = (a[:, None] == others).astype(float) - (b[:, None] == others)
    glm = _sandwich_glm(D, y)
    theta = estimates(model, reference=items[0])
    np.testing.assert_allclose(theta[1:], glm.params, rtol=1e-7, atol=1e-9)
    se = standard_errors(model, reference=items[0])
    np.testing.assert_allclose(se[1:], glm.bse, rtol=1e-7)
    assert se[0] == 0.0
    cov = covariance(model, reference=items[0], items=list(others[:2]))
    np.testing.assert_allclose(cov, glm.cov_params()[:2, :2], rtol=1e-6)
    # The plain inverse Hessian is conservative here: larger by some 15%.
    plain = np.sqrt(np.diag(np.linalg.inv(model[-1].hessian_.toarray()[1:, 1:])))
    assert np.all(plain > 1.05 * glm.bse)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_half_win_standard_errors_are_statsmodels_sandwich_for_features(
    fit_intercept,
):
    rng = np.random.default_rng(1)
    x_a, x_b = rng.normal(size=(400, 3)), rng.normal(size=(400, 3))
    p = 1 / (1 + np.exp(-(x_a - x_b) @ [1.0, -0.5, 0.2] - 0.3 * fit_intercept))
    u = rng.random(400)
    y = np.where(u < 0.75 * p, 1.0, np.where(u < 0.75 * p + 0.25, 0.5, 0.0))
    weight = rng.integers(1, 4, 400).astype(float)
    model = BradleyTerryRanker(ties="half", fit_intercept=fit_intercept).fit(
        np.hstack([x_a, x_b]), y, sample_weight=weight
    )
    D = x_a - x_b
    if fit_intercept:
        D = np.column_stack([D, np.ones(400)])
    # Frequency weights: a weight of 2 is the row twice.
    repeat = weight.astype(int)
    glm = _sandwich_glm(np.repeat(D, repeat, axis=0), np.repeat(y, repeat))
    np.testing.assert_allclose(standard_errors(model), glm.bse, rtol=1e-7)


def test_half_win_model_without_ties_keeps_the_inverse_hessian():
    a, b, y = _half_win_items(seed=2)
    decided = y != 0.5
    X = np.column_stack([a, b])[decided]
    half = _item_model(ties="half").fit(X, y[decided])
    plain = _item_model().fit(X, y[decided])
    assert half[-1]._half_win_meat is None
    np.testing.assert_allclose(standard_errors(half), standard_errors(plain))


def test_half_win_cov_type_chooses_the_inverse_hessian_or_the_sandwich():
    a, b, y = _half_win_items()
    X = np.column_stack([a, b])
    model = _item_model(ties="half").fit(X, y)
    items = np.unique(np.concatenate([a, b]))
    others = items[1:]
    D = (a[:, None] == others).astype(float) - (b[:, None] == others)
    # "model": the binomial GLM's own (model-based) errors, as BradleyTerry2's.
    glm = sm.GLM(y, D, family=sm.families.Binomial()).fit(tol=1e-12)
    se_model = standard_errors(model, reference=items[0], cov_type="model")
    np.testing.assert_allclose(se_model[1:], glm.bse, rtol=1e-7)
    se_sandwich = standard_errors(model, reference=items[0], cov_type="sandwich")
    np.testing.assert_allclose(se_sandwich[1:], _sandwich_glm(D, y).bse, rtol=1e-7)
    np.testing.assert_array_equal(
        standard_errors(model, reference=items[0]), se_sandwich
    )
    np.testing.assert_allclose(
        covariance(model, items=["m1"], cov_type="model"),
        [[standard_errors(model, cov_type="model")[1] ** 2]],
        rtol=1e-9,
    )
    with pytest.raises(ValueError, match="cov_type must be one of"):
        standard_errors(model, cov_type="HC0")
    plain = _item_model().fit(X[y != 0.5], y[y != 0.5])
    with pytest.raises(ValueError, match="cov_type='sandwich' needs a fit with"):
        covariance(plain, cov_type="sandwich")


def test_half_win_sandwich_is_not_the_default_where_it_is_unsound():
    a, b, y = _half_win_items()
    X = np.column_stack([a, b])
    # An item compared in ties only: its scores' residuals are (near) zero, and
    # with them its sandwich variance (exactly 0 for one tie).
    X_new = np.vstack([X, [["new", "m5"]]])
    y_new = np.append(y, 0.5)
    model = _item_model(ties="half").fit(X_new, y_new)
    position = list(parameter_names(model)).index("x0_new")
    assert standard_errors(model, reference="m5", cov_type="sandwich")[
        position
    ] == pytest.approx(0.0, abs=1e-6)
    default = standard_errors(model, reference="m5")
    model_based = standard_errors(model, reference="m5", cov_type="model")
    sandwich = standard_errors(model, reference="m5", cov_type="sandwich")
    # The new item takes the inverse Hessian, the others keep the sandwich.
    assert default[position] == model_based[position]
    assert default[position] > 1.0  # one tie says little: a wide interval
    others = np.arange(len(default)) != position
    np.testing.assert_array_equal(default[others], sandwich[others])
    assert not np.allclose(sandwich[others], model_based[others])
    # With a prior, the default is the posterior's covariance.
    model = _item_model(ties="half", alpha=0.1).fit(X, y)
    np.testing.assert_array_equal(
        standard_errors(model), standard_errors(model, cov_type="model")
    )
    assert not np.allclose(
        standard_errors(model), standard_errors(model, cov_type="sandwich")
    )


@pytest.mark.parametrize("seed", range(8))
def test_collinear_features_have_infinite_standard_errors(seed):
    # x2 = 3 x0 + x1: the Hessian is singular, though a Cholesky
    # factorisation of it could succeed on rounding errors (variances of
    # 1e12, or negative ones clipped to 0).
    rng = np.random.default_rng(seed)
    f_a, f_b = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    f_a, f_b = (np.column_stack([f, 3 * f[:, 0] + f[:, 1]]) for f in (f_a, f_b))
    y = (rng.random(300) < 0.6).astype(int)
    model = BradleyTerryRanker().fit(np.hstack([f_a, f_b]), y)
    with pytest.warns(UserWarning, match="linear combinations"):
        assert np.all(np.isinf(standard_errors(model)))


def test_dense_one_hot_items_with_half_ties_have_the_sparse_variances():
    # Dense two-hot items: the variances were 0 and -5e12 when a Cholesky
    # factorisation succeeded on rounding errors; the items are recognised
    # as in sparse input, with the same sum-to-zero standard errors.
    rng = np.random.default_rng(4)
    a = rng.integers(0, 6, 300)
    b = (a + rng.integers(1, 6, 300)) % 6
    X = np.hstack([np.eye(6)[a], np.eye(6)[b]])
    y = rng.choice([0.0, 0.5, 1.0], 300)
    dense = BradleyTerryRanker(ties="half").fit(X, y)
    sparse = BradleyTerryRanker(ties="half").fit(sp.csr_array(X), y)
    variances = np.diag(covariance(dense))
    assert np.all(np.isfinite(variances)) and np.all(variances > 0)
    np.testing.assert_allclose(
        standard_errors(dense), standard_errors(sparse), rtol=1e-8
    )


def test_a_fitted_search_stands_for_its_best_model():
    X = np.array([["a", "b"], ["b", "c"], ["c", "a"], ["a", "c"], ["b", "a"]] * 4)
    y = np.ones(len(X))
    search = GridSearchCV(
        _item_model(), {"bradleyterryranker__alpha": [0.5, 1.0]}, cv=2
    ).fit(X, y)
    best = search.best_estimator_
    np.testing.assert_allclose(standard_errors(search), standard_errors(best))
    assert list(parameter_names(search)) == list(parameter_names(best))
    np.testing.assert_allclose(estimates(search), estimates(best))


def test_bootstrap_centres_each_resample_on_the_items_it_bounds():
    # In a third of the resamples c has only wins or only losses, and its
    # far-out refit would shift the sum-to-zero centre of every other item.
    # Centred on the bounded items, a and b keep the point estimate's mean in
    # such resamples.
    X, y = _c_lost_once()
    model = _fit(_item_model(), X, y)
    with pytest.warns(UserWarning, match=r"resamples the maximum-likelihood"):
        samples = bootstrap(model, X, y, n_bootstrap=100, random_state=0)
    point = estimates(model)
    far_out = np.abs(samples[:, 2] - point[2]) > 5
    assert far_out.sum() > 10
    np.testing.assert_allclose(
        samples[far_out, :2].mean(axis=1), point[:2].mean(), atol=1e-9
    )


@pytest.mark.parametrize(
    "params", [{"fit_intercept": True}, {"ties": "davidson"}, {"ties": "half"}]
)
def test_bare_two_hot_rows_get_the_item_standard_errors(params):
    # The bare ranker on [e_a | e_b] rows, bordered by an intercept or a tie
    # parameter: its items were not recognised, and every standard error was
    # inf.  They equal the pipeline's on the ids.
    rng = np.random.default_rng(0)
    k, n = 6, 600
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k
    y = rng.choice([0.0, 0.5, 1.0], n, p=[0.35, 0.2, 0.45])
    if "ties" not in params:
        y = (y > 0.5).astype(float)
    rows = np.arange(n)
    two_hot = sp.csr_array(
        (np.ones(2 * n), (np.r_[rows, rows], np.r_[a, b + k])), shape=(n, 2 * k)
    )
    bare = BradleyTerryRanker(**params).fit(two_hot, y)
    ids = np.column_stack([a, b])
    pipeline = _fit(_item_model(**params), ids, y)
    np.testing.assert_allclose(
        standard_errors(bare), standard_errors(pipeline), rtol=1e-8
    )


def test_bootstrap_and_covariance_check_their_arguments():
    X, y = _c_lost_once()
    model = _fit(_item_model(alpha=1.0), X, y)
    bad = {
        "y of another length": ({"y": y[:2]}, "inconsistent numbers of samples"),
        "no resample": ({"n_bootstrap": 0}, "at least 2"),
        "fractional count": ({"n_bootstrap": 2.5}, "whole number"),
        "zero weights": ({"sample_weight": np.zeros(len(y))}, "zero in every row"),
    }
    for kwargs, message in bad.values():
        arguments = {"y": y, **kwargs}
        with pytest.raises(ValueError, match=message):
            bootstrap(model, X, **arguments)
    with pytest.raises(ValueError, match="items is empty"):
        covariance(model, items=[])


def test_bootstrap_warns_when_the_data_are_not_the_fitted_ones():
    X = np.array([["a", "b"]] * 6 + [["b", "a"]] * 2 + [["c", "a"], ["b", "c"]])
    y = np.ones(len(X))
    model = _fit(_item_model(alpha=1.0), X, y)  # every resample bounded
    reversed_pairs = X[:, ::-1]
    with pytest.warns(UserWarning, match="not the maximum-likelihood estimates of"):
        bootstrap(model, reversed_pairs, y, n_bootstrap=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bootstrap(model, X, y, n_bootstrap=20, random_state=0)


def test_a_step_without_feature_names_leaves_the_names_generic():
    # np.tanh through a FunctionTransformer has no get_feature_names_out.
    from sklearn.preprocessing import FunctionTransformer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    utility = X[:, :2] @ [1.0, -1.0] - X[:, 2:] @ [1.0, -1.0]
    y = (utility + rng.logistic(size=200) > 0).astype(int)
    model = make_pipeline(
        PairTransformer(FunctionTransformer(np.tanh)), BradleyTerryRanker()
    ).fit(X, y)
    np.testing.assert_array_equal(parameter_names(model), ["x0", "x1"])
    np.testing.assert_array_equal(standard_errors(model), standard_errors(model[-1]))
    np.testing.assert_array_equal(estimates(model), model[-1].coef_)


def test_bootstrap_counts_fractional_weights_as_wald_intervals_do():
    # Weights of 1/2 are half as many comparisons, for Wald standard errors and
    # for the bootstrap alike (it drew one comparison per row: sqrt(2) too
    # narrow).
    a, b, y = _half_win_items(seed=3, n=400)
    decided = y != 0.5
    X, y = np.column_stack([a, b])[decided], y[decided]
    weight = np.full(len(y), 0.5)
    model = _item_model().fit(X, y, bradleyterryranker__sample_weight=weight)
    samples = bootstrap(
        model, X, y, sample_weight=weight, n_bootstrap=400, random_state=0
    )
    ratio = samples.std(axis=0) / standard_errors(model)
    assert np.all((0.85 < ratio) & (ratio < 1.15)), ratio


def test_one_hot_columns_no_comparison_informs_are_not_identified():
    # surface is a match-level column copied into both halves: its one-hot
    # columns never differ within a pair.  Centred alone, each was 0 +- 0.
    from sklearn.compose import ColumnTransformer

    rng = np.random.default_rng(0)
    n = 600
    strength_a, strength_b = rng.normal(size=n), rng.normal(size=n)
    surface = rng.choice(["clay", "hard"], n)
    X = pd.DataFrame(
        {
            "s_a": strength_a,
            "surface_a": surface,
            "s_b": strength_b,
            "surface_b": surface,
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp(strength_b - strength_a))).astype(int)
    inner = ColumnTransformer(
        [("s", "passthrough", ["s"]), ("surface", OneHotEncoder(), ["surface"])]
    )
    model = make_pipeline(PairTransformer(inner), BradleyTerryRanker()).fit(X, y)
    with pytest.warns(UserWarning, match="not identifiable"):
        se = standard_errors(model)
    assert np.isfinite(se[0]) and np.all(np.isinf(se[1:]))
    # With a prior, their posterior: N(0, 1 / alpha).
    model.set_params(bradleyterryranker__alpha=4.0).fit(X, y)
    np.testing.assert_allclose(standard_errors(model)[1:], 0.5)


def test_standard_errors_of_a_fit_without_an_mle_say_so():
    # a never lost: its strength runs off to infinity, and the standard
    # errors at the point where the fit stopped are huge, not errors.
    X = np.array([["a", "b"], ["a", "c"], ["b", "c"], ["c", "b"], ["b", "c"]] * 20)
    with pytest.warns(MLEDoesNotExistWarning):
        model = _fit(_item_model(), X, np.ones(len(X)))
    for function in (standard_errors, covariance):
        with pytest.warns(MLEDoesNotExistWarning, match="standard errors at the"):
            function(model)
    # Groups never compared with each other, each strongly connected, have
    # finite strengths within each: the message is about the groups instead.
    X = np.array([["a", "b"], ["b", "a"], ["c", "d"], ["d", "c"]])
    with pytest.warns(MLEDoesNotExistWarning):
        model = _fit(_item_model(), X, np.ones(len(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        standard_errors(model)  # sum-to-zero within each group: fine


def test_half_win_sandwich_is_not_the_default_when_ties_alone_link_items():
    # {a, b, e} and {c, d} decide among themselves, linked by one tie: the
    # sandwich variance of c against a came from that tie's residual alone.
    pairs = [["a", "b"], ["b", "a"], ["b", "e"], ["e", "a"], ["a", "e"], ["e", "b"]]
    pairs += [["c", "d"], ["d", "c"], ["c", "d"], ["d", "c"], ["a", "c"]]
    y = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0.5])
    model = _item_model(ties="half").fit(np.array(pairs), y)
    auto = standard_errors(model, reference="a")
    model_based = standard_errors(model, reference="a", cov_type="model")
    sandwich = standard_errors(model, reference="a", cov_type="sandwich")
    # a, b, e: x0_a, x0_b, x0_e keep the sandwich; c, d take the Hessian's.
    np.testing.assert_array_equal(auto[[2, 3]], model_based[[2, 3]])
    np.testing.assert_array_equal(auto[[0, 1, 4]], sandwich[[0, 1, 4]])
    assert sandwich[2] < 0.1 * auto[2]
    # A covariance involving c takes the inverse Hessian; of a and b alone,
    # the sandwich.
    np.testing.assert_allclose(
        covariance(model, reference="a", items=["b", "c"]),
        covariance(model, reference="a", items=["b", "c"], cov_type="model"),
    )
    np.testing.assert_allclose(
        covariance(model, reference="a", items=["b", "e"]),
        covariance(model, reference="a", items=["b", "e"], cov_type="sandwich"),
    )


def test_standard_errors_of_features_scale_with_tiny_equal_weights():
    # The Hessian's row sums were compared with an absolute 1e-9: with weights
    # of 1e-12 every feature model looked like one-hot items.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (rng.random(300) < 0.5).astype(int)
    reference = standard_errors(BradleyTerryRanker().fit(X, y))
    tiny = BradleyTerryRanker().fit(X, y, sample_weight=np.full(300, 1e-12))
    np.testing.assert_allclose(standard_errors(tiny) * 1e-6, reference, rtol=1e-6)


def test_half_win_sandwich_for_groups_never_compared_each_with_its_mle():
    # Two groups of items never compared with each other: each has its MLE
    # within the group, and each group's errors are statsmodels' HC0.
    rng = np.random.default_rng(3)
    frames = []
    for names in (list("abcd"), list("wxyz")):
        a, b, y = _half_win_items(seed=int(rng.integers(100)), n=300, n_items=4)
        mapping = dict(zip([f"m{i}" for i in range(4)], names, strict=True))
        frames.append((np.vectorize(mapping.get)(a), np.vectorize(mapping.get)(b), y))
    a = np.concatenate([f[0] for f in frames])
    b = np.concatenate([f[1] for f in frames])
    y = np.concatenate([f[2] for f in frames])
    with pytest.warns(MLEDoesNotExistWarning):
        model = _item_model(ties="half").fit(np.column_stack([a, b]), y)
    for first, group in ((0, list("abcd")), (4, list("wxyz"))):
        rows = np.isin(a, group)
        D = (a[rows, None] == group[1:]).astype(float) - (b[rows, None] == group[1:])
        hc0 = _sandwich_glm(D, y[rows]).bse
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            se = standard_errors(model, reference=group[0])
        np.testing.assert_allclose(se[first + 1 : first + 4], hc0, rtol=1e-6)


def test_without_an_mle_a_ladder_is_centred_as_one_part_and_not_estimable():
    # Each item beat the next once and never lost to it: 3,000 components of
    # one item.  Their estimates keep the fit's order (centred over the one
    # connected part), and none is estimable; this used to take one column
    # of n_items per item (K x K memory).
    ids = np.array([f"i{t:04d}" for t in range(3000)])
    X = np.column_stack([ids[:-1], ids[1:]])
    model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    with pytest.warns(MLEDoesNotExistWarning):
        model.fit(X, np.ones(len(X)))
    coef = model[-1].coef_
    np.testing.assert_allclose(estimates(model), coef - coef.mean(), atol=1e-9)
    with pytest.warns(MLEDoesNotExistWarning):
        se = standard_errors(model)
    assert np.all(se == np.inf)


def test_without_an_mle_half_win_errors_ignore_certain_wins():
    # a and b only drew with each other; both beat c.  Within the largest
    # component the draw is all there is: the half-win sandwich of a tie
    # alone would be 0, so the errors are the inverse Hessian's, as when
    # the data are restricted to that component.
    A, B, outcome = ["a", "a", "b"], ["b", "c", "c"], [0.5, 1.0, 1.0]
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(A, B, outcome, ties="half")
    restricted = leaderboard(A, B, outcome, ties="half", restrict="largest")
    full = board.table.set_index("item").loc[["a", "b"]]
    np.testing.assert_allclose(full["se"], restricted.table["se"])
    assert np.all(full["se"] > 100)


def test_many_separate_pairs_get_each_pairs_own_standard_errors():
    # 2,000 separate experiments of two variants, a beat b twice and lost
    # once: each pair is its own part (its strengths centred within it), and
    # the Hessian is block diagonal.  The closed form: the difference is
    # log 2 with variance 1 / (3 * 2/9) = 1.5, and each centred strength
    # +-log(2) / 2 with variance 1.5 / 4.  (Dense per-part columns took
    # 12 GB at 20,000 pairs.)
    n_pairs = 2000
    a = np.repeat(np.arange(0, 2 * n_pairs, 2), 3)
    b = a + 1
    a_won = np.tile([True, True, False], n_pairs)
    X = np.column_stack([np.where(a_won, a, b), np.where(a_won, b, a)]).astype(str)
    model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    with pytest.warns(MLEDoesNotExistWarning):  # not connected: no common scale
        model.fit(X, np.ones(len(X)))
    names = model[0].get_feature_names_out()[: 2 * n_pairs]
    winner_first = np.array([int(n.split("_")[-1]) % 2 == 0 for n in names])
    values = estimates(model)
    np.testing.assert_allclose(
        values, np.where(winner_first, 0.5, -0.5) * np.log(2), atol=1e-9
    )
    np.testing.assert_allclose(standard_errors(model), np.sqrt(1.5 / 4), rtol=1e-9)


def test_without_an_mle_half_wins_with_a_home_flag_keep_the_sandwich():
    # Items 0-4 play each other with a home flag and a fifth of draws; 5 only
    # won and 6 only lost.  At the limit the home advantage is estimated from
    # the comparisons among 0-4, with the same sandwich standard error as a
    # fit on those alone (it fell back to the inverse Hessian, 18% wider).
    rng = np.random.default_rng(3)
    n = 300
    a = rng.integers(0, 5, n)
    b = (a + rng.integers(1, 5, n)) % 5
    home = rng.choice([-1.0, 0.0, 1.0], n)
    y = np.where(rng.random(n) < 0.2, 0.5, (rng.random(n) < 0.6).astype(float))

    def pairs(a, b, home):
        m = len(a)
        ids = [
            sp.csr_array((np.ones(m), (np.arange(m), x)), shape=(m, 7)) for x in (a, b)
        ]
        return sp.hstack(
            [ids[0], sp.csr_array(home[:, None]), ids[1], sp.csr_array((m, 1))],
            format="csr",
        )

    inside = BradleyTerryRanker(ties="half").fit(pairs(a, b, home), y)
    with pytest.warns(MLEDoesNotExistWarning):
        limit = BradleyTerryRanker(ties="half").fit(
            pairs(np.r_[a, 5, 5, 0, 1], np.r_[b, 0, 2, 6, 6], np.r_[home, 1, 0, 0, -1]),
            np.r_[y, 1, 1, 1, 1],
        )
    with warnings.catch_warnings():
        # Raw rankers: the items' strengths are not identifiable (inf).
        warnings.simplefilter("ignore", UserWarning)
        se_limit, se_inside = standard_errors(limit), standard_errors(inside)
    np.testing.assert_allclose(limit.coef_[7], inside.coef_[7], rtol=1e-9)
    np.testing.assert_allclose(se_limit[7], se_inside[7], rtol=1e-9)


def test_zero_contrasts_of_many_items_read_only_what_they_need():
    # 60,000 items of one part and one alone: the lone item's contrast is
    # zero.  (Reading V's columns per item once built a 60,000^2 array.)
    from sklearn_bt._uncertainty import _Parameterisation, _sparse_columns

    p = 60_000
    V = _sparse_columns(
        [(np.arange(p - 1), np.full(p - 1, 1 / (p - 1))), (np.array([p - 1]), [1.0])], p
    )
    which = np.r_[np.zeros(p - 1, int), 1]
    param = _Parameterisation(
        V, which, _sparse_columns([], p), np.zeros(0, np.intp), None, np.zeros(p, bool)
    )
    zero = param.zero_contrasts(np.arange(p))
    assert zero[-1] and not zero[:-1].any()


# ---------------------------------------------------------------------------
# Randomized standard errors
# ---------------------------------------------------------------------------


@pytest.fixture
def probes_seen(monkeypatch):
    """The probes of every randomized estimate, as its warning check sees them."""
    seen = []
    original = _uncertainty.warn_if_imprecise

    def spy(probes, *args):
        seen.append(probes)
        return original(probes, *args)

    monkeypatch.setattr(_uncertainty, "warn_if_imprecise", spy)
    return seen


def _randomized_cases():
    """Models with every kind of contrast: the sum-to-zero strengths, a
    reference, a prior, two parts, a home advantage and a tie parameter."""
    X, y = _random_items(n_items=11, n_rows=400, seed=3)
    X_other, y_other = _random_items(n_items=4, n_rows=60, seed=4)
    X_parts = np.vstack([X, np.char.add("o", X_other.astype(str))])
    y_parts = np.concatenate([y, y_other])
    with pytest.warns(MLEDoesNotExistWarning):
        two_parts = _fit(_item_model(), X_parts, y_parts)
    rng = np.random.default_rng(5)
    outcome = np.where(rng.random(len(y)) < 0.15, 0.5, y)
    extra = leaderboard(
        X[:, 0], X[:, 1], outcome, home_a=(rng.random(len(y)) < 0.5), ties="davidson"
    ).model
    a, b, half_y = _half_win_items()
    return [
        (_fit(_item_model(), X, y), {}),
        (_fit(_item_model(alpha=0.3), X, y), {}),
        (_fit(_item_model(), X, y), {"reference": "i4"}),
        (two_parts, {}),
        # A reference in the other part: only the prior links them.
        (_fit(_item_model(alpha=0.5), X_parts, y_parts), {"reference": "oi1"}),
        (extra, {}),
        (extra, {"reference": "i2"}),
        (_fit(_item_model(ties="half"), np.column_stack([a, b]), half_y), {}),
    ]


@pytest.mark.parametrize("route", ["dense", "cg"])
def test_randomized_standard_errors_estimate_the_exact_ones(monkeypatch, route):
    cases = _randomized_cases()
    exact = [standard_errors(model, **kwargs) for model, kwargs in cases]
    if route == "cg":
        cases[5][0][-1].hessian_ = sp.csr_array(cases[5][0][-1].hessian_)
        cases[6][0][-1].hessian_ = sp.csr_array(cases[6][0][-1].hessian_)
        monkeypatch.setattr(_uncertainty, "_EAGER_DENSE_MAX_PARAMS", 2)

        def no_factorisation(self):
            raise AssertionError("CG must serve every solve of the estimate")

        monkeypatch.setattr(_uncertainty._GInverse, "_use_dense", no_factorisation)
    seen = []
    monkeypatch.setattr(
        _uncertainty, "warn_if_imprecise", lambda probes, *a: seen.append(probes)
    )
    for (model, kwargs), expected in zip(cases, exact, strict=True):
        got = standard_errors(
            model, method="randomized", n_probes=4000, random_state=0, **kwargs
        )
        rse = seen[-1].rse / 2  # of the standard errors
        # Within five of the estimate's own standard errors, which are a few
        # percent here (few items, so large covariances between them).
        finite = np.isfinite(expected)
        assert np.array_equal(finite, np.isfinite(got))
        assert np.all(rse < 0.05)
        np.testing.assert_array_less(
            np.abs(got - expected)[finite], 5 * (rse * expected)[finite] + 1e-12
        )
        # Zero contrasts (the reference) and non-item parameters are exact.
        exact_ones = finite & (rse == 0)
        np.testing.assert_allclose(got[exact_ones], expected[exact_ones], rtol=1e-7)
        assert np.all(rse[expected == 0] == 0)
    # The home advantage and the tie parameter: exact, not estimated.
    assert np.sum(seen[5].rse[-2:]) == 0


def test_randomized_standard_errors_of_many_items_are_accurate_and_calibrated(
    probes_seen,
):
    # 600 items meeting about 200 others each: beyond the eager dense route, so
    # the probes run by CG.  The estimate's error is about 1 / sqrt(d n_probes)
    # of the variance; its own measure of it must be honest.
    rng = np.random.default_rng(0)
    n_items, n_rows = 600, 60_000
    theta = rng.normal(scale=0.8, size=n_items)
    a = rng.integers(n_items, size=n_rows)
    b = (a + rng.integers(1, n_items, size=n_rows)) % n_items
    won = rng.random(n_rows) < 1 / (1 + np.exp(theta[b] - theta[a]))
    X = np.where(won[:, None], np.column_stack([a, b]), np.column_stack([b, a]))
    model = _fit(_item_model(), X, np.ones(n_rows))
    exact = standard_errors(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no imprecise estimate here
        got = standard_errors(model, method="randomized", random_state=1)
    relative = got / exact - 1
    assert np.median(np.abs(relative)) < 0.01
    assert np.abs(relative).max() < 0.05
    z = relative / (probes_seen[0].rse / 2)
    assert 0.7 < z.std() < 1.4
    # Unbiased, except that estimates below the variance's lower bound are
    # raised to it (closer to the truth, which is above it): the median holds.
    assert abs(np.median(z)) < 0.2


def test_randomized_standard_errors_are_reproducible_and_checked():
    X, y = _random_items(n_items=8, n_rows=300, seed=1)
    model = _fit(_item_model(), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few items: imprecise
        first = standard_errors(model, method="randomized", random_state=3)
        again = standard_errors(model, method="randomized", random_state=3)
        other = standard_errors(model, method="randomized", random_state=4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    with pytest.raises(ValueError, match="method must be one of"):
        standard_errors(model, method="approximate")
    for bad in (1, 2.5, True):
        with pytest.raises(ValueError, match="n_probes must be an integer"):
            standard_errors(model, method="randomized", n_probes=bad)


def test_randomized_standard_errors_warn_when_imprecise(monkeypatch):
    # Three items: their covariances are as large as their variances, and four
    # probes leave the estimates far from exact.
    X = np.array([["a", "b"], ["a", "c"], ["b", "c"], ["c", "a"], ["b", "a"]])
    model = _fit(_item_model(), np.vstack([X, [["a", "b"]]]), np.ones(6))
    # (Without the deflation and the exact ones, which would make them exact.)
    monkeypatch.setattr(_uncertainty, "_RANDOMIZED_REFINE_PER_PROBE", 0)
    monkeypatch.setattr(_uncertainty, "_DEFLATE_IMPRECISE_SHARE", 1.0)
    with pytest.warns(
        UserWarning, match=r"\(x0_a, .*uncertain by more than 5%.*method=\"exact\""
    ):
        standard_errors(model, method="randomized", n_probes=4, random_state=0)
    # A leaderboard names the items, and its own exact option.
    with pytest.warns(UserWarning, match=r"\(a, b, c\).*interval=\"wald\""):
        leaderboard(*X.T, interval="wald-randomized", n_probes=4, random_state=0)


def test_leaderboard_with_randomized_wald_intervals():
    X, y = _random_items(n_items=11, n_rows=2000, seed=7)
    rng = np.random.default_rng(0)
    home = rng.random(len(y)) < 0.5
    exact = leaderboard(X[:, 0], X[:, 1], y, home_a=home)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few items: imprecise
        board = leaderboard(
            X[:, 0],
            X[:, 1],
            y,
            home_a=home,
            interval="wald-randomized",
            n_probes=3000,
            random_state=0,
        )
    assert "Wald intervals (variances estimated from 3000 random probes)" in str(board)
    assert board.settings["n_probes"] == 3000
    np.testing.assert_allclose(board.table["se"], exact.table["se"], rtol=0.1)
    np.testing.assert_array_equal(board.table["rating"], exact.table["rating"])
    # The home advantage's interval is exact.
    np.testing.assert_allclose(
        [board.home_advantage.lower, board.home_advantage.upper],
        [exact.home_advantage.lower, exact.home_advantage.upper],
        rtol=1e-8,
    )


def test_exact_standard_errors_of_many_items_warn_before_they_start(monkeypatch):
    X, y = _random_items(n_items=40, n_rows=2000, seed=2)
    model = _fit(_item_model(), X, y)
    monkeypatch.setattr(_uncertainty, "_DENSE_INVERSE_MAX_PARAMS", 30)
    with pytest.warns(UserWarning, match=r'40 parameters.*method="randomized"'):
        expected = standard_errors(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = standard_errors(model, method="randomized", n_probes=64, random_state=0)
    np.testing.assert_allclose(got, expected, rtol=0.1)
    # Separate parts are factorised alone: no warning for many small ones.
    parts = [_random_items(n_items=4, n_rows=30, seed=k) for k in range(10)]
    Xs = np.vstack([np.char.add(f"p{k}", Xk) for k, (Xk, _) in enumerate(parts)])
    ys = np.concatenate([yk for _, yk in parts])
    parts = _fit(_item_model(alpha=1.0), Xs, ys)
    assert parts[-1].hessian_.shape[0] == 40
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        standard_errors(parts)
    with pytest.warns(UserWarning, match='interval="wald-randomized"'):
        leaderboard(X[:, 0], X[:, 1], y)


def test_randomized_standard_errors_of_clusters_are_deflated_and_refined(
    monkeypatch, probes_seen
):
    # Four clusters of 100 items, each linked to the next by three pairs of
    # comparisons: a cluster's strengths move together, which leaves plain
    # Hutchinson estimates off by some 60%.  The few dominant directions are
    # deflated exactly; the least precise estimates are computed exactly;
    # none is left below its lower bound.
    rng = np.random.default_rng(3)
    rows, outcomes = [], []
    for c in range(4):
        a = rng.integers(100, size=3000) + 100 * c
        b = (a - 100 * c + rng.integers(1, 100, size=3000)) % 100 + 100 * c
        rows.append(np.column_stack([a, b]))
        outcomes.append(rng.random(3000) < 0.5)
        if c:  # three links, each won once by either side
            link = np.column_stack([100 * c - 1 - np.arange(3), 100 * c + np.arange(3)])
            rows += [link, link[:, ::-1]]
            outcomes += [np.ones(3, dtype=bool)] * 2
    pairs, y = np.vstack(rows), np.concatenate(outcomes).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the MLE exists
        model = _fit(_item_model(), pairs, y)
    exact = standard_errors(model)
    seen = probes_seen
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every estimate precise or exact
        got = standard_errors(model, method="randomized", random_state=0)
    relative = np.abs(got / exact - 1)
    assert np.median(relative) < 0.01
    rse = seen[0].rse / 2
    # Calibrated: the errors in units of their estimated standard errors.
    z = relative / rse
    assert np.mean(z < 2) > 0.9
    assert z.max() < 6
    # Without the deflation, most are imprecise: refined exactly within the
    # budget, the others named in a warning.
    monkeypatch.setattr(_uncertainty, "_DEFLATE_IMPRECISE_SHARE", 1.0)
    with pytest.warns(UserWarning, match=r"standard errors of \d+ parameters"):
        got = standard_errors(model, method="randomized", random_state=0)
    refined = seen[-1].rse == 0
    assert refined.sum() == 8 * 32
    np.testing.assert_allclose(got[refined], exact[refined], rtol=1e-8)
    H = model[-1].hessian_.diagonal()
    assert np.all(got**2 >= (1 - 1 / 100) ** 2 / H * (1 - 1e-12))


def test_bare_ranker_on_ids_with_features_finds_the_items():
    # A CSR design of one-hot ids with a feature, fitted without a Pipeline:
    # the fit finds the id columns among the features, and its standard
    # errors know the strengths' shift (statsmodels, with the reference's
    # column dropped, agrees).
    rng = np.random.default_rng(0)
    n_items, n = 30, 3000
    a = rng.integers(n_items, size=n)
    b = (a + rng.integers(1, n_items, size=n)) % n_items
    fa, fb = rng.normal(size=n), rng.normal(size=n)
    theta = rng.normal(size=n_items)
    y = rng.random(n) < 1 / (1 + np.exp(theta[b] - theta[a] - 0.5 * (fa - fb)))
    half = n_items + 1

    def side(items, feature):
        return sp.csr_array((np.ones(n), (np.arange(n), items)), shape=(n, half)) + (
            sp.csr_array((feature, (np.arange(n), np.full(n, n_items))), (n, half))
        )

    X = sp.hstack([side(a, fa), side(b, fb)], format="csr")
    ranker = BradleyTerryRanker().fit(X, y.astype(float))
    np.testing.assert_array_equal(ranker._item_columns, np.arange(n_items))
    D = (X[:, :half] - X[:, half:]).toarray()
    keep = [j for j in range(half) if j != 4]
    glm = sm.GLM(y.astype(float), D[:, keep], family=sm.families.Binomial()).fit(
        tol=1e-12
    )
    se = standard_errors(ranker, reference=4)
    np.testing.assert_allclose(se[keep], glm.bse, rtol=1e-6)
    assert se[4] == 0
