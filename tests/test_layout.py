"""The repository's layout: models/ and solvers/ are leaf libraries that never import wfm, and a
fresh clone is self-contained (it reads no file outside itself and names no document it lacks)."""

from __future__ import annotations

import ast
import re
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


#: Folders of a working copy that are not part of the repository (see .gitignore).
_NOT_IN_REPO = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis",
                ".ipynb_checkpoints", "out", "plan-out", "build", "dist"}


def _repository_text_files():
    """Every text file of the repository: the product, tests, benchmarks, notebooks, docs, Makefile."""
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if not path.is_file() or any(p in _NOT_IN_REPO or p.endswith(".egg-info") for p in rel.parts):
            continue
        try:
            yield rel, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # images and other binary files
            continue


def _offenders(pattern: re.Pattern) -> list[str]:
    return [f"{rel}:{n}: {line.strip()}" for rel, text in _repository_text_files()
            for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]


# The patterns are assembled from pieces so that this file does not match itself.
_SHARED = "sha" + "red"
#: A path into the folder beside the clone that held the benchmark data: ``../`` or ``/`` and its
#: name, or its name as a quoted path component.
OUTSIDE_PATH = re.compile(rf"""(\.\./|/){_SHARED}\b|["']{_SHARED}["']""")


def test_the_repository_has_files_to_check():
    names = {str(rel) for rel, _ in _repository_text_files()}
    assert {"Makefile", "README.md", "benchmarks/curtois.py", "wfm/cli/__init__.py"} <= names


def test_nothing_reads_a_path_outside_the_clone():
    """A fresh clone has nothing beside it: the product, tests and benchmarks carry what they read."""
    assert _offenders(OUTSIDE_PATH) == []


def test_the_curtois_instances_ship_with_the_repository():
    from benchmarks.curtois import DATA, OPTIMA

    assert ROOT in DATA.resolve().parents
    assert sorted(p.name for p in DATA.glob("Instance*.txt")) == sorted(f"Instance{n}.txt" for n in OPTIMA)
    readme = (DATA / "README.md").read_text()
    assert "Curtois" in readme and "schedulingbenchmarks.org" in readme and "## Terms" in readme


def test_the_data_files_are_not_ignored_by_git():
    """A clone gets the instance files only if git tracks them: no .gitignore rule may hide them."""
    from benchmarks.curtois import DATA

    if not (ROOT / ".git").exists():
        pytest.skip("not a git working copy")
    files = [str(p.relative_to(ROOT)) for p in DATA.iterdir()]
    out = subprocess.run(["git", "check-ignore", "--no-index", *files], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == []

