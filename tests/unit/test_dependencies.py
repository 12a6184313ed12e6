"""The Streamlit floor in pyproject.toml is the release that has what the app relies on, and
the domain package stays plain Python."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version

import streamlit as st

from views.registry import REPO_ROOT


def _floor(package: str) -> tuple[int, ...]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    spec = next(d for d in project["project"]["dependencies"] if d.startswith(package))
    found = re.search(r">=\s*([0-9.]+)", spec)
    assert found, spec
    return tuple(int(part) for part in found.group(1).split("."))


def test_the_streamlit_floor_has_st_app_routes_and_components_v2():
    floor = _floor("streamlit")
    assert floor >= (1, 67), "st.App(routes=...) and st.components.v2 need 1.67"
    installed = tuple(int(p) for p in re.findall(r"\d+", version("streamlit"))[:2])
    assert installed >= floor[:2]
    assert callable(st.App) and callable(st.components.v2.component)


def test_the_locked_streamlit_is_within_the_supported_range():
    lock = (REPO_ROOT / "requirements" / "app.lock").read_text(encoding="utf-8")
    locked = re.search(r"^streamlit==([0-9.]+)", lock, re.MULTILINE)
    assert (
        locked and tuple(int(p) for p in locked.group(1).split(".")[:2]) >= _floor("streamlit")[:2]
    )


def test_no_module_of_the_explorer_package_imports_streamlit():
    code = (
        "import pkgutil, importlib, sys, explorer\n"
        "for module in pkgutil.walk_packages(explorer.__path__, 'explorer.'):\n"
        "    if not module.name.endswith('__main__'):\n"
        "        importlib.import_module(module.name)\n"
        "sys.exit(3 if 'streamlit' in sys.modules else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, timeout=120, check=False)
    assert done.returncode == 0, "an explorer module imports streamlit (or failed to import)"
