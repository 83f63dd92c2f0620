"""The walls of the house: pipeline/ never imports the orchestrator, and its parts form no cycle.

Imports are read from the source (including those inside function bodies, which would hide a
cycle from Python's import system but not from a reader).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PIPELINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _imports(path: Path, package: str | None = None) -> set[str]:
    """Every module name ``path`` imports, absolute or relative, at any depth of its code.

    ``package``: the package the file belongs to (default: worked out from its place under
    pipeline/), for resolving relative imports.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _package(path) if package is None else package
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _unit(module: str) -> str | None:
    """The part of the library a module belongs to: ``pipeline.<package or module>``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "pipeline" and len(parts) > 1 else None


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    units = {_unit(_module_name(p)) for p in PIPELINE.rglob("*.py")} - {None}
    graph.add_nodes_from(units)
    for path in PIPELINE.rglob("*.py"):
        source = _unit(_module_name(path))
        for imported in _imports(path):
            target = _unit(imported)
            if source and target in units and target != source:
                graph.add_edge(source, target)
    return graph


def test_pipeline_never_imports_the_orchestrator_or_the_flows():
    offenders = {str(p.relative_to(PIPELINE.parent)): sorted(
        name for name in _imports(p) if name.split(".")[0] in {"prefect", "prefect_dask", "flows"})
        for p in PIPELINE.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pipeline_parts_import_each_other_without_cycles():
    graph = _graph()
    assert len(graph) > 10  # the library's parts were all found
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_the_import_reader_sees_imports_hidden_in_function_bodies(tmp_path):
    module = tmp_path / "hidden.py"
    module.write_text("def f():\n    from pipeline.export import write_json\n"
                      "    from .tables import coded_wide\n", encoding="utf-8")
    assert {"pipeline.export", "pipeline.export.tables"} <= _imports(module, "pipeline.export")
