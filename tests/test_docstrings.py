"""The examples in the docstrings of wfm and solvers run and say what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import solvers
import wfm

MODULES = sorted(
    m.name for pkg in (wfm, solvers) for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
