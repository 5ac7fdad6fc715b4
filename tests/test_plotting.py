"""What each display draws: its artists, axis labels and plotted data."""

import sys

import matplotlib
import numpy as np
import pytest
import scipy.sparse as sp

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_limits

from skae import AutoEncoder, ResNetAutoEncoder, VariationalAutoEncoder
from skae.plotting import (
    ExplainedVarianceDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
)

# Four epochs, all of them (n_iter_no_change=None): no ConvergenceWarning.
FAST = {
    "hidden_layer_sizes": (16,),
    "max_iter": 4,
    "n_iter_no_change": None,
    "batch_size": 64,
    "random_state": 0,
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


@pytest.fixture(scope="module")
def ae2(digits):
    return AutoEncoder(n_components=2, early_stopping=False, **FAST).fit(digits[0])


@pytest.fixture(scope="module")
def ae_early(digits):
    return AutoEncoder(n_components=4, early_stopping=True, **FAST).fit(digits[0])


# -- LossCurveDisplay ---------------------------------------------------------


def test_loss_curve_draws_training_and_validation(ae_early):
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(ae_early, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    assert len(ax.get_lines()) == 2
    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, ae_early.n_iter_ + 1))
    np.testing.assert_allclose(display.line_.get_ydata(), ae_early.loss_curve_)
    np.testing.assert_allclose(
        display.validation_line_.get_ydata(), -np.asarray(ae_early.validation_scores_)
    )
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Epoch", "Loss")
    assert ax.get_title() == "AutoEncoder"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]


def test_loss_curve_without_validation(ae2):
    display = LossCurveDisplay.from_estimator(ae2, name="mine", train_kwargs={"color": "red"})
    assert display.validation_line_ is None
    assert len(display.ax_.get_lines()) == 1
    assert display.line_.get_color() == "red"
    assert display.ax_.get_title() == "mine"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loss_curve_rejects_other_estimators(digits):
    X, y = digits
    mlp = MLPRegressor(max_iter=2).fit(X[:50], y[:50])
    with pytest.raises(TypeError, match="skae autoencoder"):
        LossCurveDisplay.from_estimator(mlp)
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(AutoEncoder())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("monitor", ["reconstruction", "elbo"])
def test_vae_loss_curve_puts_a_reconstruction_error_on_its_own_axis(digits, monitor):
    vae = VariationalAutoEncoder(n_components=2, monitor=monitor, early_stopping=True, **FAST)
    display = LossCurveDisplay.from_estimator(vae.fit(digits[0]))
    np.testing.assert_allclose(
        display.validation_line_.get_ydata(), -np.asarray(vae.validation_scores_)
    )
    # The negative ELBO (nats per row) and the squared error differ in units.
    if monitor == "reconstruction":
        assert display.validation_ax_ is not display.ax_
        assert display.validation_ax_.get_ylabel() == "Validation reconstruction error"
        assert display.ax_.get_ylabel() == "Training loss"
    else:
        assert display.validation_ax_ is display.ax_
        assert display.ax_.get_ylabel() == "Loss"
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["training", "validation"]


def test_loss_curves_sharing_axes_share_one_legend():
    _, ax = plt.subplots()
    for name in ("a", "b"):
        LossCurveDisplay(loss_curve=[3.0, 2.0], validation_loss=[3.5, 2.5]).plot(
            ax=ax,
            train_kwargs={"label": f"{name} training"},
            validation_kwargs={"label": f"{name} validation"},
        )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a training", "a validation", "b training", "b validation"]


def test_loss_curves_in_other_units_share_one_twin_axis():
    _, ax = plt.subplots()
    displays = [
        LossCurveDisplay(
            loss_curve=[3.0, 2.0], validation_loss=[0.5, 0.4], validation_label="error"
        ).plot(
            ax=ax,
            train_kwargs={"label": f"{name} training"},
            validation_kwargs={"label": f"{name} validation"},
        )
        for name in ("a", "b")
    ]
    assert displays[0].validation_ax_ is displays[1].validation_ax_ is not ax
    assert len(ax.figure.axes) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a training", "b training", "a validation", "b validation"]
    # Each model's curves share a colour; the models' colours differ.
    colors = [(d.line_.get_color(), d.validation_line_.get_color()) for d in displays]
    assert colors[0][0] == colors[0][1] != colors[1][0] == colors[1][1]
    assert ax.get_zorder() > displays[0].validation_ax_.get_zorder()


