"""The tiny examples in the docstrings of ``models`` run and hold."""

import doctest
import importlib
import pkgutil

import pytest

import models

MODULES = sorted(m.name for m in pkgutil.iter_modules(models.__path__, "models."))


@pytest.mark.parametrize("name", ["models", *MODULES])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
