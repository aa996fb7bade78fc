from __future__ import annotations

from collections.abc import Iterator

import pytest

from hotel_common.metrics import metrics


@pytest.fixture(autouse=True)
def clean_metrics() -> Iterator[None]:
    metrics.drain()
    yield
    metrics.drain()
