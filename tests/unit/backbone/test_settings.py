import pytest
from pydantic import ValidationError

from hotel_common.config import WebhookSettings, is_dummy_secret

REAL = {
    "WHATSAPP_ACCESS_TOKEN": "EAAG9x7Zk3pQ1",
    "WHATSAPP_VERIFY_TOKEN": "f1d8c0a9e2b34c",
    "WHATSAPP_APP_SECRET": "9a8b7c6d5e4f",
    "SECRET_KEY": "2f9d1c7be0a84b3f",
}


def test_local_defaults_work_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    settings = WebhookSettings()
    assert settings.WHATSAPP_VERIFY_TOKEN.get_secret_value() == "local-verify-token"
    assert settings.RATE_LIMIT_POST == "120/minute"


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "x")
    monkeypatch.setenv("DEBUG", "true")
    settings = WebhookSettings()
    assert settings.WHATSAPP_APP_SECRET.get_secret_value() == "x"
    assert settings.DEBUG is True


def test_production_refuses_dummy_secrets_and_names_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    for name, value in REAL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "changeme")
    with pytest.raises(ValidationError) as caught:
        WebhookSettings()
    assert "WHATSAPP_APP_SECRET" in str(caught.value)
    assert "9a8b7c6d5e4f" not in str(caught.value)


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    for name, value in REAL.items():
        monkeypatch.setenv(name, value)
    assert WebhookSettings().is_production


def test_secrets_do_not_leak_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "very-private-value")
    assert "very-private-value" not in repr(WebhookSettings())


@pytest.mark.parametrize("value", ["", "changeme", "local-app-secret", "DUMMY", "test-123", " secret "])
def test_dummy_values(value: str) -> None:
    assert is_dummy_secret(value)


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging-ish")
    with pytest.raises(ValidationError):
        WebhookSettings()


def test_a_model_reads_its_own_fields_by_exact_name_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_POST", "7/minute")
    monkeypatch.setenv("rate_limit_get", "1/minute")  # not the field's name: ignored
    monkeypatch.setenv("WEBHOOK_MAX_BODY_BYTES", "2048")
    settings = WebhookSettings(RATE_LIMIT_POST="9/minute")
    assert settings.RATE_LIMIT_POST == "9/minute"
    assert settings.RATE_LIMIT_GET == "60/minute"
    assert settings.WEBHOOK_MAX_BODY_BYTES == 2048


def test_a_bad_value_in_the_environment_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQS_INLINE_MAX_BYTES", "12")  # below its bound
    with pytest.raises(ValidationError, match="SQS_INLINE_MAX_BYTES"):
        WebhookSettings()
