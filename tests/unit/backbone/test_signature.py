import hashlib
import hmac

from hotel_common.signature import sign, verify

BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_sign_is_hex_hmac_sha256_of_the_raw_body() -> None:
    expected = "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, "s3cret") == expected


def test_valid_signature_is_accepted() -> None:
    assert verify(BODY, sign(BODY, "s3cret"), "s3cret")


def test_uppercase_hex_is_accepted() -> None:
    header = sign(BODY, "s3cret")
    assert verify(BODY, "sha256=" + header.removeprefix("sha256=").upper(), "s3cret")


def test_wrong_secret_missing_prefix_and_tampered_body_are_refused() -> None:
    header = sign(BODY, "s3cret")
    assert not verify(BODY, sign(BODY, "other"), "s3cret")
    assert not verify(BODY, header.removeprefix("sha256="), "s3cret")
    assert not verify(BODY + b" ", header, "s3cret")
    assert not verify(BODY, None, "s3cret")
    assert not verify(BODY, "", "s3cret")
    assert not verify(BODY, "sha1=" + header.removeprefix("sha256="), "s3cret")


def test_empty_secret_never_verifies() -> None:
    assert not verify(BODY, sign(BODY, ""), "")


def test_reserialized_json_does_not_verify() -> None:
    # The signature covers Meta's exact bytes; a pretty-printed copy of the same JSON must fail.
    header = sign(BODY, "k")
    assert not verify(b'{"object": "whatsapp_business_account", "entry": []}', header, "k")
