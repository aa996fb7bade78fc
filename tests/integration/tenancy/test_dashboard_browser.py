"""The operator dashboard in a real headless Chromium (Debian's package, driven by Playwright's Python
API): it shows the tenants with the token and refuses without it. Never skipped: when Chromium is missing
it is installed with apt, and the test fails if that is impossible."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from hotel_common.metrics import label_key
from tests.integration.tenancy.conftest import ADMIN_TOKEN, free_port
from tests.integration.tenancy.helpers import call

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not CHROMIUM.exists():
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.fail("chromium is missing and apt-get is not available to install it")
        for command in ([apt, "update"], [apt, "install", "-y", "--no-install-recommends", "chromium"]):
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=1200,
                env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                check=False,
            )
            if done.returncode != 0:
                pytest.fail(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} still missing after installing the chromium package")
    return str(CHROMIUM)


@pytest.fixture
def dashboard_url(env: dict[str, Any]) -> Iterator[str]:
    """The admin app (real wiring: moto + Redis) served by uvicorn on a free loopback port."""
    from functions.tenant_admin.handler import _adapter

    for tenant_id, name in (("hotel-sol", "Hotel Sol de Mayo"), ("harbor-view", "Harbor View Inn")):
        assert call("POST", "/admin/tenants", {"tenant_id": tenant_id, "name": name}).status == 201
    business = {"identifier": "100000000000001", "kind": "phone_number_id"}
    assert call("POST", "/admin/tenants/hotel-sol/identifiers", business).status == 201
    assert call("POST", "/admin/tenants/harbor-view/identifiers", {"identifier": "34611222333"}).status == 201
    assert call("PATCH", "/admin/tenants/harbor-view", {"status": "inactive"}).status == 200
    counts = env["redis"]
    counts.hset("metrics:message_normalized_total", label_key({"canal": "whatsapp", "tenant_id": "hotel-sol"}), 41)
    counts.hincrbyfloat(
        "metrics:message_normalized_total", label_key({"canal": "whatsapp", "tenant_id": "hotel-sol"}), 1
    )
    counts.hset("metrics:message_normalized_total", label_key({"canal": "whatsapp", "tenant_id": "harbor-view"}), 5)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(_adapter().app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}/admin/dashboard"
    server.should_exit = True
    thread.join(timeout=10)


def test_dashboard_shows_tenants_with_the_token_and_refuses_without(chromium: str, dashboard_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            operator = browser.new_context(extra_http_headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            page = operator.new_page()
            response = page.goto(dashboard_url)
            assert response is not None and response.status == 200
            assert page.title() == "agente-hotel: tenants"
            rows = page.locator("#tenants tbody tr")
            assert rows.count() == 2
            sol = page.locator('tr[data-tenant="hotel-sol"]')
            assert "Hotel Sol de Mayo" in sol.inner_text()
            assert "100000000000001" in sol.inner_text()
            assert sol.locator("td.messages").inner_text() == "42"
            harbor = page.locator('tr[data-tenant="harbor-view"]')
            assert "Harbor View Inn" in harbor.inner_text() and "inactive" in harbor.inner_text()
            assert "34611222333" not in harbor.inner_text()  # a guest phone is masked
            assert harbor.locator("td.messages").inner_text() == "5"
            assert page.locator("#summary").inner_text().startswith("2 tenants, 1 active")
            assert page.locator("#messages-total").inner_text().endswith("47")

            for headers in ({}, {"Authorization": "Bearer wrong-token"}):
                stranger = browser.new_context(extra_http_headers=headers)
                refused = stranger.new_page()
                response = refused.goto(dashboard_url)
                assert response is not None and response.status == 401
                body = refused.locator("body").inner_text()
                assert "unauthorized" in body
                assert "Hotel Sol de Mayo" not in body and "hotel-sol" not in body
                stranger.close()
        finally:
            browser.close()
