"""Naming an engine, or starting the web tier (the app, its composition root, the ``c2m``
command), loads no solver, mesh, plotting or simulation library: each ``c2m serve`` process
would otherwise pay seconds and hundreds of MB for them. Numpy, Pillow and the back office load
where they are used too (an aggregation, a demand photo, the first /admin request), and so do
Jinja2 (the first page), argon2 (the first password) and the SQL dialects (the engine loads its
own)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

from c2m import engines

HEAVY = (
    *("ortools", "numba", "trimesh", "plotly", "scipy", "pandas", "simpy", "sklearn"),
    *("numpy", "PIL", "sqladmin", "limits", "redis", "jinja2", "pwdlib", "argon2"),
    "aiohttp",  # the webhook sender's client, in worker processes only
    *("pywebpush", "http_ece", "py_vapid", "cryptography"),  # Web Push: the worker sends
)
#: Loaded where used, but inside packages the web tier needs (so named in full).
DEFERRED = ("sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.sqlite", "starlette.templating")
ENGINES = [f"c2m.engines.{m.name}" for m in pkgutil.iter_modules(engines.__path__) if m.ispkg]


def heavy_after(*modules: str) -> list[str]:
    """The heavy (or deferred) modules a fresh interpreter holds after importing ``modules``."""
    probe = (
        f"import sys; import {', '.join(modules)}; "
        f"print(*sorted({set(HEAVY)!r} & {{m.split('.')[0] for m in sys.modules}}), "
        f"*sorted({set(DEFERRED)!r} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.split()


@pytest.mark.parametrize(
    "modules",
    [
        pytest.param(ENGINES, id="engines"),
        pytest.param(["c2m.web.app", "c2m.bootstrap", "c2m.cli.main"], id="serve"),
    ],
)
def test_importing_loads_no_heavy_library(modules: list[str]) -> None:
    assert heavy_after(*modules) == []


@pytest.mark.parametrize("package", ENGINES)
def test_each_public_name_of_an_engine_is_what_it_names_once_all_its_modules_are_loaded(
    package: str,
) -> None:
    """A lazily exported name that is also a submodule's name would turn into that module."""
    probe = (
        f"import importlib, pkgutil, types; p = importlib.import_module({package!r}); "
        "[importlib.import_module(f'{p.__name__}.{m.name}') "
        " for m in pkgutil.iter_modules(p.__path__)]; "
        "print(*[n for n in getattr(p, '__all__', []) "
        "        if isinstance(getattr(p, n), types.ModuleType)])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == []
