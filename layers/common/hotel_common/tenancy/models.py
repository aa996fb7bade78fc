"""Tenants (hotels) and the identifiers that map to them, as plain pydantic values.

Request models are strict and forbid unknown fields, so a bad admin body is a 422 with a reason rather
than a silently coerced value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    field_validator,
)
from pydantic_core import CoreSchema

TENANT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
# Patterns, not only validators, so the OpenAPI document says exactly what is accepted (a request valid
# against the document is never refused).
# ASCII classes only: the same pattern must mean the same in pydantic's Rust regex, in Python's and in
# the clients that read the OpenAPI document (\s differs between them).
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$"
URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$"
# 5 to 20 digits, optionally with a leading + and spaces, dots, dashes or brackets between them.
PHONE_PATTERN = r"^\+?[0-9](?:[ ().-]*[0-9]){4,19}$"
IDENTIFIER_PATTERN = f"(?:{PHONE_PATTERN})|(?:{EMAIL_PATTERN})"
_EMAIL = re.compile(EMAIL_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
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


class _TimezoneNames:
    """The JSON schema of a timezone: the IANA names as an enum, listed when a schema is generated (the
    admin OpenAPI document) rather than at import, where reading the tz database costs every cold start
    ~15 ms."""

    @staticmethod
    def __get_pydantic_json_schema__(core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        names = sorted(available_timezones())
        return {"type": "string", "enum": names} if names else {"type": "string"}


Timezone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_timezone),
    _TimezoneNames(),
]
ClockTime = Annotated[str, StringConstraints(pattern=_TIME)]
StaffEmail = Annotated[str, StringConstraints(max_length=254, pattern=f"^$|{EMAIL_PATTERN}"), AfterValidator(str.lower)]
HttpUrl = Annotated[
    str,
    StringConstraints(max_length=500, pattern=URL_PATTERN),
    AfterValidator(lambda value: value.rstrip("/")),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]


def _json_integer(value: object) -> int:
    """JSON Schema's integer: 7 and 7.0, never "7" or true (strict mode alone would refuse 7.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be an integer")
    return int(value)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _encodable(cls, value: object) -> object:
        # A lone surrogate escaped in JSON decodes fine but cannot be stored: refuse it here (422), not
        # in the DynamoDB serializer (500).
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
        return value


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
    hotel_id: int = Field(ge=1, le=10_000_000, strict=False)
    secret_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9/_+=.@:-]{1,512}$")]

    _hotel_id_is_integer = field_validator("hotel_id", mode="before")(_json_integer)


class Tenant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

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
    model_config = ConfigDict(frozen=True, defer_build=True)

    identifier: str
    tenant_id: str
    kind: IdentifierKind
    created_at: str = ""


class TenantCreate(_Strict):
    tenant_id: TenantId
    name: Name
    status: Status = "active"
    language: Language = "es"
    timezone: Timezone = "Europe/Madrid"
    profile: HotelProfile = Field(default_factory=HotelProfile)
    pms: PmsRef | None = None

    def to_tenant(self, now: str) -> Tenant:
        return Tenant(**self.model_dump(), created_at=now, updated_at=now)


class TenantPatch(_Strict):
    name: Name | None = None
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
    identifier: Annotated[
        str,
        StringConstraints(min_length=1, max_length=254, pattern=IDENTIFIER_PATTERN),
        Field(description="a phone number in any spelling, a WhatsApp phone_number_id, or an email address"),
    ]
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
        return "".join(ch for ch in value if ch.isdigit()), "phone"
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
