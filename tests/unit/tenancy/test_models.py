from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotel_common.config import TenantAdminSettings
from hotel_common.tenancy.models import (
    TenantCreate,
    TenantPatch,
    mask_identifier,
    normalize_identifier,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+34 600 000 001", ("34600000001", "phone")),
        ("34600000001", ("34600000001", "phone")),
        ("+1 (555) 000-0002", ("15550000002", "phone")),
        ("100000000000001", ("100000000000001", "phone")),
        (" Staff@Hotel.Example ", ("staff@hotel.example", "email")),
    ],
)
def test_identifiers_have_one_spelling(raw: str, expected: tuple[str, str]) -> None:
    assert normalize_identifier(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12", "a@b", "@x.com", "user-123", "+34 600 000 001 ext 5"])
def test_unusable_identifiers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_identifier(raw)


def test_identifiers_are_masked_for_logs() -> None:
    assert "600000" not in mask_identifier("34600000001")
    assert mask_identifier("maria@example.com") == "m***@example.com"


@pytest.mark.parametrize("tenant_id", ["ab", "Hotel-Sol", "-sol", "sol-", "a" * 41, "hotel_sol", "hotel sol"])
def test_tenant_ids_are_lowercase_slugs_of_3_to_40(tenant_id: str) -> None:
    with pytest.raises(ValidationError):
        TenantCreate.model_validate({"tenant_id": tenant_id, "name": "X"})


def test_valid_tenant_with_defaults() -> None:
    tenant = TenantCreate.model_validate({"tenant_id": "abc", "name": "Hotel"}).to_tenant("2026-01-01T00:00:00+00:00")
    assert (tenant.name, tenant.status, tenant.language) == ("Hotel", "active", "es")
    assert tenant.profile.check_in_time == "15:00"


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Mars/Olympus"},
        {"language": "fr"},
        {"status": "paused"},
        {"profile": {"check_in_time": "25:00"}},
        {"profile": {"staff_email": "not-an-email"}},
        {"pms": {"base_url": "ftp://x", "hotel_id": 1, "secret_name": "s"}},
        {"pms": {"base_url": "http://x", "hotel_id": "1", "secret_name": "s"}},
        {"unknown_field": 1},
        {"name": 5},
    ],
)
def test_bad_fields_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TenantCreate.model_validate({"tenant_id": "abc", "name": "X", **body})


def test_a_patch_with_nothing_in_it_is_empty() -> None:
    assert TenantPatch.model_validate({}).is_empty()
    assert TenantPatch.model_validate({"profile": {}}).is_empty()
    assert not TenantPatch.model_validate({"profile": {"wifi": "x"}}).is_empty()
    assert not TenantPatch.model_validate({"status": "inactive"}).is_empty()


def test_production_refuses_the_local_admin_token_unless_it_comes_from_secrets_manager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cr3t-production-value")
    with pytest.raises(ValidationError, match="ADMIN_API_TOKEN"):
        TenantAdminSettings()
    monkeypatch.setenv("ADMIN_API_TOKEN_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:admin")
    assert TenantAdminSettings().ADMIN_API_TOKEN_SECRET_ARN
