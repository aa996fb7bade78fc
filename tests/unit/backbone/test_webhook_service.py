import json

from functions.webhook.service import Delivery, Rejection, check_delivery, check_subscription, group_for
from hotel_common.signature import sign

SECRET = "app-secret"


def test_subscription_echoes_challenge_only_for_the_right_token() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert check_subscription(params, "tok") == "1158201444"
    assert check_subscription({**params, "hub.verify_token": "nope"}, "tok") is None
    assert check_subscription({**params, "hub.mode": "unsubscribe"}, "tok") is None
    assert check_subscription({k: v for k, v in params.items() if k != "hub.challenge"}, "tok") is None
    assert check_subscription(params, "") is None


def _body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def test_valid_delivery_keeps_the_body_unchanged_and_dedups_on_its_hash() -> None:
    body = _body({"entry": []})
    outcome = check_delivery(body, sign(body, SECRET), SECRET, 1000)
    assert isinstance(outcome, Delivery)
    assert outcome.body is body
    assert len(outcome.deduplication_id) == 64
    again = check_delivery(body, sign(body, SECRET), SECRET, 1000)
    assert isinstance(again, Delivery) and again.deduplication_id == outcome.deduplication_id


def test_rejections_in_order_size_signature_json() -> None:
    body = b"x" * 2000
    assert check_delivery(body, sign(body, SECRET), SECRET, 1000) == Rejection(413, "too_large")
    small = b"not json"
    assert check_delivery(small, None, SECRET, 1000) == Rejection(401, "missing_signature")
    assert check_delivery(small, sign(small, "forged"), SECRET, 1000) == Rejection(401, "bad_signature")
    assert check_delivery(small, sign(small, SECRET), SECRET, 1000) == Rejection(400, "not_json")
    array = b"[1,2]"
    assert check_delivery(array, sign(array, SECRET), SECRET, 1000) == Rejection(400, "not_an_object")


def _payload(business: str, guests: list[str]) -> dict:
    return {
        "entry": [
            {
                "changes": [
                    {
                        "value": {
                            "metadata": {"phone_number_id": business},
                            "messages": [{"from": g} for g in guests],
                        }
                    }
                ]
            }
        ]
    }


def test_group_is_business_plus_guest_when_one_guest() -> None:
    assert group_for(_payload("111", ["34600"])) == "111:34600"
    assert group_for(_payload("111", ["34600", "34600"])) == "111:34600"


def test_group_is_business_only_for_several_guests_and_safe_on_garbage() -> None:
    assert group_for(_payload("111", ["1", "2"])) == "111"
    assert group_for({"entry": "nope"}) == "malformed"
    assert group_for({}) == "unknown"
