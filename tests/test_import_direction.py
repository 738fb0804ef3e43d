"""Data flows one way: file -> reader -> Model -> values -> Scene -> backend -> writer.

Read from the source with ``ast`` (every import, at module level or inside a
function), so a lazy import counts as much as an eager one.
"""
import ast
import os
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "tspcli"
RENDERING = ("vtk", "vtkmodules", "pyvista")


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: pathlib.Path) -> set[str]:
    """Absolute names of every module ``path`` imports (``from x import y`` counts x and x.y)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return found


def modules(*where: str) -> dict[str, set[str]]:
    """module name -> its imports, for the package's files under ``where`` (all when none)."""
    paths = [p for w in (where or ("",)) for p in (PACKAGE / w).rglob("*.py")] if where else PACKAGE.rglob("*.py")
    return {module_name(p): imports(p) for p in paths}


def offenders(table: dict[str, set[str]], banned) -> dict[str, list[str]]:
    bad = {m: sorted(i for i in found if any(i == b or i.startswith(b + ".") for b in banned))
           for m, found in table.items()}
    return {m: names for m, names in bad.items() if names}


def test_the_library_never_imports_the_command_line():
    library = {m: found for m, found in modules().items()
               if not (m.startswith("tspcli.commands") or m in ("tspcli.cli", "tspcli.__main__"))}
    assert len(library) > 40
    assert offenders(library, ["tspcli.commands", "tspcli.cli"]) == {}


def test_model_scene_and_readers_import_no_backend():
    upstream = modules("scene", "layers", "ops", "io")
    upstream.update({module_name(PACKAGE / f): imports(PACKAGE / f)
                     for f in ("model.py", "engine.py", "loading.py", "spec.py")})
    assert {"tspcli.scene.layout", "tspcli.io.inputs", "tspcli.model"} <= set(upstream)
    assert offenders(upstream, ["tspcli.render", *RENDERING]) == {}


def test_only_backends_import_vtk_or_pyvista():
    outside = {m: found for m, found in modules().items() if not m.startswith("tspcli.render.backends")}
    assert offenders(outside, RENDERING) == {}
    assert offenders(modules("render/backends"), RENDERING)      # the check sees their imports


def test_model_and_engine_do_not_import_each_other_both_ways():
    table = modules()
    assert not ({"tspcli.engine"} & table["tspcli.model"] and {"tspcli.model"} & table["tspcli.engine"])


@pytest.mark.slow
def test_the_backend_defers_what_pyvista_imports_but_never_uses():
    """pyplot, the Agg canvas and pooch are not loaded with the backend, and real when used after."""
    code = (
        "import sys\n"
        "from tspcli.render.backends import pyvista_raster\n"
        "print(sorted(m for m in ('matplotlib.figure', 'matplotlib.font_manager', 'tqdm', 'asyncio') "
        "if m in sys.modules))\n"
        "import matplotlib.pyplot as plt\n"
        "figure = plt.figure()\n"
        "print(type(sys.modules['matplotlib.pyplot']).__name__, type(figure).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE.parent, env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "module Figure"]


def test_no_module_of_the_package_imports_itself_back():
    """No import circles: from every module, following its imports (lazy ones too) never leads back to it.

    A package's ``__init__`` that only names what its modules define is not counted as importing them
    back (``tspcli/__init__`` re-exports the API), so edges into a package stand for the package file.
    """
    table = modules()
    graph = {m: {i for i in found if i in table and i != m} for m, found in table.items()}
    for module, found in graph.items():          # ``from pkg import name`` names pkg itself, not a cycle
        graph[module] = {i for i in found if not module.startswith(i + ".")}
    circles = []
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            node = todo.pop()
            if node == start:
                circles.append(start)
                break
            if node not in seen:
                seen.add(node)
                todo.extend(graph[node])
    assert circles == []