def test_loss_curve_plot_from_values():
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5]).plot()
    np.testing.assert_array_equal(display.line_.get_xdata(), [1, 2, 3])
    assert display.ax_.get_title() == ""


# -- ReconstructionDisplay ----------------------------------------------------


def _tile(mosaic, row, col, shape, padding=1):
    h, w = shape[:2]
    return mosaic[row * (h + padding) : row * (h + padding) + h, col * (w + padding) :][:, :w]


def test_reconstruction_tiles_originals_above_reconstructions(ae2, digits):
    X = digits[0]
    display = ReconstructionDisplay.from_estimator(ae2, X, image_shape=(8, 8, 1), n_images=5)
    ax = display.ax_
    assert len(ax.images) == 1
    mosaic = np.ma.getdata(display.image_.get_array())
    assert mosaic.shape == (2 * 9 - 1, 5 * 9 - 1)
    reconstructions = ae2.inverse_transform(ae2.transform(X[:5]))
    for j in range(5):
        np.testing.assert_allclose(_tile(mosaic, 0, j, (8, 8)), X[j].reshape(8, 8))
        np.testing.assert_allclose(
            _tile(mosaic, 1, j, (8, 8)), reconstructions[j].reshape(8, 8), rtol=1e-6
        )
    # The 1-pixel gaps are blank (NaN), not data.
    assert np.isnan(mosaic[8]).all() and np.isnan(mosaic[:, 8]).all()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["original", "reconstruction"]
    assert display.row_labels_ == ["original", "reconstruction"]
    assert display.image_.get_clim() == (X[:5].min(), X[:5].max())
    assert ax.get_title() == "AutoEncoder"


def test_reconstruction_with_clean_images_adds_a_row(ae2, digits):
    X = digits[0]
    noisy = X + np.random.default_rng(0).normal(scale=0.2, size=X.shape)
    display = ReconstructionDisplay.from_estimator(
        ae2, noisy, X_clean=X, image_shape=(8, 8, 1), n_images=3
    )
    mosaic = np.ma.getdata(display.image_.get_array())
    assert display.row_labels_ == ["clean", "input", "reconstruction"]
    assert mosaic.shape == (3 * 9 - 1, 3 * 9 - 1)
    np.testing.assert_allclose(_tile(mosaic, 0, 2, (8, 8)), X[2].reshape(8, 8))
    np.testing.assert_allclose(_tile(mosaic, 1, 2, (8, 8)), noisy[2].reshape(8, 8))
    with pytest.raises(ValueError, match="row for row"):
        ReconstructionDisplay.from_estimator(ae2, noisy, X_clean=X[:10], image_shape=(8, 8, 1))


def test_reconstruction_rgb_and_any_transformer():
    rng = np.random.default_rng(0)
    X = rng.uniform(2.0, 4.0, size=(40, 4 * 3 * 3))
    pca = PCA(n_components=5).fit(X)
    display = ReconstructionDisplay.from_estimator(pca, X, image_shape=(4, 3, 3))
    mosaic = display.image_.get_array()
    assert mosaic.shape == (2 * 5 - 1, 10 * 4 - 1, 3)
    assert 0.0 <= mosaic.min() and mosaic.max() <= 1.0
    low, high = X[:10].min(), X[:10].max()
    expected = (X[1].reshape(4, 3, 3) - low) / (high - low)
    np.testing.assert_allclose(_tile(mosaic, 0, 1, (4, 3)), expected)
    assert display.ax_.get_title() == "PCA"


