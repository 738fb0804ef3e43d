"""The environment a benchmark runs `tspcli` processes in: as a user's, with bytecode caches.

A user's installed tspcli imports from compiled bytecode; a machine that sets
PYTHONDONTWRITEBYTECODE (this one does) would compile every module of tspcli
again in each process, about 0.05-0.1 s.  So the variable is left out and the
tree is compiled once before timing.
"""
from __future__ import annotations

import compileall
import os


_COMPILED: set[str] = set()


def child_env(root: str) -> dict[str, str]:
    """os.environ with ``root`` first on PYTHONPATH and bytecode caches allowed; compiles ``root``'s tspcli."""
    if root not in _COMPILED:
        compileall.compile_dir(os.path.join(root, "tspcli"), quiet=1)
        _COMPILED.add(root)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = root
    return env
