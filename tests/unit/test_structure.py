"""The shape of the code: imports point one way, only the composition root knows the platforms,
and no module outgrows what a reader takes in at once.

Imports are read from the source (ast), lazy ones inside functions included; those under
`if TYPE_CHECKING:` are left out, since they exist only for type hints.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("bot", "adapters")
COMPOSITION_ROOT = "bot.cli"
PLATFORM_SDKS = {"slack_sdk", "slack_bolt", "discord"}
# Pure functions on text the domain may use: no I/O, no framework.
DOMAIN_LIBRARIES = {"snowballstemmer"}
MAX_LINES = 300


def module_files() -> dict[str, Path]:
    """Every module of bot/ and adapters/ by its dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node that runs, leaving out the bodies of `if TYPE_CHECKING:` (their `else` runs)."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_nodes(node.orelse)
            continue
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _runtime_nodes([child])
            else:
                yield from ast.walk(child)


def imported_names(name: str, path: Path, modules: set[str]) -> set[str]:
    """What a module imports when it runs: our modules by name, other libraries by their top name."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return {target if target in modules else target.split(".")[0] for target in found}


def import_graph() -> dict[str, set[str]]:
    """Each module of bot/ and adapters/ with what it imports at run time."""
    files = module_files()
    modules = set(files)
    return {name: imported_names(name, path, modules) for name, path in files.items()}


def test_bot_and_adapters_have_no_import_cycles() -> None:
    graph = import_graph()
    internal = {name: {t for t in targets if t in graph and t != name} for name, targets in graph.items()}
    try:
        tuple(TopologicalSorter(internal).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_only_the_composition_root_of_bot_imports_adapters_or_a_platform_sdk() -> None:
    graph = import_graph()
    offenders = {
        name: sorted(t for t in targets if t.split(".")[0] in {"adapters", *PLATFORM_SDKS})
        for name, targets in graph.items()
        if name.startswith("bot") and name != COMPOSITION_ROOT
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    # The root does wire the adapters in: this test looks where they are.
    assert any(t.startswith("adapters") for t in graph[COMPOSITION_ROOT])


def test_the_domain_imports_no_framework_and_nothing_of_the_core_outside_it() -> None:
    allowed = sys.stdlib_module_names | {"__future__"} | DOMAIN_LIBRARIES
    for name, targets in import_graph().items():
        if name.startswith("bot.domain"):
            outside = {t for t in targets if not t.startswith("bot.domain")}
            assert outside <= allowed, (name, outside - allowed)


def test_no_module_of_bot_or_adapters_is_over_300_lines() -> None:
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in module_files().values()
    }
    over = {path: lines for path, lines in lengths.items() if lines > MAX_LINES}
    assert over == {}, f"split these modules: {over}"


def every_import(name: str) -> set[str]:
    """Everything a module names in an import, type-only ones included (a port is a type's home)."""
    path = module_files()[name]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def importers_of(package: str, prefix: str) -> dict[str, list[str]]:
    """The modules under `package` that import something under `prefix`, with what they import."""
    found = {}
    for name in module_files():
        if name == package or name.startswith(f"{package}."):
            hits = sorted(t for t in every_import(name) if t == prefix or t.startswith(f"{prefix}."))
            if hits:
                found[name] = hits
    return found


def test_services_reach_storage_only_through_ports() -> None:
    assert importers_of("bot.services", "bot.infra") == {}
    # The check can see: the composition root does import the concrete stores.
    assert importers_of("bot.app", "bot.infra.storage")


def test_adapters_never_import_storage() -> None:
    assert importers_of("adapters", "bot.infra.storage") == {}


def test_the_ports_name_only_domain_values() -> None:
    allowed = sys.stdlib_module_names | {"__future__"}
    for name in module_files():
        if name.startswith("bot.ports"):
            outside = {t for t in every_import(name) if not t.startswith(("bot.domain", "bot.ports"))}
            assert {t.split(".")[0] for t in outside} <= allowed, (name, outside)


def _calls_in(path: Path, method: str) -> int:
    """How many times this module calls `<something>.method(...)`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
    )


def test_digests_are_posted_claimed_and_settled_in_one_place() -> None:
    # One delivery path: a digest header, a claim, a confirmation and a reconcile each have one caller.
    callers = {
        method: sorted(name for name, path in module_files().items() if _calls_in(path, method))
        for method in ("post_digest_header", "claim", "finish", "find_post")
    }
    assert callers == {
        "post_digest_header": ["bot.services.posting"],
        "claim": ["bot.services.delivery"],
        "finish": ["bot.services.delivery"],
        "find_post": ["bot.services.posting"],
    }


def test_no_second_delivery_path_is_left_behind() -> None:
    # The flag that chose between two paths and the all-channels entry point are gone for good.
    sources = "\n".join(path.read_text(encoding="utf-8") for path in module_files().values())
    assert "scheduled=" not in sources
    assert "run_all" not in sources
