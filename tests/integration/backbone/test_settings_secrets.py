"""Settings read from Secrets Manager (on the moto server) when the `*_SECRET_ARN` variables are set,
as the CDK app configures the functions in AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from hotel_common.config import CommonSettings, WebhookSettings
from tests.integration.conftest import boto


def secret(endpoint: str, name: str, value: dict[str, Any]) -> str:
    client = boto("secretsmanager", endpoint)
    return str(client.create_secret(Name=name, SecretString=json.dumps(value))["ARN"])


def test_secrets_fill_settings_and_pass_the_production_check(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    whatsapp = secret(
        aws_env,
        "agente-hotel/t/whatsapp-" + aws_env[-5:],
        {"WHATSAPP_ACCESS_TOKEN": "EAAGreal", "WHATSAPP_APP_SECRET": "a1b2c3real", "WHATSAPP_VERIFY_TOKEN": "v9x8real"},
    )
    key = secret(aws_env, "agente-hotel/t/secret-key-" + aws_env[-5:], {"SECRET_KEY": "k7j6real"})
    redis = secret(aws_env, "agente-hotel/t/redis-" + aws_env[-5:], {"REDIS_AUTH_TOKEN": "p@ss/word"})
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("WHATSAPP_SECRET_ARN", whatsapp)
    monkeypatch.setenv("SECRET_KEY_SECRET_ARN", key)
    monkeypatch.setenv("REDIS_AUTH_SECRET_ARN", redis)
    monkeypatch.setenv("REDIS_URL", "rediss://cache.example.internal:6380/0")
    settings = WebhookSettings()
    assert settings.WHATSAPP_APP_SECRET.get_secret_value() == "a1b2c3real"
    assert settings.WHATSAPP_VERIFY_TOKEN.get_secret_value() == "v9x8real"
    assert settings.redis_url_with_auth == "rediss://:p%40ss%2Fword@cache.example.internal:6380/0"
    assert "p@ss" not in repr(settings)
    # the environment still wins over the secret (an operator's override)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "from-env-override")
    assert WebhookSettings().WHATSAPP_VERIFY_TOKEN.get_secret_value() == "from-env-override"


def test_production_without_secrets_refuses_to_start(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    for variable in ("WHATSAPP_SECRET_ARN", "SECRET_KEY_SECRET_ARN", "REDIS_AUTH_SECRET_ARN"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ValidationError, match="WHATSAPP_APP_SECRET"):
        WebhookSettings()


def test_no_token_keeps_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://10.0.0.5:6379/3")
    assert CommonSettings().redis_url_with_auth == "redis://10.0.0.5:6379/3"
