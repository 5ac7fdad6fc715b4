"""Sphinx configuration of the skae documentation.

Build (CI, gallery not executed; needs no network):
    sphinx-build -W --keep-going -b html -D plot_gallery=0 docs docs/_build/html
Build with the gallery executed (a few minutes):
    sphinx-build -W -b html docs docs/_build/html
Build with the other projects' current inventories (needs the network):
    SKAE_DOCS_INTERSPHINX=online sphinx-build -b html docs docs/_build/html
"""

import importlib.util
import inspect
import itertools
import os
import posixpath
import re
import sys
import tempfile
import zlib
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Examples draw off-screen while the gallery executes them.
os.environ.setdefault("MPLBACKEND", "Agg")
DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from sphinx.util import logging  # noqa: E402
from sphinx.util.fileutil import copy_asset  # noqa: E402
from sphinx_gallery.sorting import ExplicitOrder  # noqa: E402

import skae  # noqa: E402
import skae.plotting  # noqa: E402

logger = logging.getLogger(__name__)

project = "skae"
author = "skae developers"
copyright = "skae developers"
release = skae.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_inventories",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "**/*.codeobj.json",
]
default_role = "literal"

# -- API reference ------------------------------------------------------------
autosummary_generate = True
# Members, inherited ones included, are asked for by the class template
# (_templates/autosummary/class.rst), not here: a default "inherited-members"
# would override ``:no-members:`` on the ``automodule`` of api.rst.
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
# "fit()" rather than "AutoEncoder.fit()" in the page's table of contents.
toc_object_entries_show_parents = "hide"
# autodoc renders every method under its class and the class template adds
# a summary table; numpydoc's member table would list them a third time.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# -- links to other projects' documentation (intersphinx) ---------------------
# Sphinx resolves references such as :class:`~sklearn.decomposition.PCA` with
# each project's inventory (objects.inv). Fetching one needs the network, and
# CI builds offline, so SKAE_DOCS_INTERSPHINX picks where they come from:
#
# - "offline" (the default, and CI): local copies only, never the network.
#   docs/_inventories/python.inv and sklearn.inv are the objects.inv files of
#   Debian's python3.11-doc (3.11.2) and python-sklearn-doc (1.2.1) packages;
#   the links point at the current online docs, where those names still live.
#   NumPy's and Keras' inventories are written below from the few names
#   these pages use (Keras publishes no Sphinx inventory at all).
# - "online": fetch the current inventories first and fall back to the local
#   copies, so a failed download costs links, not the build. To refresh a
#   copy: curl -o docs/_inventories/sklearn.inv https://scikit-learn.org/stable/objects.inv
# - "off": no links to other projects; such references render as code.
#
# A reference intersphinx cannot resolve renders as plain code text without
# a warning (the build is not nitpicky), so `-W` stays green either way.
_SMALL_INVENTORIES = {
    "numpy": (
        "NumPy",
        {
            "numpy.ndarray": ("py:class", "reference/generated/numpy.ndarray.html"),
            "numpy.float32": ("py:attribute", "reference/arrays.scalars.html"),
            "numpy.float64": ("py:attribute", "reference/arrays.scalars.html"),
            "numpy.random.RandomState": ("py:class", "reference/random/legacy.html"),
            "numpy.random.Generator": ("py:class", "reference/random/generator.html"),
        },
    ),
    "keras": (
        "Keras",
        {
            "keras.Model": ("py:class", "models/model/#model-class"),
            "keras.Model.export": ("py:method", "models/model_saving_apis/export/#export-method"),
            "keras.export.ExportArchive": (
                "py:class",
                "models/model_saving_apis/export/#exportarchive-class",
            ),
            "keras.layers.Layer": ("py:class", "layers/base_layer/#layer-class"),
        },
    ),
}
_INTERSPHINX_TARGETS = {
    "python": "https://docs.python.org/3/",
    "sklearn": "https://scikit-learn.org/stable/",
    "numpy": "https://numpy.org/doc/stable/",
    "keras": "https://keras.io/api/",
}
# Projects with no objects.inv online: never fetched.
_NO_REMOTE_INVENTORY = {"keras"}
# A fixed folder: a path that changed between builds would make Sphinx see a
# changed configuration and rebuild every page.
_INVENTORY_DIR = Path(tempfile.gettempdir(), "skae-docs-inventories")


def _write_inventory(path: Path, project_name: str, entries: dict) -> None:
    """Write a Sphinx (version 2) inventory of ``entries``."""
    header = (
        f"# Sphinx inventory version 2\n# Project: {project_name}\n# Version: \n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(
        f"{name} {role} 1 {uri if '#' in uri else f'{uri}#{name}'} -\n"
        for name, (role, uri) in sorted(entries.items())
    )
    data = header.encode() + zlib.compress(body.encode())
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(data)
        os.replace(partial, path)


def _local_inventory(name: str) -> str:
    if name in _SMALL_INVENTORIES:
        path = _INVENTORY_DIR / f"{name}.inv"
        _write_inventory(path, *_SMALL_INVENTORIES[name])
        return str(path)
    return str(DOCS / "_inventories" / f"{name}.inv")


_INTERSPHINX = os.environ.get("SKAE_DOCS_INTERSPHINX", "offline").strip().lower()
if _INTERSPHINX not in {"offline", "online", "off"}:
    raise ValueError(f"SKAE_DOCS_INTERSPHINX must be offline, online or off, got {_INTERSPHINX!r}")
intersphinx_mapping = {
    name: (
        target,
        (None, _local_inventory(name))
        if _INTERSPHINX == "online" and name not in _NO_REMOTE_INVENTORY
        else (_local_inventory(name),),
    )
    for name, target in _INTERSPHINX_TARGETS.items()
    if _INTERSPHINX != "off"
}
intersphinx_timeout = 10
# Only explicit ``external:`` references and the py/std roles look outside.
intersphinx_disabled_reftypes = ["std:doc"]

# -- maths (MathJax, served from this site) -----------------------------------
# The sphinx-mathjax-offline package (docs extra) ships MathJax 3's files;
# build-finished copies the ones tex-chtml.js loads into _static/mathjax, so
# the pages render maths without reaching a CDN.
_MATHJAX_SPEC = importlib.util.find_spec("sphinx-mathjax-offline")
_MATHJAX_FILES = None
if _MATHJAX_SPEC is not None and _MATHJAX_SPEC.submodule_search_locations:
    _MATHJAX_FILES = Path(_MATHJAX_SPEC.submodule_search_locations[0], "static", "mathjax")
    mathjax_path = "mathjax/tex-chtml.js"
# Only what tex-chtml.js loads at run time: its TeX extensions, fonts, the
# menu and the accessibility tools. The other bundles are left out.
_MATHJAX_KEEP = ("tex-chtml.js", "input/tex/", "output/chtml/", "a11y/", "ui/", "sre/")


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if _MATHJAX_FILES is None:
        logger.warning(
            "sphinx-mathjax-offline is not installed (pip install '.[docs]'): "
            "the pages load MathJax from a CDN."
        )
        return

    def excluded(path: str) -> bool:
        relative = posixpath.normpath(path)
        if (_MATHJAX_FILES / relative).is_dir():
            relative += "/"
            return not any(k.startswith(relative) or relative.startswith(k) for k in _MATHJAX_KEEP)
        return not relative.startswith(_MATHJAX_KEEP)

    copy_asset(_MATHJAX_FILES, Path(app.outdir, "_static", "mathjax"), excluded=excluded)


# -- gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # Only plot_*.py files are gallery examples; other scripts in examples/
    # (e.g. quickstart.py) are plain scripts.
    "ignore_pattern": r"(^|/)(?!plot_)[^/]*\.py$",
    "doc_module": ("skae",),
    "reference_url": {"skae": None},
    # "Examples using ..." on the API pages (see the class template).
    "backreferences_dir": "gen_modules",
    "remove_config_comments": True,
    # The flagship comparison first, then from the basics to the special
    # cases. An example missing from the list comes last.
    "within_subsection_order": ExplicitOrder(
        [
            "plot_pca_vs_autoencoder.py",
            "plot_grid_search_pipeline.py",
            "plot_denoising.py",
            "plot_sparse_codes.py",
            "plot_vae.py",
            "plot_anomaly_detection.py",
            "plot_resnet_images.py",
            "plot_sparse_text.py",
            "plot_scikeras_pipeline.py",
            "*",
        ]
    ),
    # Thumbnails are shown at 240 x 168 pixels (_static/skae.css); made at
    # twice that, they stay sharp on high-density screens.
    "thumbnail_size": (480, 336),
    # Each figure is also saved at twice its dpi for high-density screens.
    "image_srcset": ["2x"],
    "download_all_examples": False,
    "abort_on_example_error": True,
    # Keep generated files out of the source tree (docs/sg_execution_times.rst).
    "write_computation_times": False,
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # Every top-level page (all nine) in the header, none under a "More"
    # menu; the search field shrinks to an icon and _static/skae.css
    # narrows the header's spacing, so that it stays one line down to a
    # 960-pixel window.
    "header_links_before_dropdown": 9,
    "navbar_persistent": [],
    "navbar_end": ["search-button", "theme-switcher", "navbar-icon-links"],
    # The benchmark tables have up to 16 columns: give them the right
    # sidebar's width too (the page has its own "On this page" panel).
    # Gallery examples too: between both sidebars their code (lines of up
    # to 99 characters) and printed output scrolled sideways in a
    # 1400-pixel window, and their pages have at most four sections.
    # ("*" matches the top-level pages only: one wildcard per page.)
    "secondary_sidebar_items": {
        "*": ["page-toc", "edit-this-page", "sourcelink"],
        "gen_modules/*": ["page-toc", "edit-this-page", "sourcelink"],
        "benchmarks": [],
        "auto_examples/*": [],
    },
}
# The left sidebar only holds the section navigation, which only the API
# reference and the gallery have (their pages are listed there). Elsewhere it
# would be an empty column taking a quarter of the width. ("*" matches the
# top-level pages only, "api" is more specific than "*".)
html_sidebars = {
    "*": [],
    "api": ["sidebar-nav-bs"],
    "gen_modules/*": ["sidebar-nav-bs"],
    "auto_examples/*": ["sidebar-nav-bs"],
}
html_static_path = ["_static"]
html_css_files = ["skae.css"]
html_show_sourcelink = False


# -- inherited scikit-learn docstrings -------------------------------------------
# Methods inherited from scikit-learn (set_output, get_metadata_routing...)
# point to scikit-learn's user guide and gallery, and mark options with
# scikit-learn's version numbers ("Added in version 1.4"), which mean nothing
# here. Those paragraphs and directives are dropped; remaining glossary terms
# and labels render as plain text.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^>`]*)>)?`")
_VERSION_DIRECTIVE = re.compile(r"^(\s*)\.\. (versionadded|versionchanged|deprecated)::")


def _sklearn_role_as_text(match: re.Match) -> str:
    title, target = match.group(1).strip(), match.group(2)
    return title or target


def _without_version_directives(lines: list[str]) -> list[str]:
    kept, skip_deeper_than = [], None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if skip_deeper_than is not None:
            if not line.strip() or indent > skip_deeper_than:
                continue
            skip_deeper_than = None
        if match := _VERSION_DIRECTIVE.match(line):
            skip_deeper_than = len(match.group(1))
            continue
        kept.append(line)
    return kept


def _without_ref_paragraphs(lines: list[str]) -> list[str]:
    """Drop paragraphs that send the reader to scikit-learn's guide or gallery."""
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        else:
            paragraphs.append(current)
            current = []
    kept = [p for p in paragraphs if not any(":ref:`" in line for line in p)]
    out = []
    for paragraph in kept:
        if paragraph:
            out.extend([*paragraph, ""])
    return out


def _clean_sklearn_docstring(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn."):
        return
    lines[:] = _without_ref_paragraphs(_without_version_directives(lines))
    lines[:] = _SKLEARN_ROLE.sub(_sklearn_role_as_text, "\n".join(lines)).split("\n")


# -- "Read more in the user guide" on the API pages ---------------------------
# The user guide has a section per estimator, titled with the class name. A
# label is registered for each when user_guide is read, and each class page
# links to its section, or to the whole guide when it has none.
_USER_GUIDE = DOCS / "user_guide.rst"
_PUBLIC_CLASSES = {
    name for name in skae.__all__ if inspect.isclass(getattr(skae, name, None))
} | set(skae.plotting.__all__)


def _user_guide_sections() -> set[str]:
    """Class names that title a section of the user guide."""
    lines = _USER_GUIDE.read_text(encoding="utf-8").splitlines()
    return {
        title
        for title, underline in itertools.pairwise(lines)
        if title in _PUBLIC_CLASSES and re.fullmatch(r"([=\-~^\"'`#*+])\1+", underline)
    }


_SECTIONS = _user_guide_sections()


def _label(class_name: str) -> str:
    return f"user-guide-{class_name.lower()}"


def _register_user_guide_labels(app, doctree):
    current = getattr(app.env, "current_document", None)  # Sphinx >= 8.2
    if (current.docname if current is not None else app.env.docname) != "user_guide":
        return
    from docutils import nodes

    std = app.env.get_domain("std")
    for section in doctree.findall(nodes.section):
        title = section[0].astext() if section.children else ""
        if title in _SECTIONS and section["ids"]:
            std.anonlabels[_label(title)] = ("user_guide", section["ids"][0])
            std.labels[_label(title)] = ("user_guide", section["ids"][0], title)


def _link_user_guide(app, what, name, obj, options, lines):
    short = name.rsplit(".", 1)[-1]
    if what != "class" or short not in _PUBLIC_CLASSES or not name.startswith("skae."):
        return
    if short in _SECTIONS:
        link = f"Read more in the :ref:`User Guide <{_label(short)}>`."
    else:
        link = "Read more in the :doc:`User Guide </user_guide>`."
    # After the one-line summary, as in scikit-learn's reference.
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    lines[end:end] = ["", link]


# -- [source] links for inherited methods -------------------------------------
# viewcode links a method to its source only under the class that defines it,
# so AutoEncoder.fit (defined on BaseAutoEncoder) would get no [source] link.
# Each public class's inherited skae methods are added to the source tags of
# the module that defines them, under the subclass's name.
def _viewcode_source_with_inherited(app, modname):
    if not modname.startswith("skae"):
        return None
    from sphinx.pycode import ModuleAnalyzer

    try:
        analyzer = ModuleAnalyzer.for_module(modname)
        analyzer.find_tags()
    except Exception:
        return None
    tags = dict(analyzer.tags)
    classes = [getattr(skae, n) for n in _PUBLIC_CLASSES if hasattr(skae, n)]
    classes += [getattr(skae.plotting, n) for n in skae.plotting.__all__]
    for cls in classes:
        for attr in dir(cls):
            owner = next((c for c in cls.__mro__ if attr in vars(c)), None)
            if owner is None or owner is cls or owner.__module__ != modname:
                continue
            source = tags.get(f"{owner.__qualname__}.{attr}")
            if source is not None:
                tags.setdefault(f"{cls.__name__}.{attr}", source)
    return analyzer.code, tags


def setup(app):
    # Priority below numpydoc's (500), so these run before it parses.
    app.connect("autodoc-process-docstring", _clean_sklearn_docstring, priority=400)
    app.connect("autodoc-process-docstring", _link_user_guide, priority=400)
    app.connect("doctree-read", _register_user_guide_labels)
    app.connect("viewcode-find-source", _viewcode_source_with_inherited)
    app.connect("build-finished", _copy_mathjax)