def test_reconstruction_accepts_sparse_input(ae2, digits):
    X = digits[0]
    dense = ReconstructionDisplay.from_estimator(ae2, X, image_shape=(8, 8, 1), n_images=4)
    sparse = ReconstructionDisplay.from_estimator(
        ae2, sp.csr_matrix(X), image_shape=(8, 8, 1), n_images=4
    )
    np.testing.assert_allclose(
        np.ma.getdata(sparse.image_.get_array()), np.ma.getdata(dense.image_.get_array())
    )


def test_reconstruction_caps_n_images_at_n_samples(ae2, digits):
    display = ReconstructionDisplay.from_estimator(ae2, digits[0][:3], image_shape=(8, 8, 1))
    assert display.image_.get_array().shape == (17, 3 * 9 - 1)


@pytest.mark.parametrize(
    ("image_shape", "match"),
    [
        ((8, 9, 1), r"image_shape=\(8, 9, 1\) holds 72 values per image, but the rows have 64"),
        ((4, 4, 4), r"image_shape=\(4, 4, 4\) has 4 channels; only 1 \(grayscale\) or 3"),
        ((8, -8, 1), r"\(height, width, channels\) with positive integers, got \(8, -8, 1\)"),
        ((2, 4, 8, 1), r"\(height, width, channels\) with positive integers, got \(2, 4, 8, 1\)"),
        (64, r"\(height, width, channels\) with positive integers, got 64"),
        # Two entries are (height, width) of a grayscale image, as in ResidualArchitecture.
        ((8, 9), r"image_shape=\(8, 9\) holds 72 values per image, but the rows have 64"),
    ],
)
def test_reconstruction_rejects_bad_image_shape(ae2, digits, image_shape, match):
    with pytest.raises(ValueError, match=match):
        ReconstructionDisplay.from_estimator(ae2, digits[0], image_shape=image_shape)


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_reconstruction_reads_image_shape_like_the_architecture(digits):
    X = digits[0][:40]
    resnet = ResNetAutoEncoder(
        n_components=2,
        image_shape=(8, 8, 1),
        n_levels=1,
        n_residual_blocks=0,
        filters=2,
        latent_channels=2,
        max_iter=1,
        random_state=0,
    ).fit(X)
    display = ReconstructionDisplay.from_estimator(
        resnet, X, image_shape=resnet.image_shape, n_images=3
    )
    mosaic = np.ma.getdata(display.image_.get_array())
    np.testing.assert_allclose(_tile(mosaic, 0, 2, (8, 8)), X[2].reshape(8, 8))
    grayscale = ReconstructionDisplay.from_estimator(resnet, X, image_shape=(8, 8), n_images=3)
    np.testing.assert_array_equal(grayscale.image_.get_array(), display.image_.get_array())


def test_reconstruction_rejects_bad_n_images(ae2, digits):
    with pytest.raises(ValueError, match="n_images"):
        ReconstructionDisplay.from_estimator(ae2, digits[0], image_shape=(8, 8, 1), n_images=0)


# -- LatentSpaceDisplay -------------------------------------------------------


def test_latent_space_scatter_of_two_component_codes(ae2, digits):
    X, y = digits
    display = LatentSpaceDisplay.from_estimator(ae2, X, y)
    ax = display.ax_
    assert len(ax.collections) == 1
    np.testing.assert_allclose(display.scatter_.get_offsets(), ae2.transform(X), rtol=1e-6)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("autoencoder0", "autoencoder1")
    assert [t.get_text() for t in display.legend_.get_texts()] == [str(i) for i in range(10)]
    # Same label, same colour; different labels, different colours.
    colors = display.scatter_.get_facecolors()
    first_of = {label: colors[np.flatnonzero(y == label)[0]] for label in range(10)}
    np.testing.assert_array_equal(colors, np.array([first_of[label] for label in y]))
    assert len({tuple(c) for c in first_of.values()}) == 10


def test_latent_space_without_labels(ae2, digits):
    display = LatentSpaceDisplay.from_estimator(ae2, digits[0], legend=True)
    assert display.legend_ is None
    assert display.ax_.get_legend() is None


