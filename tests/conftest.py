"""Shared fixtures: the shipped content, and a writable copy of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from explorer import Content, load_content

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO_ROOT / "content"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the shipped content folder that a test may edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target
