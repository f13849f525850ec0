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
#: The name of the notes the project's docs/domain.md replaces.
OUTSIDE_DOC = re.compile("DOM" + r"AIN\.md")


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


def test_no_file_names_the_domain_notes_outside_the_repository():
    """The domain reference is docs/domain.md, in the repository; nothing points elsewhere."""
    assert (ROOT / "docs" / "domain.md").is_file()
    assert _offenders(OUTSIDE_DOC) == []


def test_the_domain_reference_names_real_center_keys():
    """Every ``[section] key`` docs/domain.md tells a planner to set exists in the center file."""
    import dataclasses

    from wfm.config import CenterConfig, ContractSection, QueueSection, ShiftSection

    text = (ROOT / "docs" / "domain.md").read_text()
    named = {"queues": QueueSection, "shifts": ShiftSection, "contracts": ContractSection}
    top = {f.name: f for f in dataclasses.fields(CenterConfig)}
    found, unknown = 0, []
    for section, key in re.findall(r"`\[([a-z]+)(?:\.NAME)?\] ([a-z_]+)", text):
        if (section, key) == ("section", "key"):  # the notation itself
            continue
        found += 1
        if section in named:
            ok = key in {f.name for f in dataclasses.fields(named[section])}
        elif section == "hours":
            ok = key in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        else:
            default = top[section].default_factory() if section in top else None
            ok = dataclasses.is_dataclass(default) and key in {f.name for f in dataclasses.fields(default)}
        if not ok:
            unknown.append(f"[{section}] {key}")
    assert found > 30 and unknown == []


def test_references_to_the_domain_reference_name_a_section_it_has():
    """``docs/domain.md section N`` (or ``sections N-M``) anywhere points at an existing section."""
    have = {int(n) for n in re.findall(r"^## (\d+)\.", (ROOT / "docs" / "domain.md").read_text(), re.M)}
    cited = re.compile(r"docs/domain\.md,? sections? (\d+(?:(?:-| and |, )\d+)*)")
    bad = []
    for rel, text in _repository_text_files():
        for m in cited.finditer(text):
            bad += [f"{rel}: {m.group(0)}" for n in re.findall(r"\d+", m.group(1)) if int(n) not in have]
    assert bad == []
