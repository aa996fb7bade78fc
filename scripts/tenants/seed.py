"""Demo tenants of the local stack: two hotels, their WhatsApp numbers and their PMS keys.

`seed_demo` is idempotent: a tenant or identifier that exists is left as it is (operators' edits on the
running stack survive a restart), and each hotel's QloApps webservice key is put in Secrets Manager under
`agente-hotel/<stage>/pms/<tenant_id>` (SecretString = the 32-character key), never in the table.

    python -m scripts.tenants.seed      # seed the running local stack (AWS_ENDPOINT_URL, STAGE)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

from hotel_common.logging import get_logger
from hotel_common.tenancy.errors import IdentifierTaken, TenantExists
from hotel_common.tenancy.models import IdentifierKind, TenantCreate, normalize_identifier, utc_now
from hotel_common.tenancy.store import TenantStore
from infra.topology import APP, physical_name

logger = get_logger("tenants-seed")
LOCAL_QLOAPPS_URL = "http://127.0.0.1:8081"


def pms_secret_name(stage: str, tenant_id: str) -> str:
    return f"{APP}/{stage}/pms/{tenant_id}"


def demo_tenants(stage: str, qloapps_base_url: str) -> list[tuple[TenantCreate, list[tuple[str, IdentifierKind]]]]:
    sol = TenantCreate.model_validate(
        {
            "tenant_id": "hotel-sol",
            "name": "Hotel Sol de Mayo",
            "language": "es",
            "timezone": "Europe/Madrid",
            "profile": {
                "check_in_time": "15:00",
                "check_out_time": "12:00",
                "address": "Calle Mayor 25, 28013 Madrid",
                "phone": "+34 910 000 001",
                "wifi": "Red SolDeMayo-Huespedes, contraseña en la tarjeta de la habitación",
                "parking": "Parking concertado a 100 m, 18 EUR/día",
                "pets": "Se admiten mascotas pequeñas (hasta 10 kg), 15 EUR/noche",
                "breakfast": "Buffet de 7:30 a 10:30, 12 EUR por persona",
                "late_checkout_policy": "Salida hasta las 14:00 por 20 EUR, según disponibilidad",
                "staff_email": "recepcion@hotelsoldemayo.example",
            },
            "pms": {"base_url": qloapps_base_url, "hotel_id": 1, "secret_name": pms_secret_name(stage, "hotel-sol")},
        }
    )
    harbor = TenantCreate.model_validate(
        {
            "tenant_id": "harbor-view",
            "name": "Harbor View Inn",
            "language": "en",
            "timezone": "America/New_York",
            "profile": {
                "check_in_time": "16:00",
                "check_out_time": "11:00",
                "address": "12 Wharf Street, Portland, ME 04101",
                "phone": "+1 555 000 0100",
                "wifi": "Network HarborView-Guest, password on your key card sleeve",
                "parking": "Free self-parking behind the inn",
                "pets": "Dogs welcome, 25 USD per stay",
                "breakfast": "Continental breakfast 7:00-10:00, included",
                "late_checkout_policy": "Until 1 pm for 30 USD, on request",
                "staff_email": "frontdesk@harborviewinn.example",
            },
            "pms": {"base_url": qloapps_base_url, "hotel_id": 2, "secret_name": pms_secret_name(stage, "harbor-view")},
        }
    )
    return [
        (sol, [("100000000000001", "phone_number_id"), ("+34 600 000 001", "display_phone")]),
        (harbor, [("100000000000002", "phone_number_id"), ("+1 555 000 0002", "display_phone")]),
    ]


def demo_keys() -> dict[str, str]:
    """The fake QloApps' keys (imported lazily: the fake may not be installed where this runs)."""
    try:
        from scripts.fakes.qloapps import DEMO_KEYS
    except ImportError:
        logger.warning("scripts.fakes.qloapps not available; demo PMS keys are placeholders")
        return {"hotel-sol": "LOCALPLACEHOLDERKEYHOTELSOL00001", "harbor-view": "LOCALPLACEHOLDERKEYHARBORVIEW002"}
    return dict(DEMO_KEYS)


def seed_demo(dynamodb_client: Any, secretsmanager_client: Any, stage: str, tables: Mapping[str, str]) -> None:
    """Create the demo tenants, identifiers and PMS secrets that are missing. `tables`: logical -> physical."""
    store = TenantStore(tables.get("tenants") or physical_name(stage, "tenants"), dynamodb_client)
    base_url = os.environ.get("QLOAPPS_BASE_URL", LOCAL_QLOAPPS_URL)
    keys = demo_keys()
    for body, identifiers in demo_tenants(stage, base_url):
        with contextlib.suppress(TenantExists):
            store.create_tenant(body.to_tenant(utc_now()))
        for raw, kind in identifiers:
            identifier, _ = normalize_identifier(raw)
            try:
                store.add_identifier(body.tenant_id, identifier, kind)
            except IdentifierTaken:
                owner = store.lookup(identifier)
                if owner != body.tenant_id:
                    logger.warning("demo identifier belongs to another tenant", extra={"tenant_id": owner})
        assert body.pms is not None
        _put_secret(secretsmanager_client, body.pms.secret_name, keys[body.tenant_id])


def _put_secret(client: Any, name: str, value: str) -> None:
    try:
        client.create_secret(Name=name, SecretString=value, Description="QloApps webservice key (demo)")
    except client.exceptions.ResourceExistsException:
        if client.get_secret_value(SecretId=name).get("SecretString") != value:
            client.put_secret_value(SecretId=name, SecretString=value)


def main() -> None:
    from hotel_common import aws

    stage = os.environ.get("STAGE", "local")
    table = os.environ.get("TENANTS_TABLE") or physical_name(stage, "tenants")
    seed_demo(aws.client("dynamodb"), aws.client("secretsmanager"), stage, {"tenants": table})
    print(f"demo tenants seeded into {table}")


if __name__ == "__main__":
    main()
