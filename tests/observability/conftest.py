"""promtool and amtool are required, never optional: install them (Debian packages) when missing and fail
the session if that is impossible, so these tests cannot silently skip in CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.observability import tools


@pytest.fixture(scope="session", autouse=True)
def observability_tools() -> Iterator[None]:
    try:
        tools.ensure_tools()
    except RuntimeError as exc:
        pytest.fail(f"cannot install promtool/amtool: {exc}", pytrace=False)
    yield


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "observability"
