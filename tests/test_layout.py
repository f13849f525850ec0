"""The layering of DESIGN.md: models/ and solvers/ are leaf libraries that never import wfm."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["models", "solvers"])
def test_no_source_file_imports_wfm(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n == "wfm" or n.startswith("wfm.")]
    assert offenders == []


@pytest.mark.parametrize("package", ["models", "solvers"])
def test_importable_without_wfm(package, tmp_path):
    """Import the package in a fresh interpreter where `wfm` cannot be found at all."""
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'wfm' or name.startswith('wfm.'):\n"
        "            raise ImportError('wfm is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"import {package}, pkgutil, importlib\n"
        f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
