"""QloApps client against httpx.MockTransport: request building, parsing, error mapping."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from hotel_common.pms import BookingRequest, Guest, PmsError, QloAppsClient
from hotel_common.pms.qloapps import ari_request_xml, booking_body

KEY = "K" * 32
BASE = "http://qlo.test"
D1, D2 = date(2025, 6, 1), date(2025, 6, 3)

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, **kw: Any) -> QloAppsClient:
    return QloAppsClient(BASE, KEY, http=httpx.Client(transport=httpx.MockTransport(handler)), **kw)


def room(i: int, num: str, max_adult: str = "2", max_children: str = "0", max_occ: str = "2") -> dict[str, Any]:
    return {
        "id_room": str(i),
        "id_product": "2",
        "id_hotel": "1",
        "room_num": num,
        "room_comment": "",
        "max_adult": max_adult,
        "max_children": max_children,
        "max_occupancy": max_occ,
    }


ARI = {
    "hotel_ari": {
        "id_hotel": "1",
        "date_from": "2025-06-01",
        "date_to": "2025-06-03",
        "currency": "USD",
        "total_rooms": 5,
        "total_available_rooms": 3,
        "room_types": [
            {
                "id_room_type": 2,
                "base_price": 1250,
                "base_price_with_tax": 1300,
                "total_price": 2500,
                "total_price_with_tax": 2600,
                "name": "Deluxe",
                "rooms": {"available": {"7": room(7, "DL-107"), "5": room(5, "DL-105")}, "booked": []},
            },
            {
                "id_room_type": 3,
                "base_price": "99.5",
                "base_price_with_tax": "104.48",
                "total_price": "199",
                "total_price_with_tax": "208.95",
                "name": "Single",
                "rooms": {"available": [room(9, "S-1", "1", "0", "1")]},
            },
            {
                "id_room_type": 4,
                "base_price": 10,
                "base_price_with_tax": 11,
                "total_price": 20,
                "total_price_with_tax": 22,
                "name": "Full",
                "rooms": {"available": [], "booked": {"11": room(11, "F-1")}},
            },
        ],
    }
}


def booking_json(order_id: int = 42, email: str = "ana@example.com", room_type: int = 2) -> dict[str, Any]:
    return {
        "booking": {
            "id": order_id,
            "id_property": 1,
            "currency": "USD",
            "source": "whatsapp",
            "booking_date": "2025-05-01 10:00:00",
            "id_language": 1,
            "associations": {
                "customer_detail": {
                    "id_customer": 3,
                    "firstname": "Ana",
                    "lastname": "Ruiz",
                    "email": email,
                    "phone": "+34600",
                },
                "price_details": {"total_paid": 0, "total_price_without_tax": 200, "total_tax": 20},
                "cart_rules": [],
                "remarks": [],
                "room_types": [
                    {
                        "id_room_type": room_type,
                        "checkin_date": "2025-06-01 00:00:00",
                        "checkout_date": "2025-06-03 00:00:00",
                        "total_tax": 20,
                        "number_of_rooms": 1,
                        "name": "Deluxe",
                        "rooms": [
                            {
                                "id_room": 5,
                                "id_hotel_booking": 9,
                                "adults": 2,
                                "child": 0,
                                "unit_price_without_tax": 200,
                                "total_tax": 20,
                            }
                        ],
                    }
                ],
            },
        }
    }


def order_json(order_id: int, state: int) -> dict[str, Any]:
    return {"order": {"id": order_id, "current_state": str(state), "total_paid": "0.000000"}}


def request_of(**kw: Any) -> BookingRequest:
    base: dict[str, Any] = {
        "hotel_id": 1,
        "room_type_id": 2,
        "check_in": D1,
        "check_out": D2,
        "guest": Guest(firstname="Ana", lastname="Ruiz", email="ana@example.com", phone="+34600"),
        "currency": "usd",
    }
    return BookingRequest(**{**base, **kw})


# -- requests --------------------------------------------------------------------------------------------


def test_ari_xml_has_the_fields_qloapps_reads() -> None:
    root = ElementTree.fromstring(ari_request_xml(1, D1, D2, room_type_id=2, adults=3, children=1))  # noqa: S314 - our own XML
    assert root.tag == "qloapps"
    ari = root.find("hotel_ari")
    assert ari is not None
    assert ari.findtext("id_hotel") == "1"
    assert ari.findtext("date_from") == "2025-06-01"
    assert ari.findtext("date_to") == "2025-06-03"
    assert ari.findtext("id_room_type") == "2"
    assert ari.findtext("get_available_rooms") == "1"
    occ = ari.find("associations/room_occupancies/room_occupancy")
    assert occ is not None and occ.findtext("adults") == "3" and occ.findtext("children") == "1"
    plain = ElementTree.fromstring(ari_request_xml(1, D1, D2))  # noqa: S314 - our own XML
    assert plain.find("hotel_ari/id_room_type") is None


def test_availability_request_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ARI)

    client(handler, timeout=2.5).availability(1, D1, D2)
    (req,) = seen
    assert req.method == "POST"
    assert req.url.path == "/api/hotel_ari"
    assert req.url.params["output_format"] == "JSON"
    assert req.headers["content-type"] == "application/xml"
    user, _, password = base64.b64decode(req.headers["authorization"].split()[1]).decode().partition(":")
    assert (user, password) == (KEY, "")
    assert req.content.startswith(b"<?xml")
    assert req.extensions["timeout"]["read"] == 2.5


def test_availability_parses_rooms_keyed_by_id_lists_and_empty() -> None:
    av = client(lambda r: httpx.Response(200, json=ARI)).availability(1, D1, D2)
    assert (av.hotel_id, av.currency, av.nights, av.total_rooms) == (1, "USD", 2, 5)
    deluxe = av.room_type(2)
    assert deluxe is not None
    assert [r.id for r in deluxe.available_rooms] == [5, 7]
    assert deluxe.available_rooms[0].room_num == "DL-105"
    assert (deluxe.base_price, deluxe.total_price_with_tax) == (Decimal(1250), Decimal(2600))
    single = av.room_type(3)
    assert single is not None and single.base_price == Decimal("99.5") and single.available == 1
    full = av.room_type(4)
    assert full is not None and full.available == 0
    assert av.room_type(99) is None


def test_bookable_filters_by_the_party_because_qloapps_does_not() -> None:
    two = client(lambda r: httpx.Response(200, json=ARI)).availability(1, D1, D2, adults=2)
    assert [rt.id for rt in two.bookable()] == [2]
    one = client(lambda r: httpx.Response(200, json=ARI)).availability(1, D1, D2, adults=1)
    assert [rt.id for rt in one.bookable()] == [2, 3]


def test_hotel_without_room_types_has_none() -> None:
    empty = {"hotel_ari": {"id_hotel": "9", "date_from": "2025-06-01", "date_to": "2025-06-03", "currency": "USD"}}
    av = client(lambda r: httpx.Response(200, json=empty)).availability(9, D1, D2)
    assert av.room_types == () and av.bookable() == ()


def test_bad_dates_are_refused_without_a_call() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no call expected")

    with pytest.raises(PmsError) as exc:
        client(handler).availability(1, D2, D1)
    assert exc.value.type == "invalid_request"


def test_hotel_reads_multilingual_name() -> None:
    body = {
        "hotel": {
            "id": 1,
            "hotel_name": [{"id": "1", "value": "Hotel Sol"}, {"id": "2", "value": "Sun Hotel"}],
            "active": "1",
            "check_in": "14:00",
            "associations": {"room_types": [{"id": "1"}, {"id": "2"}]},
        }
    }
    hotel = client(lambda r: httpx.Response(200, json=body)).hotel(1)
    assert (hotel.name, hotel.active, hotel.room_type_ids) == ("Hotel Sol", True, (1, 2))


def test_room_types_join_occupancy_and_product_names() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/hotel_room_types":
            assert request.url.params["display"] == "full"
            assert request.url.params["filter[id_hotel]"] == "[1]"
            return httpx.Response(
                200,
                json={
                    "hotel_room_types": [
                        {"id": 10, "id_product": "2", "id_hotel": "1", "adults": "2", "max_guests": "3"},
                        {"id": 11, "id_product": "1", "id_hotel": "1", "adults": "1", "max_guests": "1"},
                    ]
                },
            )
        assert request.url.path == "/api/room_types"
        assert request.url.params["filter[id]"] == "[2|1]"
        return httpx.Response(
            200, json={"room_types": [{"id": 1, "name": "Single", "price": "80.000000"}, {"id": 2, "name": "Double"}]}
        )

    types = client(handler).room_types(1)
    assert [(t.id, t.name, t.max_guests) for t in types] == [(1, "Single", 1), (2, "Double", 3)]
    assert types[0].price == Decimal(80)


def test_room_types_empty_listing_is_json_array() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=[])

    assert client(handler).room_types(5) == []
    assert calls == ["/api/hotel_room_types"]


# -- bookings --------------------------------------------------------------------------------------------


def test_booking_body_shape() -> None:
    body = booking_body(request_of(rooms=2, room_ids=(5, 6), children=1, remark="late arrival"))["booking"]
    assert (body["id_property"], body["currency"], body["booking_status"], body["payment_status"]) == (1, "USD", 1, 3)
    assoc = body["associations"]
    assert assoc["customer_detail"]["email"] == "ana@example.com"
    assert assoc["payment_detail"]["payment_type"] == "pay at hotel"
    (rt,) = assoc["room_types"]
    assert (rt["id_room_type"], rt["checkin_date"], rt["checkout_date"], rt["number_of_rooms"]) == (
        2,
        "2025-06-01",
        "2025-06-03",
        2,
    )
    assert [r["id_room"] for r in rt["rooms"]] == [5, 6]
    assert rt["rooms"][0]["adult"] == rt["rooms"][0]["adults"] == 2 and rt["rooms"][0]["child"] == 1


def test_booking_request_validation() -> None:
    with pytest.raises(ValueError):
        request_of(check_out=D1)
    with pytest.raises(ValueError):
        request_of(rooms=2, room_ids=(5,))
    with pytest.raises(ValueError):
        Guest(firstname="A", lastname="B", email="not-an-email")


def test_create_booking_posts_json_with_the_booking_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=booking_json())

    booking = client(handler, timeout=1, booking_timeout=45).create_booking(request_of())
    (req,) = seen
    assert (req.method, req.url.path) == ("POST", "/api/bookings")
    assert json.loads(req.content)["booking"]["id_property"] == 1
    assert req.extensions["timeout"]["read"] == 45
    assert booking.id == 42 and booking.status is None
    (stay,) = booking.stays
    assert (stay.check_in, stay.check_out, stay.rooms[0].id) == (D1, D2, 5)
    assert booking.total_with_tax == Decimal(220)


@pytest.mark.parametrize(
    ("state", "status", "cancelled"),
    [
        (1, "awaiting_payment", False),
        (2, "payment_accepted", False),
        (4, "cancelled", True),
        (5, "refunded", True),
        (3, "other", False),
    ],
)
def test_get_booking_status_comes_from_the_order(state: int, status: str, cancelled: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/bookings/42":
            return httpx.Response(200, json=booking_json())
        assert request.url.path == "/api/orders/42"
        return httpx.Response(200, json=order_json(42, state))

    booking = client(handler).get_booking(42)
    assert (booking.order_state, booking.status, booking.cancelled) == (state, status, cancelled)


def test_unknown_booking_is_not_found() -> None:
    with pytest.raises(PmsError) as exc:
        client(lambda r: httpx.Response(404, content=b"")).get_booking(7)
    assert (exc.value.type, exc.value.status, exc.value.retryable) == ("not_found", 404, False)


def test_cancel_puts_the_full_booking_with_status_3() -> None:
    state = {"value": 1}
    puts: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/orders/42":
            return httpx.Response(200, json=order_json(42, state["value"]))
        if request.method == "PUT":
            puts.append(json.loads(request.content))
            state["value"] = 4
        return httpx.Response(200, json=booking_json())

    booking = client(handler).cancel_booking(42)
    assert booking.status == "cancelled"
    (body,) = puts
    sent = body["booking"]
    assert (sent["id"], sent["id_property"], sent["booking_status"]) == (42, 1, 3)
    assert sent["associations"]["customer_detail"]["email"] == "ana@example.com"
    (rt,) = sent["associations"]["room_types"]
    assert (rt["id_room_type"], rt["checkin_date"], rt["rooms"][0]["id_room"]) == (2, "2025-06-01", 5)


def test_cancel_of_a_cancelled_booking_sends_nothing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        if request.url.path.startswith("/api/orders"):
            return httpx.Response(200, json=order_json(42, 4))
        return httpx.Response(200, json=booking_json())

    assert client(handler).cancel_booking(42).status == "cancelled"


def test_find_booking_reads_newest_first_bounded_and_skips_gone_ones() -> None:
    read: list[str] = []
    details = {
        9: booking_json(9, email="other@example.com"),
        7: booking_json(7),
        5: booking_json(5),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        read.append(path)
        if path == "/api/bookings":
            return httpx.Response(200, json={"bookings": [{"id": i} for i in range(1, 11)]})
        if path.startswith("/api/orders/"):
            return httpx.Response(200, json=order_json(int(path.rsplit("/", 1)[1]), 1))
        order_id = int(path.rsplit("/", 1)[1])
        if order_id in details:
            return httpx.Response(200, json=details[order_id])
        return httpx.Response(404)

    found = client(handler).find_booking("Ana@Example.com", D1, D2, 2)
    assert found is not None and found.id == 7 and found.status == "awaiting_payment"
    assert read[:4] == ["/api/bookings", "/api/bookings/10", "/api/bookings/9", "/api/bookings/8"]
    read.clear()
    assert client(handler).find_booking("ana@example.com", D1, D2, 2, scan=2) is None
    assert read == ["/api/bookings", "/api/bookings/10", "/api/bookings/9"]
    assert client(handler).find_booking("ana@example.com", D1, D2, 3) is None
    assert client(handler).find_booking("ana@example.com", D1, D2, 2, hotel_id=2) is None


def test_find_booking_skips_cancelled_unless_asked() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/bookings":
            return httpx.Response(200, json={"bookings": [{"id": 3}]})
        if request.url.path.startswith("/api/orders/"):
            return httpx.Response(200, json=order_json(3, 4))
        return httpx.Response(200, json=booking_json(3))

    assert client(handler).find_booking("ana@example.com", D1, D2, 2) is None
    found = client(handler).find_booking("ana@example.com", D1, D2, 2, include_cancelled=True)
    assert found is not None and found.cancelled


def test_find_booking_with_no_orders() -> None:
    assert client(lambda r: httpx.Response(200, json=[])).find_booking("a@b.co", D1, D2, 2) is None


# -- errors ----------------------------------------------------------------------------------------------


def errors_body(code: int, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


@pytest.mark.parametrize(
    ("status", "body", "kind", "retryable"),
    [
        (401, b"401 Unauthorized", "unauthorized", False),
        (401, errors_body(18, "Invalid authentication key format"), "unauthorized", False),
        (400, errors_body(404, "Requested room(s) not available."), "conflict", False),
        (400, errors_body(85, "Validation error: Invalid ARI search parameters found."), "invalid_request", False),
        (405, errors_body(23, "Method GET is not valid"), "invalid_request", False),
        (404, b"", "not_found", False),
        (429, b"slow down", "upstream_error", True),
        (500, errors_body(2, "[PHP Warning #2] ..."), "upstream_error", True),
        (503, errors_body(22, "The QloApps webservice is disabled."), "upstream_error", True),
    ],
)
def test_error_mapping_on_reads(status: int, body: Any, kind: str, retryable: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    with pytest.raises(PmsError) as exc:
        client(handler).availability(1, D1, D2)
    err = exc.value
    assert (err.type, err.status, err.retryable, err.outcome_unknown) == (kind, status, retryable, False)
    if isinstance(body, dict):
        assert err.code == body["errors"][0]["code"] and err.message == body["errors"][0]["message"]


def test_conflict_on_create() -> None:
    body = errors_body(404, "Requested room(s) not available.")
    with pytest.raises(PmsError) as exc:
        client(lambda r: httpx.Response(400, json=body)).create_booking(request_of())
    assert (exc.value.type, exc.value.retryable, exc.value.outcome_unknown) == ("conflict", False, False)


def test_a_500_on_create_is_never_retryable_and_may_have_booked() -> None:
    with pytest.raises(PmsError) as exc:
        client(lambda r: httpx.Response(500, json=errors_body(2, "warning"))).create_booking(request_of())
    assert (exc.value.type, exc.value.retryable, exc.value.outcome_unknown) == ("upstream_error", False, True)


@pytest.mark.parametrize(
    ("raised", "kind", "read_retryable", "create_retryable", "create_unknown"),
    [
        (httpx.ReadTimeout, "timeout", True, False, True),
        (httpx.WriteTimeout, "timeout", True, False, True),
        (httpx.ConnectTimeout, "timeout", True, True, False),
        (httpx.ConnectError, "upstream_error", True, True, False),
        (httpx.RemoteProtocolError, "upstream_error", True, False, True),
        (httpx.ReadError, "upstream_error", True, False, True),
    ],
)
def test_transport_failures(
    raised: type[httpx.RequestError], kind: str, read_retryable: bool, create_retryable: bool, create_unknown: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised("boom", request=request)

    with pytest.raises(PmsError) as read:
        client(handler).get_booking(1)
    assert (read.value.type, read.value.retryable, read.value.outcome_unknown) == (kind, read_retryable, False)
    with pytest.raises(PmsError) as create:
        client(handler).create_booking(request_of())
    assert (create.value.type, create.value.retryable, create.value.outcome_unknown) == (
        kind,
        create_retryable,
        create_unknown,
    )


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b'<br /><b>Warning</b>: oops {"hot'),
        httpx.Response(200, json={"hotel_ari": {"room_types": "none"}}),
        httpx.Response(200, json={"unexpected": True}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"hotel_ari": {**ARI["hotel_ari"], "room_types": [{"id_room_type": "x"}]}}),
    ],
)
def test_unreadable_answers_are_upstream_invalid(response: httpx.Response) -> None:
    with pytest.raises(PmsError) as exc:
        client(lambda r: response).availability(1, D1, D2)
    assert exc.value.type == "upstream_invalid" and not exc.value.retryable


def test_unreadable_create_answer_may_have_booked() -> None:
    with pytest.raises(PmsError) as exc:
        client(lambda r: httpx.Response(200, json={"booking": {"id": "x"}})).create_booking(request_of())
    assert (exc.value.type, exc.value.outcome_unknown, exc.value.retryable) == ("upstream_invalid", True, False)


def test_injected_client_is_not_closed_by_the_pms_client() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=ARI)))
    with QloAppsClient(BASE, KEY, http=http) as qlo:
        qlo.availability(1, D1, D2)
    assert not http.is_closed
