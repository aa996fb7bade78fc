"""The fake QloApps served by uvicorn on a free loopback port, driven over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from scripts.fakes.qloapps import DEMO_KEYS, FakeQloApps, create_app


@dataclass(frozen=True)
class FakeServer:
    url: str
    state: FakeQloApps


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeServer]:
    state = FakeQloApps(seed=7)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake QloApps did not start")
        time.sleep(0.02)
    yield FakeServer(f"http://127.0.0.1:{port}", state)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def fake(fake_server: FakeServer) -> Iterator[FakeServer]:
    fake_server.state.reset()
    fake_server.state.clear_faults()
    yield fake_server
    fake_server.state.clear_faults()


@pytest.fixture
def sol_key() -> str:
    return DEMO_KEYS["hotel-sol"]