def test_latent_space_wide_codes_need_a_projection(ae_early, digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"4 components.*projection"):
        LatentSpaceDisplay.from_estimator(ae_early, X, y)
    codes = ae_early.transform(X)
    display = LatentSpaceDisplay.from_estimator(ae_early, X, y, projection="pca")
    np.testing.assert_allclose(
        np.abs(display.scatter_.get_offsets()),
        np.abs(PCA(n_components=2).fit_transform(codes)),
        rtol=1e-5,
        atol=1e-6,
    )
    assert display.ax_.get_xlabel() == "PC 1"


def test_latent_space_projection_object_is_cloned(ae_early, digits):
    X = digits[0][:60]
    projection = PCA(n_components=2, whiten=True)
    display = LatentSpaceDisplay.from_estimator(ae_early, X, projection=projection)
    assert not hasattr(projection, "components_")
    assert display.ax_.get_ylabel() == "PCA 2"
    np.testing.assert_allclose(display.scatter_.get_offsets().std(axis=0), 1.0, rtol=0.05)


def test_latent_space_tsne(ae_early, digits):
    # 25 points: fewer than the default perplexity of 30 allows.
    X, y = digits[0][:25], digits[1][:25]
    # t-SNE's OpenMP threads spin for a long time on a busy machine.
    with threadpool_limits(1):
        display = LatentSpaceDisplay.from_estimator(
            ae_early, X, y, projection="tsne", random_state=0
        )
    assert display.scatter_.get_offsets().shape == (25, 2)
    assert display.ax_.get_xlabel() == "t-SNE 1"


@pytest.mark.parametrize(
    ("projection", "error", "match"),
    [
        ("umap", ValueError, "'pca', 'tsne'"),
        (PCA(n_components=3), ValueError, "two columns"),
        (42, TypeError, "fit_transform"),
    ],
)
def test_latent_space_rejects_bad_projection(ae_early, digits, projection, error, match):
    with pytest.raises(error, match=match):
        LatentSpaceDisplay.from_estimator(ae_early, digits[0], projection=projection)


def test_latent_space_rejects_mismatched_labels(ae2, digits):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LatentSpaceDisplay.from_estimator(ae2, digits[0], digits[1][:10])


# -- style keywords: aliases resolved, the user's values win -------------------

LINE_STYLES = {
    "aliases": {"ls": ":", "lw": 3.0, "c": "red"},
    "full names": {"linestyle": ":", "linewidth": 3.0, "color": "red"},
}


@pytest.mark.parametrize("style", list(LINE_STYLES.values()), ids=list(LINE_STYLES))
@pytest.mark.parametrize("param", ["train_kwargs", "validation_kwargs"])
def test_loss_curve_style_keywords(param, style):
    display = LossCurveDisplay(loss_curve=[3.0, 2.0], validation_loss=[3.5, 2.5]).plot(
        **{param: style}
    )
    styled, other, label = display.line_, display.validation_line_, "training"
    if param == "validation_kwargs":
        styled, other, label = other, styled, "validation"
    assert styled.get_linestyle() == ":"
    assert styled.get_linewidth() == 3.0
    assert styled.get_color() == "red"
    # The defaults the user did not override stay; the other curve is untouched.
    assert styled.get_label() == label
    assert other.get_linestyle() == ("--" if param == "train_kwargs" else "-")
    assert other.get_color() != "red"


def test_loss_curve_validation_alias_from_estimator(ae_early):
    # Used to raise "Got both 'linestyle' and 'ls'".
    display = LossCurveDisplay.from_estimator(
        ae_early, validation_kwargs={"ls": ":", "label": "held out"}
    )
    assert display.validation_line_.get_linestyle() == ":"
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["training", "held out"]


