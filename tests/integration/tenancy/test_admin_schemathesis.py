"""Property-based: requests generated from the admin API's own OpenAPI document (valid and invalid ones)
never get a 5xx, and responses match the document. Runs against the real wiring (moto + Redis)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from infra.topology import table
from scripts.tenants.tables import create_table
from tests.integration.tenancy.conftest import ADMIN_TOKEN, REDIS_URL, reset_wiring
from tests.integration.tenancy.helpers import AUTH

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def admin_schema(moto_endpoint: str) -> Iterator[Any]:
    name = f"agente-hotel-test-fuzz-{uuid.uuid4().hex[:8]}"
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    create_table(dynamodb, table("tenants"), name)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "AWS_ENDPOINT_URL": moto_endpoint,
            "TENANTS_TABLE": name,
            "REDIS_URL": REDIS_URL,
            "ADMIN_API_TOKEN": ADMIN_TOKEN,
            "ADMIN_RATE_LIMIT": "100000/minute",
        }.items():
            mp.setenv(key, value)
        reset_wiring()
        from functions.tenant_admin.handler import _adapter

        app = _adapter().app
        # Something to find: a tenant with an identifier, so generated ids sometimes hit.
        from hotel_common.tenancy.models import TenantCreate, utc_now
        from hotel_common.tenancy.store import TenantStore

        store = TenantStore(name)
        store.create_tenant(TenantCreate(tenant_id="hotel-sol", name="Hotel Sol").to_tenant(utc_now()))
        store.add_identifier("hotel-sol", "100000000000001", "phone_number_id")
        yield schemathesis.openapi.from_asgi("/admin/openapi.json", app, headers=AUTH)
        reset_wiring()
    dynamodb.delete_table(TableName=name)


def operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 8
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_responses_match_the_document(admin_schema: Any, mode: GenerationMode) -> None:
    exercised = []
    for operation in operations(admin_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=AUTH)

        try:
            check()
        except Unsatisfiable:
            # Negative mode has nothing to break in an operation without parameters or body.
            assert mode is GenerationMode.NEGATIVE
            continue
        exercised.append(operation.label)
    assert len(exercised) >= (8 if mode is GenerationMode.POSITIVE else 5), exercised


def test_without_the_token_every_generated_request_is_refused(admin_schema: Any) -> None:
    for operation in operations(admin_schema):

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            response = case.call(headers={"authorization": "Bearer not-the-token"})
            assert response.status_code == 401, (case.method, case.path, response.status_code)

        check()
