"""Sphinx configuration of the skae documentation.

Build (CI, gallery not executed):
    sphinx-build -W --keep-going -b html -D plot_gallery=0 docs docs/_build/html
Build with the gallery executed (a few minutes):
    sphinx-build -W -b html docs docs/_build/html
"""

import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Examples draw off-screen while the gallery executes them.
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import skae

project = "skae"
author = "skae developers"
copyright = "skae developers"
release = skae.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**/*.codeobj.json"]
default_role = "literal"

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# autodoc renders every method under its class; numpydoc's member table would
# list them a second time.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

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
    "backreferences_dir": "gen_modules",
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
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
}
html_static_path = []
html_show_sourcelink = False


# -- inherited scikit-learn docstrings -------------------------------------------
# Methods inherited from scikit-learn (set_output, get_metadata_routing...)
# cross-reference labels and glossary terms of scikit-learn's own docs, which
# do not exist here; render them as plain text.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^>`]*)>)?`")


def _sklearn_role_as_text(match: re.Match) -> str:
    title, target = match.group(1).strip(), match.group(2)
    if target is None and title.startswith("sphx_glr_"):
        return "scikit-learn's documentation"
    return title or target


def _unlink_sklearn_references(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if module.startswith("sklearn."):
        lines[:] = _SKLEARN_ROLE.sub(_sklearn_role_as_text, "\n".join(lines)).split("\n")


def setup(app):
    # Priority below numpydoc's (500), so the roles are gone before it parses.
    app.connect("autodoc-process-docstring", _unlink_sklearn_references, priority=400)