@pytest.mark.parametrize("param", ["train_kwargs", "validation_kwargs"])
@pytest.mark.parametrize(
    ("style", "match"),
    [
        ({"ls": ":", "linestyle": "-"}, "'linestyle' twice, as 'ls' and 'linestyle'"),
        ({"c": "red", "color": "blue"}, "'color' twice, as 'c' and 'color'"),
        ({"lw": 1, "linewidth": 2}, "'linewidth' twice"),
    ],
)
def test_loss_curve_style_keywords_naming_one_property_twice(param, style, match):
    display = LossCurveDisplay(loss_curve=[3.0, 2.0], validation_loss=[3.5, 2.5])
    with pytest.raises(TypeError, match=f"{param} sets {match}"):
        display.plot(**{param: style})


def test_style_keywords_must_be_a_dict():
    with pytest.raises(TypeError, match=r"train_kwargs must be a dict.*got str"):
        LossCurveDisplay(loss_curve=[1.0]).plot(train_kwargs="red")


@pytest.fixture
def points():
    rng = np.random.default_rng(0)
    return rng.normal(size=(30, 2)), np.repeat([0, 1, 2], 10)


def _rgb(colors):
    return np.asarray([matplotlib.colors.to_rgb(c) for c in colors])


@pytest.mark.parametrize(
    "style", [{"color": "k"}, {"c": "k"}, {"fc": "k"}, {"facecolor": "k"}], ids=str
)
def test_latent_space_colour_keywords_replace_the_class_colours(points, style):
    embedding, labels = points
    display = LatentSpaceDisplay(embedding=embedding, labels=labels).plot(scatter_kwargs=style)
    np.testing.assert_array_equal(_rgb(display.scatter_.get_facecolors()), [[0, 0, 0]])
    # The legend shows the colours that were drawn, not the colormap's.
    np.testing.assert_array_equal(
        _rgb([h.get_color() for h in display.legend_.legend_handles]), np.zeros((3, 3))
    )


@pytest.mark.parametrize(
    "style",
    [
        {"ec": "red", "lw": 2.0, "s": 30, "alpha": 0.5, "marker": "s"},
        {"edgecolor": "red", "linewidth": 2.0, "s": 30, "alpha": 0.5, "marker": "s"},
        {"edgecolors": "red", "linewidths": 2.0, "s": 30, "alpha": 0.5, "marker": "s"},
    ],
    ids=["aliases", "full names", "plural names"],
)
def test_latent_space_style_keywords(points, style):
    embedding, labels = points
    display = LatentSpaceDisplay(embedding=embedding, labels=labels).plot(scatter_kwargs=style)
    scatter = display.scatter_
    np.testing.assert_array_equal(_rgb(scatter.get_edgecolors()), [[1, 0, 0]])
    np.testing.assert_array_equal(scatter.get_linewidths(), [2.0])
    np.testing.assert_array_equal(scatter.get_sizes(), [30])
    assert scatter.get_alpha() == 0.5
    # The class colours the user did not override stay.
    assert len({tuple(c) for c in scatter.get_facecolors()}) == 3
    assert {h.get_marker() for h in display.legend_.legend_handles} == {"s"}


def test_latent_space_color_from_estimator(ae2, digits):
    # Used to raise "Supply a 'c' argument or a 'color' kwarg but not both".
    X, y = digits
    display = LatentSpaceDisplay.from_estimator(ae2, X, y, scatter_kwargs={"color": "k"})
    np.testing.assert_array_equal(_rgb(display.scatter_.get_facecolors()), [[0, 0, 0]])


@pytest.mark.parametrize(
    ("style", "match"),
    [
        ({"c": "k", "color": "r"}, "sets 'c' and 'color', which set the same thing"),
        ({"c": "k", "fc": "r"}, "sets 'c' and 'facecolor', which set the same thing"),
        ({"fc": "k", "facecolors": "r"}, "sets 'facecolor' twice, as 'fc' and 'facecolors'"),
        ({"lw": 1, "linewidths": 2}, "sets 'linewidth' twice"),
    ],
)
def test_latent_space_style_keywords_that_cannot_combine(points, style, match):
    embedding, labels = points
    with pytest.raises(TypeError, match=f"scatter_kwargs {match}"):
        LatentSpaceDisplay(embedding=embedding, labels=labels).plot(scatter_kwargs=style)


