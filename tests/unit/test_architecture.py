"""The layout stays as designed: no import cycles, the library never imports the CLI,
format libraries only inside their writer, every package shipped, every public name documented."""

import ast
import re
from pathlib import Path

import pytest

from support import ROOT

SRC = ROOT / "src" / "briefgen"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import outside TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, int, bool]] = []

    def visit(nodes: list[ast.stmt], top: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import):
                out.extend((a.name, node.lineno, top) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = package.split(".")
                    base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
                out.append((base, node.lineno, top))
                # `from briefgen.fonts import chains` imports the submodule too.
                out.extend((f"{base}.{a.name}", node.lineno, top) for a in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], (ast.stmt, ast.ExceptHandler)):
                    nested_top = top and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                               ast.ClassDef))
                    stmts = [s for h in inner for s in (h.body if isinstance(h, ast.ExceptHandler) else [h])]
                    visit(stmts, nested_top)

    visit(tree.body, True)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        for target, _line, _top in _imports(path):
            if not target.startswith("briefgen"):
                continue
            # Importing a.b.c runs a/__init__ and a/b/__init__ too.
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                dep = ".".join(parts[:i])
                if dep in mods and dep != m:
                    graph[m].add(dep)
    return graph


def test_no_import_cycles():
    """Every import counts, function-local ones too: a cycle hidden in a function is still a cycle."""
    graph = _graph()
    # Packages import their own modules to re-export them; that edge is not a design cycle.
    def edges(m: str) -> set[str]:
        return {d for d in graph[m] if not (d.startswith(m + ".") and _modules()[m].name == "__init__.py")}

    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def dfs(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(edges(m)):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                dfs(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            dfs(m)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_library_never_imports_the_cli():
    bad = [f"{_module_name(p)}:{line}" for m, p in _modules().items()
           if not m.startswith("briefgen.cli") and m != "briefgen.__main__"
           for target, line, _top in _imports(p) if target.startswith("briefgen.cli")]
    assert not bad


# Third-party libraries that know a file format, and the only folders that may import them.
FORMAT_LIBRARIES = {
    "docx": ("briefgen.writers.docx",),
    "reportlab": ("briefgen.writers.pdf",),
    "pptx": ("briefgen.writers.docx",),
    # through python-pptx: the native charts' workbook; and the audit workbook (<name>.audit.xlsx)
    "xlsxwriter": ("briefgen.writers.docx", "briefgen.audit.workbook"),
    "pdfminer": ("briefgen.audit.reading",),  # `briefgen check` reads PDFs
    "matplotlib": ("briefgen.charts", "briefgen.batch.workers"),  # workers preload it
    "click": ("briefgen.cli",),
    "rich": ("briefgen.cli",),
}


@pytest.mark.parametrize("library", sorted(FORMAT_LIBRARIES))
def test_format_knowledge_stays_in_its_folder(library):
    allowed = FORMAT_LIBRARIES[library]
    bad = [f"{m}:{line}" for m, p in _modules().items() for target, line, _top in _imports(p)
           if target.split(".")[0] == library and not m.startswith(allowed)]
    assert not bad, f"{library} imported outside {allowed}: {bad}"


def test_writers_registry_matches_writer_folders():
    from briefgen.writers import FORMATS, REGISTRY

    folders = {p.name for p in (SRC / "writers").iterdir() if (p / "__init__.py").is_file()}
    assert set(FORMATS) == set(REGISTRY) == folders


def test_every_package_is_shipped():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = text.split("[tool.setuptools]")[1].split("\n[")[0]
    listed = set(re.findall(r'"(briefgen(?:\.[\w.]+)?)"', block))
    packages = {_module_name(p.parent / "__init__.py") for p in SRC.rglob("__init__.py")}
    assert packages <= listed, f"missing from pyproject packages: {sorted(packages - listed)}"


def test_public_names_have_docstrings():
    missing = []
    for m, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(f"{m}: module")
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_") \
                    and not ast.get_docstring(node):
                missing.append(f"{m}.{node.name}")
    assert not missing, missing


def test_function_local_imports_say_why():
    """A function-local import is allowed only to keep a heavy library unloaded (or a platform
    module), and says so on the same line or the line above."""
    light = []
    for m, path in _modules().items():
        lines = path.read_text(encoding="utf-8").split("\n")
        for target, line, top in _imports(path):
            if top:
                continue
            here, above = lines[line - 1], lines[line - 2] if line > 1 else ""
            if "#" not in here and not above.strip().startswith("#"):
                light.append(f"{m}:{line} {target}")
    assert not light, "function-local imports without a reason:\n" + "\n".join(sorted(set(light)))
