"""The shape of the code DESIGN.md draws: layers, no import cycle, no import hidden in a
function to dodge one, small modules.

Read from the source with :mod:`ast`, so the test sees what a reader sees.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fmstoolkit"
#: The ways in and out (and the layer above the domain, the actions); every other module of the
#: package is the domain: SQLite and rules, which never imports a way in or out, nor an action.
WAYS = {"actions", "forms", "notify", "assistant", "ui", "serve", "calendar_feeds", "cli"}
MAX_LINES = 520


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def resolve(module: str, node: ast.ImportFrom | ast.Import, is_package: bool) -> list[str]:
    """The fmstoolkit modules an import statement names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.startswith("fmstoolkit")]
    if node.level == 0:
        base = node.module or ""
        if not base.startswith("fmstoolkit"):
            return []
    else:
        here = module.split(".") if is_package else module.split(".")[:-1]
        here = here[: len(here) - (node.level - 1)]
        base = ".".join(here + ([node.module] if node.module else []))
    known = modules()
    names = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
    return names or [base]


def imports(inside_functions: bool) -> dict[str, set[str]]:
    """Module -> the fmstoolkit modules it imports, at top level or inside functions."""
    graph: dict[str, set[str]] = {}
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        statements = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        nested = {
            id(n)
            for func in ast.walk(tree)
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in ast.walk(func)
        }
        edges = set()
        for node in statements:
            if (id(node) in nested) == inside_functions:
                edges |= set(resolve(module, node, path.name == "__init__.py"))
        graph[module] = edges - {module}
    return graph


def layer(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def is_domain(module: str) -> bool:
    return "." in module and layer(module) not in WAYS


def test_no_fmstoolkit_import_is_hidden_inside_a_function():
    hidden = {m: sorted(e) for m, e in imports(inside_functions=True).items() if e}
    assert hidden == {}


def test_there_is_no_import_cycle():
    graph = imports(inside_functions=False)
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            # a package importing its own submodules (re-exports) is not a cycle of the design
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_domain_imports_no_way_in_or_out():
    wrong = {
        m: sorted(e for e in edges if layer(e) in WAYS)
        for m, edges in imports(inside_functions=False).items()
        if is_domain(m)
    }
    assert {m: e for m, e in wrong.items() if e} == {}


#: What the actions may use of the notifiers: the queue, its templates and the signed buttons.
OUTBOX = ("fmstoolkit.notify.outbox", "fmstoolkit.notify.callbacks", "fmstoolkit.notify.render")


def test_actions_import_only_the_domain_and_the_outbox():
    def allowed(target: str) -> bool:
        return is_domain(target) or layer(target) == "actions" or target.startswith(OUTBOX)

    wrong = {
        m: sorted(e for e in edges if not allowed(e))
        for m, edges in imports(inside_functions=False).items()
        if layer(m) == "actions"
    }
    assert {m: e for m, e in wrong.items() if e} == {}


def test_modules_stay_small():
    big = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}
