"""The shape of the code, checked from the source with `ast`: a folder is a stage, imports go one way.

- no import cycles between modules, nor between the stage packages;
- each stage package imports only the layers below it (the table LAYERS);
- Prefect is imported only under flows/, and sureform never imports flows;
- at most a dozen modules directly under sureform/;
- no registration by import side effect: no module-level calls into another module's registry.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sureform", "flows", "schemas")

# what each part of sureform may import (besides itself and the standard library / third parties)
FOUNDATION = {"sureform.issues", "sureform.model", "sureform.editions", "sureform.store", "sureform.atomic",
              "sureform.runlock", "sureform.config"}
LAYERS = {
    "sureform.intake": FOUNDATION,
    "sureform.checks": FOUNDATION | {"sureform.intake"},
    "sureform.rules": FOUNDATION | {"sureform.intake", "sureform.checks"},
    "sureform.outputs": FOUNDATION | {"sureform.intake", "sureform.checks", "sureform.rules"},
}


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, at any depth of the file (function-level imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def without_package_inits(graph):
    """A package's __init__ re-exporting its modules is not a dependency of those modules on the package."""
    return {n: {m for m in deps if not n.startswith(m + ".")} for n, deps in graph.items()}


def test_no_import_cycles_between_modules(graph):
    assert find_cycle(without_package_inits(graph)) is None


def part_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "sureform" and len(parts) > 1 and parts[1] in ("intake", "checks", "rules", "outputs"):
        return ".".join(parts[:2])
    return module if parts[0] == "sureform" else parts[0]


def test_no_import_cycles_between_stage_packages(graph):
    packages: dict[str, set[str]] = {}
    for n, deps in graph.items():
        packages.setdefault(part_of(n), set()).update(part_of(d) for d in deps if part_of(d) != part_of(n))
    assert find_cycle(packages) is None


@pytest.mark.parametrize("stage", sorted(LAYERS))
def test_each_stage_imports_only_the_layers_below_it(graph, stage):
    allowed = LAYERS[stage] | {stage}
    bad = {(n, d) for n, deps in graph.items() if part_of(n) == stage
           for d in deps if part_of(d) not in allowed and d not in allowed}
    assert not bad


def test_the_foundation_imports_no_stage(graph):
    stages = set(LAYERS) | {"sureform.pipeline", "sureform.report", "sureform.cli", "flows"}
    bad = {(n, d) for n in FOUNDATION for d in graph.get(n, ()) if part_of(d) in stages}
    assert not bad


def test_prefect_only_under_flows_and_sureform_never_imports_flows():
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and not node.level}
        if not name.startswith("flows"):
            assert not any(n == "prefect" or n.startswith("prefect.") for n in names), name
            assert not any(n == "flows" or n.startswith("flows.") for n in names), name


def test_at_most_a_dozen_modules_directly_under_sureform():
    direct = sorted(p.name for p in (ROOT / "sureform").glob("*.py"))
    assert len(direct) <= 12, direct


def test_every_package_says_what_lives_there():
    for name, path in modules().items():
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and "TODO" not in doc, name


def test_no_registration_by_import_side_effect():
    """No module-level call of a `register`-like function outside the module that defines the registry."""
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                fn = node.value.func
                called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                if "register" in called or called in ("append", "update", "setdefault"):
                    assert called in defined, (name, ast.unparse(node))


def test_the_serve_entry_point_does_not_import_prefect_before_serve_configures_it():
    """`python -m flows serve` sets PREFECT_HOME / PREFECT_API_URL first; Prefect reads them when imported."""
    import subprocess
    import sys

    code = "import sys, flows.cli; sys.exit('prefect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
