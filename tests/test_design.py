"""The examples in docs/design.rst run as written."""

import doctest
from pathlib import Path

DESIGN = Path(__file__).parents[1] / "docs" / "design.rst"


def test_design_examples_run():
    result = doctest.testfile(str(DESIGN), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
