"""Tenants (hotels) and the identifiers that map to them, as plain pydantic values.

Request models are strict and forbid unknown fields, so a bad admin body is a 422 with a reason rather
than a silently coerced value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

TENANT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{2,30}$")
_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

Status = Literal["active", "inactive"]
Language = Literal["es", "en"]
IdentifierKind = Literal["phone_number_id", "display_phone", "phone", "email"]

TenantId = Annotated[str, StringConstraints(pattern=TENANT_ID_PATTERN)]
Text = Annotated[str, StringConstraints(max_length=500)]


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r}") from exc
    return value


def _email_or_empty(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ValueError("not an email address")
    return value.lower()


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
        raise ValueError("must be an http(s) URL")
    return value.rstrip("/")


Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_timezone)]
ClockTime = Annotated[str, StringConstraints(pattern=_TIME)]
StaffEmail = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email_or_empty)]
HttpUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_http_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class HotelProfile(_Strict):
    """What the agent tells guests about the hotel, and where it hands a conversation to staff."""

    check_in_time: ClockTime = "15:00"
    check_out_time: ClockTime = "11:00"
    address: Text = ""
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    wifi: Text = ""
    parking: Text = ""
    pets: Text = ""
    breakfast: Text = ""
    late_checkout_policy: Text = ""
    staff_email: StaffEmail = ""


class HotelProfilePatch(_Strict):
    check_in_time: ClockTime | None = None
    check_out_time: ClockTime | None = None
    address: Text | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    wifi: Text | None = None
    parking: Text | None = None
    pets: Text | None = None
    breakfast: Text | None = None
    late_checkout_policy: Text | None = None
    staff_email: StaffEmail | None = None


class PmsRef(_Strict):
    """Where the hotel's QloApps lives. The webservice key itself is in Secrets Manager under
    `secret_name`; it is never stored in the table nor logged."""

    base_url: HttpUrl
    hotel_id: int = Field(ge=1, le=10_000_000)
    secret_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9/_+=.@:-]{1,512}$")]


class Tenant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    tenant_id: TenantId
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    status: Status = "active"
    language: Language = "es"
    timezone: Timezone = "Europe/Madrid"
    profile: HotelProfile = Field(default_factory=HotelProfile)
    pms: PmsRef | None = None
    created_at: str = ""
    updated_at: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"


class Identifier(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: str
    tenant_id: str
    kind: IdentifierKind
    created_at: str = ""


class TenantCreate(_Strict):
    tenant_id: TenantId
    name: Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
    status: Status = "active"
    language: Language = "es"
    timezone: Timezone = "Europe/Madrid"
    profile: HotelProfile = Field(default_factory=HotelProfile)
    pms: PmsRef | None = None

    def to_tenant(self, now: str) -> Tenant:
        return Tenant(**self.model_dump(), created_at=now, updated_at=now)


class TenantPatch(_Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)] | None = None
    status: Status | None = None
    language: Language | None = None
    timezone: Timezone | None = None
    profile: HotelProfilePatch | None = None
    pms: PmsRef | None = None

    def is_empty(self) -> bool:
        return not self.model_dump(exclude_none=True, exclude={"profile"}) and not (
            self.profile and self.profile.model_dump(exclude_none=True)
        )


class IdentifierCreate(_Strict):
    identifier: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    kind: IdentifierKind | None = None


@dataclass(frozen=True)
class Snapshot:
    """Everything in the table: what the resolver cache and backups read."""

    tenants: dict[str, Tenant]
    identifiers: dict[str, Identifier]


def normalize_identifier(raw: str) -> tuple[str, IdentifierKind]:
    """One canonical spelling per identifier, so "+34 600 000 001" and WhatsApp's "34600000001" are the
    same key: e-mail addresses lower-cased, phone numbers and phone_number_ids reduced to digits.
    Raises ValueError for anything else (an opaque id would never match a WhatsApp field)."""
    value = raw.strip()
    if "@" in value:
        if not _EMAIL.match(value) or len(value) > 254:
            raise ValueError("not an email address")
        return value.lower(), "email"
    if _PHONE.match(value):
        digits = "".join(ch for ch in value if ch.isdigit())
        if 5 <= len(digits) <= 20:
            return digits, "phone"
    raise ValueError("identifier must be a phone number, a WhatsApp phone_number_id or an email address")


def mask_identifier(identifier: str) -> str:
    """Identifiers are guests' phones and e-mails: never logged whole."""
    if "@" in identifier:
        local, _, domain = identifier.partition("@")
        return f"{local[:1]}***@{domain}"
    from hotel_common.logging import mask_phone

    return mask_phone(identifier)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
