"""The import-layer contract: the folder listing is the map, and imports point inward.

    cli -> jobs -> xlsx | office | reports | review | erasure | demo -> system -> rules -> model -> workbook_schema

A module may import its own room and any room below its layer, never a room above it nor a sibling room
of the same layer. Imports inside functions count (they are how heavy libraries load late), and so do
``importlib.import_module`` calls with a literal name. No import circles between modules at all, at most
eight modules directly in ``toolkit/``, and no module over 600 lines. Each I/O or UI library has owners:
the rooms listed for it, and no other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS: list[tuple[str, ...]] = [
    ("cli",),
    ("jobs",),
    ("xlsx", "office", "reports", "review", "erasure", "demo"),
    ("system",),
    ("rules",),
    ("model",),
    ("workbook_schema",),
]
LAYER_OF = {room: depth for depth, rooms in enumerate(LAYERS) for room in rooms}

# library -> the rooms that may import it (the owner of a concern); every other room may not
OWNERS: dict[str, set[str]] = {
    "openpyxl": {"xlsx", "office"},
    "python_calamine": {"xlsx", "office"},
    "fastexcel": {"xlsx"},
    "docxtpl": {"office"},
    "docx": {"office"},
    "jinja2": {"office"},
    "pypdf": {"office", "erasure"},
    "matplotlib": {"review"},
    "pyzipper": {"jobs"},
    "rich": {"system"},
    "platformdirs": {"system"},
    "argparse": {"cli"},
    "subprocess": {"office", "system"},
    "zipfile": {"xlsx", "office", "erasure", "jobs"},
    "shutil": {"xlsx", "office", "jobs", "system", "erasure"},
    "tempfile": {"xlsx", "office", "jobs", "system"},
    "socket": set(), "urllib.request": set(), "http": set(), "requests": set(), "sqlite3": set(),
    "lxml": {"xlsx", "erasure", "office"},
}
PURE_ROOMS = {"rules", "model", "workbook_schema"}
FORBIDDEN_CALLS = {"open", "print", "input"}


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "workbook_schema":
        return "workbook_schema"
    if parts[0] == "toolkit" and len(parts) > 1 and parts[1] in LAYER_OF:
        return parts[1]
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


SOURCES = sorted([*(ROOT / "toolkit").rglob("*.py"), *(ROOT / "workbook_schema").rglob("*.py")])
MODULES = {_module_name(p): p for p in SOURCES}


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions; ``from a import b`` gives ``a.b`` when
    that is a module of ours, else ``a``."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in MODULES else base)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                prefix = arg.values[0].value.rstrip(".")
                names.update(m for m in MODULES if m.startswith(prefix + "."))
    return names


GRAPH = {name: {i for i in imports_of(path) if i in MODULES and i != name} for name, path in MODULES.items()}


def _upward_or_sideways(module: str) -> list[str]:
    room = _room(module)
    if room is None:
        return []
    wrong = []
    for target in imports_of(MODULES[module]):
        other = _room(target)
        if other is None or other == room:
            continue
        if LAYER_OF[other] <= LAYER_OF[room]:
            wrong.append(target)
    return wrong


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_inward(module):
    assert _upward_or_sideways(module) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    # a package's __init__ that only documents the room imports nothing, so it is no hidden edge
    assert _cycles(GRAPH) == []


def test_at_most_eight_modules_directly_in_toolkit():
    top = sorted(p.name for p in (ROOT / "toolkit").glob("*.py"))
    assert len(top) <= 8, top


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_module_over_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


def _library(name: str) -> str:
    """The OWNERS key a module name falls under: the longest listed prefix, else the top-level name."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in OWNERS:
            return ".".join(parts[:end])
    return parts[0]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_library_is_imported_by_its_owners_only(module):
    room = _room(module)
    wrong = [name for name in imports_of(MODULES[module])
             if _library(name) in OWNERS and room not in OWNERS[_library(name)]]
    assert wrong == []


# the catalogue reads its own package data (messages.toml), never the owner's files
READS_PACKAGE_DATA = {"toolkit.model.messages"}
PURE = sorted(p for name, p in MODULES.items() if _room(name) in PURE_ROOMS and name not in READS_PACKAGE_DATA)


@pytest.mark.parametrize("path", PURE, ids=[str(p.relative_to(ROOT)) for p in PURE])
def test_pure_rooms_read_no_clock_and_open_no_files(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_CALLS, f"{path.name}: {func.id}()"
            if isinstance(func, ast.Attribute) and func.attr in ("today", "now", "utcnow", "read_text",
                                                                 "read_bytes", "write_text", "write_bytes"):
                pytest.fail(f"{path.name}: .{func.attr}() reads the clock or a file; take it as a parameter")


# --- the checks themselves can fail ----------------------------------------------------------------

def test_an_upward_import_inside_a_function_is_found(tmp_path, monkeypatch):
    fake = tmp_path / "toolkit" / "rules" / "fake.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from toolkit.xlsx.reading import read_register\n    import openpyxl\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setitem(MODULES, "toolkit.rules.fake", fake)
    assert _upward_or_sideways("toolkit.rules.fake") == ["toolkit.xlsx.reading"]
    assert "openpyxl" in imports_of(fake)


def test_a_sideways_import_is_found(tmp_path, monkeypatch):
    fake = tmp_path / "toolkit" / "office" / "fake.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from toolkit.xlsx import reading\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setitem(MODULES, "toolkit.office.fake", fake)
    assert _upward_or_sideways("toolkit.office.fake") == ["toolkit.xlsx.reading"]


def test_a_circle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_a_dynamic_import_is_an_edge():
    edges = imports_of(MODULES["toolkit.cli.main"])
    assert "toolkit.cli.commands.check" in edges


# --- start-up speed ---------------------------------------------------------------------------------

HEAVY = {"pandas", "pandera", "openpyxl", "numpy", "python_calamine", "docxtpl", "matplotlib", "rich", "pyarrow",
         "pyzipper", "jinja2", "docx"}
HELP_ARGV = [[], *[[name] for name in ("init", "demo", "check", "eligibility", "certificates", "purge", "import-forms",
                                       "teacher-lists", "emails", "access-request", "backup", "restore", "semester")]]


@pytest.mark.parametrize("argv", HELP_ARGV, ids=lambda a: " ".join(a) or "muskari")
def test_help_imports_no_heavy_library(argv):
    """`muskari [COMMAND] --help` answers at once: -X importtime lists every module the process imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", *argv, "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=60)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    shown = done.stdout.lower()
    assert "toolkit.cli.main" in imported and ("usage:" in shown or "käyttö:" in shown)
    assert not imported & HEAVY
