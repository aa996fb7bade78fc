"""The real QloApps client against the fake QloApps over HTTP: inventory, bookings, auth and faults."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from hotel_common.pms import Booking, BookingRequest, Guest, PmsError, QloAppsClient
from scripts.fakes.qloapps import DEMO_KEYS, INACTIVE_KEY
from tests.integration.pms.conftest import FakeServer

CHECK_IN = date.today() + timedelta(days=30)
CHECK_OUT = CHECK_IN + timedelta(days=3)
SUITE = 3  # hotel 1, two rooms
GUEST = Guest(firstname="Ana", lastname="Ruiz", email="ana@example.com", phone="+34600111222")


_OPEN: list[QloAppsClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def qlo(
    fake: FakeServer, key: str = DEMO_KEYS["hotel-sol"], *, timeout: float = 5.0, booking_timeout: float = 10.0
) -> QloAppsClient:
    client = QloAppsClient(fake.url, key, timeout=timeout, booking_timeout=booking_timeout)
    _OPEN.append(client)
    return client


def book(client: QloAppsClient, room_type: int = SUITE, **kw: object) -> Booking:
    req = BookingRequest.model_validate(
        {
            "hotel_id": 1,
            "room_type_id": room_type,
            "check_in": CHECK_IN,
            "check_out": CHECK_OUT,
            "guest": GUEST,
            "currency": "EUR",
            **kw,
        }
    )
    return client.create_booking(req)


def inventory(fake: FakeServer, room_type: int) -> list[int]:
    return [fake.state.inventory(room_type, CHECK_IN + timedelta(days=i)) for i in range(3)]


def test_availability_and_prices_match_the_fake(fake: FakeServer) -> None:
    av = qlo(fake).availability(1, CHECK_IN, CHECK_OUT)
    assert (av.hotel_id, av.currency, av.total_rooms) == (1, "EUR", 11)
    assert [(rt.id, rt.name) for rt in av.room_types] == [
        (1, "Individual"),
        (2, "Doble"),
        (3, "Suite"),
        (4, "Familiar"),
    ]
    for rt in av.room_types:
        assert rt.available == min(inventory(fake, rt.id))
        seeded = fake.state.room_types[rt.id]
        assert rt.base_price == seeded.price
        assert rt.total_price == seeded.price * 3
        assert rt.total_price_with_tax == seeded.price * 3 * Decimal("1.1")
        assert [r.id for r in rt.available_rooms] == [r.id for r in seeded.rooms]
    assert [rt.id for rt in qlo(fake).availability(1, CHECK_IN, CHECK_OUT, adults=4, children=1).bookable()] == [4]


def test_room_types_and_hotel(fake: FakeServer) -> None:
    client = qlo(fake, DEMO_KEYS["harbor-view"])
    hotel = client.hotel(2)
    assert (hotel.name, hotel.room_type_ids) == ("Harbor View Inn", (5, 6, 7, 8))
    types = client.room_types(2)
    assert [(t.id, t.name, t.max_guests) for t in types] == [
        (5, "Single", 1),
        (6, "Double", 3),
        (7, "Suite", 4),
        (8, "Family", 5),
    ]
    assert client.room_types(1) == []  # another hotel's install


def test_booking_takes_inventory_and_cancel_returns_it(fake: FakeServer) -> None:
    client = qlo(fake)
    assert inventory(fake, SUITE) == [2, 2, 2]
    booking = book(client, remark="late arrival")
    assert inventory(fake, SUITE) == [1, 1, 1]
    assert client.availability(1, CHECK_IN, CHECK_OUT, room_type_id=SUITE).room_types[0].available == 1
    assert booking.total_without_tax == 660 and booking.currency == "EUR"
    got = client.get_booking(booking.id)
    assert got.status == "awaiting_payment" and got.stays == booking.stays
    cancelled = client.cancel_booking(booking.id)
    assert (cancelled.status, cancelled.order_state) == ("cancelled", 4)
    assert inventory(fake, SUITE) == [2, 2, 2]
    assert client.cancel_booking(booking.id).status == "cancelled"  # idempotent


def test_a_chosen_room_is_booked(fake: FakeServer) -> None:
    client = qlo(fake)
    rooms = client.availability(1, CHECK_IN, CHECK_OUT, room_type_id=2).room_types[0].available_rooms
    booking = book(client, room_type=2, room_ids=(rooms[-1].id,))
    assert booking.stays[0].rooms[0].id == rooms[-1].id
    left = client.availability(1, CHECK_IN, CHECK_OUT, room_type_id=2).room_types[0].available_rooms
    assert rooms[-1].id not in {r.id for r in left}


def test_no_room_left_is_a_conflict(fake: FakeServer) -> None:
    client = qlo(fake)
    book(client)
    book(client)
    with pytest.raises(PmsError) as exc:
        book(client)
    assert (exc.value.type, exc.value.status, exc.value.code) == ("conflict", 400, 404)
    assert exc.value.message == "Requested room(s) not available."
    assert client.availability(1, CHECK_IN, CHECK_OUT, room_type_id=SUITE).bookable() == ()


def test_concurrent_creates_never_overbook(fake: FakeServer) -> None:
    def attempt(_: int) -> str:
        try:
            book(qlo(fake))
            return "ok"
        except PmsError as exc:
            return exc.type

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert sorted(results) == ["conflict"] * 6 + ["ok"] * 2
    assert inventory(fake, SUITE) == [0, 0, 0]


@pytest.mark.parametrize("key", ["Z" * 32, INACTIVE_KEY, "short-key"])
def test_wrong_keys_are_unauthorized(fake: FakeServer, key: str) -> None:
    with pytest.raises(PmsError) as exc:
        qlo(fake, key).availability(1, CHECK_IN, CHECK_OUT)
    assert (exc.value.type, exc.value.status) == ("unauthorized", 401)
    assert exc.value.code == (18 if len(key) != 32 else 20)


def test_auth_answers_like_the_real_dispatcher(fake: FakeServer) -> None:
    no_key = httpx.get(f"{fake.url}/api/hotels", params={"output_format": "JSON"})
    assert no_key.status_code == 401 and no_key.text == "401 Unauthorized"
    assert no_key.headers["www-authenticate"].startswith('Basic realm="Welcome to PrestaShop Webservice')
    wrong = httpx.get(f"{fake.url}/api/hotels", params={"output_format": "JSON"}, auth=("Z" * 32, ""))
    assert [e["code"] for e in wrong.json()["errors"]] == [20, 21]


def test_hotel_ari_refuses_json_bodies(fake: FakeServer, sol_key: str) -> None:
    resp = httpx.post(
        f"{fake.url}/api/hotel_ari",
        params={"output_format": "JSON"},
        auth=(sol_key, ""),
        json={"hotel_ari": {"id_hotel": 1}},
    )
    assert resp.status_code == 400
    assert resp.json() == {
        "errors": [{"code": 85, "message": "Validation error: Invalid ARI search parameters found."}]
    }
    get = httpx.get(f"{fake.url}/api/hotel_ari", params={"output_format": "JSON"}, auth=(sol_key, ""))
    assert get.status_code == 405 and get.json()["errors"][0]["code"] == 23


def test_rooms_are_objects_keyed_by_id_and_empty_is_a_list(fake: FakeServer, sol_key: str) -> None:
    book(qlo(fake))
    book(qlo(fake))
    body = (
        f"<qloapps><hotel_ari><id_hotel>1</id_hotel><date_from>{CHECK_IN}</date_from><date_to>{CHECK_OUT}</date_to>"
        "<get_available_rooms>1</get_available_rooms><get_booked_rooms>1</get_booked_rooms></hotel_ari></qloapps>"
    )
    resp = httpx.post(f"{fake.url}/api/hotel_ari", params={"output_format": "JSON"}, auth=(sol_key, ""), content=body)
    ari = resp.json()["hotel_ari"]
    suite = next(rt for rt in ari["room_types"] if rt["id_room_type"] == SUITE)
    assert suite["rooms"]["available"] == []
    assert sorted(suite["rooms"]["booked"]) == ["8", "9"]
    assert suite["rooms"]["booked"]["8"]["detail"][0]["date_from"].startswith(str(CHECK_IN))
    double = next(rt for rt in ari["room_types"] if rt["id_room_type"] == 2)
    assert isinstance(double["rooms"]["available"], dict) and double["rooms"]["available"]["4"]["id_room"] == "4"
    assert ari["total_booked_rooms"] == 2


def test_keys_see_only_their_hotel(fake: FakeServer) -> None:
    booking = book(qlo(fake))
    harbor = qlo(fake, DEMO_KEYS["harbor-view"])
    with pytest.raises(PmsError) as exc:
        harbor.get_booking(booking.id)
    assert exc.value.type == "not_found"
    assert harbor.availability(1, CHECK_IN, CHECK_OUT).room_types == ()
    assert harbor.find_booking(GUEST.email, CHECK_IN, CHECK_OUT, SUITE) is None


@pytest.mark.parametrize("garbage", [True, "shape"])
def test_garbage_is_upstream_invalid(fake: FakeServer, garbage: bool | str) -> None:
    fake.state.set_faults(garbage=garbage)
    with pytest.raises(PmsError) as exc:
        qlo(fake).availability(1, CHECK_IN, CHECK_OUT)
    assert exc.value.type == "upstream_invalid"


def test_latency_beyond_the_timeout_is_a_timeout(fake: FakeServer) -> None:
    httpx.post(f"{fake.url}/_faults", json={"latency_ms": 600})
    with pytest.raises(PmsError) as exc:
        qlo(fake, timeout=0.2).availability(1, CHECK_IN, CHECK_OUT)
    assert (exc.value.type, exc.value.retryable) == ("timeout", True)
    # Bookings get their own, longer timeout.
    assert book(qlo(fake, timeout=0.2, booking_timeout=5)).id == 1


def test_injected_errors_and_down(fake: FakeServer) -> None:
    fake.state.set_faults(error_rate=1.0)
    with pytest.raises(PmsError) as exc:
        qlo(fake).hotel(1)
    assert (exc.value.type, exc.value.status, exc.value.retryable) == ("upstream_error", 500, True)
    fake.state.set_faults(error_rate=0.0, down=True)
    with pytest.raises(PmsError) as exc:
        qlo(fake).hotel(1)
    assert (exc.value.type, exc.value.status) == ("upstream_error", 503)
    assert httpx.delete(f"{fake.url}/_faults").json()["down"] is False
    assert qlo(fake).hotel(1).id == 1


def test_a_booking_that_answers_500_is_found_not_rebooked(fake: FakeServer) -> None:
    client = qlo(fake)
    book(qlo(fake), room_type=2)  # noise: another booking of the guest
    fake.state.set_faults(booking_500_after_create=True)
    with pytest.raises(PmsError) as exc:
        book(client)
    assert (exc.value.type, exc.value.retryable, exc.value.outcome_unknown) == ("upstream_error", False, True)
    assert inventory(fake, SUITE) == [1, 1, 1]  # it did book
    found = client.find_booking(GUEST.email, CHECK_IN, CHECK_OUT, SUITE, hotel_id=1)
    assert found is not None and found.status == "awaiting_payment"
    assert found.stays[0].room_type_id == SUITE
    assert client.find_booking(GUEST.email, CHECK_IN, CHECK_OUT + timedelta(days=1), SUITE) is None


def test_state_and_reset_endpoints(fake: FakeServer) -> None:
    book(qlo(fake))
    state = httpx.get(f"{fake.url}/_state", params={"date_from": str(CHECK_IN), "date_to": str(CHECK_OUT)}).json()
    assert state["inventory"][str(SUITE)] == {str(CHECK_IN + timedelta(days=i)): 1 for i in range(3)}
    assert state["bookings"][0]["email"] == GUEST.email and state["bookings"][0]["state"] == 1
    assert state["hotels"]["1"]["name"] == "Hotel Sol de Mayo"
    assert httpx.post(f"{fake.url}/_reset").json() == {"reset": True}
    assert httpx.get(f"{fake.url}/_state").json()["bookings"] == []
    assert httpx.post(f"{fake.url}/_faults", json={"nope": 1}).status_code == 400