def _images_display():
    originals = np.linspace(0.2, 0.8, 3 * 16).reshape(3, 16)
    return ReconstructionDisplay(
        originals=originals, reconstructions=originals / 2, image_shape=(4, 4, 1)
    )


def test_reconstruction_style_keywords():
    display = _images_display().plot(
        cmap="gray",
        imshow_kwargs={"cmap": "viridis", "interpolation": "bilinear", "vmin": 0.0, "alpha": 0.5},
    )
    image = display.image_
    assert image.get_cmap().name == "viridis"
    assert image.get_interpolation() == "bilinear"
    assert image.get_alpha() == 0.5
    # vmin is the user's, vmax still the display's (the originals' maximum).
    assert image.get_clim() == (0.0, 0.8)


def test_reconstruction_norm_replaces_the_default_limits():
    norm = matplotlib.colors.LogNorm(vmin=0.05, vmax=1.0)
    display = _images_display().plot(imshow_kwargs={"norm": norm})
    assert display.image_.norm is norm
    assert display.image_.get_clim() == (0.05, 1.0)


def test_reconstruction_style_keywords_that_cannot_combine():
    with pytest.raises(TypeError, match="imshow_kwargs sets 'norm' and 'vmax'"):
        _images_display().plot(imshow_kwargs={"norm": "log", "vmax": 2.0})


# -- optional dependency -------------------------------------------------------


def test_missing_matplotlib_names_the_extra(ae2, digits, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib.*\.\[plot\]"):
        LossCurveDisplay.from_estimator(ae2)
    with pytest.raises(ImportError, match=r"LatentSpaceDisplay\.plot"):
        LatentSpaceDisplay(embedding=np.zeros((3, 2))).plot()


def test_scree_plot_draws_each_model_and_pca_on_one_axes(digits):
    X, _ = digits
    pca = PCA(4).fit(X)
    ae = AutoEncoder(n_components=4, **FAST).fit(X)
    display = ExplainedVarianceDisplay.from_estimators([pca, ae], names=["PCA", "AE"])
    assert [line.get_label() for line in display.lines_] == ["PCA", "AE"]
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(), np.cumsum(pca.explained_variance_ratio_)
    )
    np.testing.assert_allclose(
        display.lines_[1].get_ydata(), np.cumsum(ae.explained_variance_ratio_)
    )
    np.testing.assert_array_equal(display.lines_[1].get_xdata(), [1, 2, 3, 4])
    assert display.ax_.get_xlabel() == "Number of codes"
    assert display.ax_.get_ylabel() == "Cumulative explained variance ratio"
    # One more curve on the same axes, per-code shares, the user's style.
    more = ExplainedVarianceDisplay.from_estimator(
        ae, name="AE shares", cumulative=False, ax=display.ax_, line_kwargs={"ls": ":"}
    )
    assert more.ax_ is display.ax_ and len(display.ax_.lines) == 3
    np.testing.assert_allclose(more.lines_[0].get_ydata(), ae.explained_variance_ratio_)
    assert more.lines_[0].get_linestyle() == ":"


# MLPRegressor fitted for two iterations only, to be refused by the display.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scree_plot_rejects_what_it_cannot_draw(digits):
    X, _ = digits
    with pytest.raises(NotFittedError):
        ExplainedVarianceDisplay.from_estimator(AutoEncoder())
    regressor = MLPRegressor(hidden_layer_sizes=(2,), max_iter=2).fit(X, X[:, 0])
    with pytest.raises(AttributeError, match="no explained_variance_ratio_"):
        ExplainedVarianceDisplay.from_estimator(regressor)
    pca = PCA(2).fit(X)
    with pytest.raises(ValueError, match="one name per estimator"):
        ExplainedVarianceDisplay.from_estimators([pca], names=["a", "b"])
