"""Fake QloApps 1.6.1 webservice for the local stack and the tests (port 8081).

Faithful to what a real 1.6.1 answers (the project's QloApps reference notes, sections a and c): `/api/...`,
the 32-character key as basic-auth user, JSON only with `output_format=JSON` (or the `Io-Format` /
`Output-Format` header), `{"errors":[{"code","message"}]}` bodies, numbers as strings where PrestaShop
renders database values, PHP assoc arrays as objects and `[]` when empty, XML-only `hotel_ari` bodies, the
booking validation messages in their order, no status on bookings (it is the order's `current_state`).
Each key sees only its own hotel, as if every hotel ran its own install.

Stateful: rooms are booked per night, a booking takes rooms for its nights and a cancel gives them back.

Test endpoints (no auth): `GET /_state[?date_from=&date_to=]` (bookings, free rooms per room type and
night), `POST /_reset`, `GET|POST|DELETE /_faults` with `{"latency_ms", "error_rate", "down", "garbage",
"booking_500_after_create"}` (POST merges, DELETE clears; `down` answers 503, `garbage` true gives
a body that is not JSON and "shape" JSON of the wrong shape).

    python -m scripts.fakes.qloapps --port 8081
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import random
import threading
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.etree import ElementTree

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

DEMO_KEYS: dict[str, str] = {
    "hotel-sol": "SOLDEMAYO2025DEMOWEBSERVICEKEY01",
    "harbor-view": "HARBORVIEW2025DEMOWEBSERVICEKEY2",
}
# Hotels each key may see (one install per hotel).
KEY_HOTELS: dict[str, frozenset[int]] = {
    DEMO_KEYS["hotel-sol"]: frozenset({1}),
    DEMO_KEYS["harbor-view"]: frozenset({2}),
}
# A key that exists but is disabled in the back office: 401 with codes 20 and 21.
INACTIVE_KEY = "INACTIVE2025DEMOWEBSERVICEKEY003"

NO_KEY_REALM = (
    'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key as the login. '
    'No password required."'
)
KEY_ERROR_REALM = (
    'Basic realm="Welcome to QloApps Webservice, please enter the authentication key as the login. '
    'No password required."'
)
NOT_AVAILABLE = "Requested room(s) not available."
# Order states of a 1.6.1 install.
STATE_AWAITING_PAYMENT, STATE_PAYMENT_ACCEPTED, STATE_CANCELLED, STATE_REFUNDED = 1, 2, 4, 5
CENT = Decimal("0.01")


# -- seed ------------------------------------------------------------------------------------------------


@dataclass
class FakeRoom:
    id: int
    room_num: str
    room_type_id: int


@dataclass
class FakeRoomType:
    id: int  # product id (id_room_type)
    hotel_room_type_id: int
    hotel_id: int
    name: str
    price: Decimal  # per night, tax excluded
    adults: int
    children: int
    max_adults: int
    max_children: int
    max_guests: int
    rooms: list[FakeRoom] = field(default_factory=list)


@dataclass
class FakeHotel:
    id: int
    name: str
    email: str
    phone: str
    address: str
    city: str
    zipcode: str
    currency: str
    tax_rate: Decimal
    language: str
    check_in: str = "14:00"
    check_out: str = "11:00"


@dataclass
class FakeLine:  # one room for one stay (htl_booking_detail)
    id: int
    room_id: int
    room_type_id: int
    date_from: date
    date_to: date
    adults: int
    children: int
    price_tax_excl: Decimal
    price_tax_incl: Decimal
    cancelled: bool = False


@dataclass
class FakeOrder:
    id: int
    hotel_id: int
    customer_id: int
    currency: str
    source: str
    date_add: str
    state: int
    payment_type: str
    total_paid: Decimal
    lines: list[FakeLine]
    remarks: list[str]


@dataclass
class FakeCustomer:
    id: int
    firstname: str
    lastname: str
    email: str
    phone: str


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    down: bool = False
    garbage: bool | str = False  # True/"text": not JSON; "shape": JSON of the wrong shape
    booking_500_after_create: bool = False


def _seed() -> tuple[dict[int, FakeHotel], dict[int, FakeRoomType]]:
    hotels = {
        1: FakeHotel(
            1,
            "Hotel Sol de Mayo",
            "reservas@hotelsoldemayo.example",
            "+34 954 000 111",
            "Calle San Fernando 12",
            "Sevilla",
            "41004",
            "EUR",
            Decimal("0.10"),
            "es",
        ),
        2: FakeHotel(
            2,
            "Harbor View Inn",
            "frontdesk@harborview.example",
            "+1 207 555 0142",
            "14 Commercial Street",
            "Portland",
            "04101",
            "USD",
            Decimal("0.08"),
            "en",
            check_in="15:00",
        ),
    }
    # (hotel, name, price, adults, children, max_adults, max_children, max_guests, room numbers)
    specs = [
        (1, "Individual", "80", 1, 0, 1, 0, 1, ["101", "102", "103"]),
        (1, "Doble", "120", 2, 0, 2, 1, 3, ["201", "202", "203", "204"]),
        (1, "Suite", "220", 2, 0, 2, 2, 4, ["301", "302"]),
        (1, "Familiar", "180", 2, 2, 4, 3, 5, ["401", "402"]),
        (2, "Single", "95", 1, 0, 1, 0, 1, ["S-11", "S-12", "S-13"]),
        (2, "Double", "140", 2, 0, 2, 1, 3, ["D-21", "D-22", "D-23", "D-24"]),
        (2, "Suite", "260", 2, 0, 2, 2, 4, ["P-31", "P-32"]),
        (2, "Family", "210", 2, 2, 4, 3, 5, ["F-41", "F-42"]),
    ]
    room_types: dict[int, FakeRoomType] = {}
    room_ids = itertools.count(1)
    for n, (hotel_id, name, price, adults, children, max_a, max_c, max_g, nums) in enumerate(specs, start=1):
        rt = FakeRoomType(n, n, hotel_id, name, Decimal(price), adults, children, max_a, max_c, max_g)
        rt.rooms = [FakeRoom(next(room_ids), num, n) for num in nums]
        room_types[n] = rt
    return hotels, room_types


# -- helpers ---------------------------------------------------------------------------------------------


def _money(v: Decimal) -> float | int:
    q = v.quantize(CENT, rounding=ROUND_HALF_UP)
    return int(q) if q == q.to_integral_value() else float(q)


def _nights(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days)]


def _day(v: Any) -> date | None:
    try:
        return date.fromisoformat(str(v).strip()[:10])
    except ValueError:
        return None


def _int(v: Any, default: int | None = None) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _unwrap(v: Any, singular: str) -> list[Any]:
    """PrestaShop's list forms: a plain list, `{singular: [...]}` or `{singular: {...}}`."""
    if isinstance(v, dict) and singular in v:
        v = v[singular]
    if isinstance(v, dict):
        return [v]
    return list(v) if isinstance(v, list) else []


class WsError(Exception):
    def __init__(self, status: int, message: str, code: int) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _bad(message: str) -> WsError:
    # Booking validation errors are thrown as WebserviceException(msg, array(404, 400)): code 404, HTTP 400.
    return WsError(400, message, 404)


# -- state -----------------------------------------------------------------------------------------------


class FakeQloApps:
    """The whole fake install; every public method takes the lock (uvicorn serves concurrently)."""

    def __init__(self, *, seed: int | None = None) -> None:
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        self.faults = Faults()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.hotels, self.room_types = _seed()
            self.rooms = {r.id: r for rt in self.room_types.values() for r in rt.rooms}
            self.orders: dict[int, FakeOrder] = {}
            self.customers: dict[str, FakeCustomer] = {}
            self._order_ids = itertools.count(1)
            self._line_ids = itertools.count(1)
            self._customer_ids = itertools.count(1)

    def set_faults(self, **changes: Any) -> Faults:
        with self._lock:
            known = set(asdict(Faults()))
            unknown = set(changes) - known
            if unknown:
                raise ValueError(f"unknown faults: {sorted(unknown)}")
            self.faults = Faults(**{**asdict(self.faults), **changes})
            return self.faults

    def clear_faults(self) -> None:
        with self._lock:
            self.faults = Faults()

    def roll_error(self) -> bool:
        with self._lock:
            return self.faults.error_rate > 0 and self._random.random() < self.faults.error_rate

    # -- inventory --------------------------------------------------------------------------------------
    def _busy_nights(self, room_id: int) -> set[date]:
        nights: set[date] = set()
        for order in self.orders.values():
            for line in order.lines:
                if line.room_id == room_id and not line.cancelled:
                    nights.update(_nights(line.date_from, line.date_to))
        return nights

    def _free_rooms(self, room_type_id: int, date_from: date, date_to: date) -> list[FakeRoom]:
        wanted = set(_nights(date_from, date_to))
        return [r for r in self.room_types[room_type_id].rooms if not wanted & self._busy_nights(r.id)]

    def inventory(self, room_type_id: int, night: date) -> int:
        """Rooms of the type free that night."""
        with self._lock:
            return len(self._free_rooms(room_type_id, night, night + timedelta(days=1)))

    def stay_price(self, room_type_id: int, date_from: date, date_to: date) -> tuple[Decimal, Decimal]:
        rt = self.room_types[room_type_id]
        excl = rt.price * len(_nights(date_from, date_to))
        return excl, excl * (1 + self.hotels[rt.hotel_id].tax_rate)

    # -- hotel_ari --------------------------------------------------------------------------------------
    def ari(self, hotels: frozenset[int], body: bytes) -> dict[str, Any]:
        params = _ari_params(body)
        hotel_id = _int(params["id_hotel"], 0) or 0
        date_from, date_to = params["date_from"], params["date_to"]
        with self._lock:
            currency = self.hotels[hotel_id].currency if hotel_id in hotels else self._default_currency(hotels)
            info: dict[str, Any] = {
                "id_hotel": params["id_hotel"],
                "date_from": date_from.isoformat(),
                "date_to": date_to.isoformat(),
                "currency": currency,
            }
            types = [
                rt
                for rt in self.room_types.values()
                if hotel_id in hotels
                and rt.hotel_id == hotel_id
                and (params["id_room_type"] is None or rt.id == params["id_room_type"])
            ]
            if not types:
                return {"hotel_ari": info}  # rm_data empty: no stats, no room_types
            flags = params["flags"]
            stats = {"total_rooms": 0, "available": 0, "partial": 0, "booked": 0, "unavailable": 0}
            out_types: list[dict[str, Any]] = []
            wanted = set(_nights(date_from, date_to))
            for rt in types:
                rooms: dict[str, dict[str, Any]] = {"available": {}, "partially_available": {}, "booked": {}}
                for room in rt.rooms:
                    busy = wanted & self._busy_nights(room.id)
                    entry = self._room_entry(rt, room)
                    if not busy:
                        rooms["available"][str(room.id)] = entry
                    elif busy != wanted and flags["partial"]:
                        rooms["partially_available"][str(room.id)] = entry
                    else:
                        entry["detail"] = self._booked_detail(room.id, date_from, date_to)
                        rooms["booked"][str(room.id)] = entry
                stats["total_rooms"] += len(rt.rooms)
                stats["available"] += len(rooms["available"])
                stats["partial"] += len(rooms["partially_available"])
                stats["booked"] += len(rooms["booked"])
                excl, incl = self.stay_price(rt.id, date_from, date_to)
                n = params["occupancies"]
                nights = len(wanted)
                out_types.append(
                    {
                        "id_room_type": rt.id,
                        "base_price": _money(excl / nights),
                        "base_price_with_tax": _money(incl / nights),
                        "total_price": _money(excl * n),
                        "total_price_with_tax": _money(incl * n),
                        "name": rt.name,
                        "rooms": {
                            "available": (rooms["available"] or []) if flags["available"] else [],
                            "unavailable": [],
                            "partially_available": (rooms["partially_available"] or []) if flags["partial"] else [],
                            "booked": (rooms["booked"] or []) if flags["booked"] else [],
                        },
                    }
                )
            info["total_rooms"] = stats["total_rooms"]
            for flag, key, stat in (
                ("available", "total_available_rooms", "available"),
                ("unavailable", "total_unavailable_rooms", "unavailable"),
                ("partial", "total_partial_available_rooms", "partial"),
                ("booked", "total_booked_rooms", "booked"),
            ):
                if flags[flag]:
                    info[key] = stats[stat]
            info["room_types"] = out_types
            return {"hotel_ari": info}

    def _default_currency(self, hotels: frozenset[int]) -> str:
        return next((self.hotels[h].currency for h in sorted(hotels)), "USD")

    @staticmethod
    def _room_entry(rt: FakeRoomType, room: FakeRoom) -> dict[str, Any]:
        return {
            "id_room": str(room.id),
            "id_product": str(rt.id),
            "id_hotel": str(rt.hotel_id),
            "room_num": room.room_num,
            "room_comment": "",
            "max_adult": str(rt.max_adults),
            "max_children": str(rt.max_children),
            "max_occupancy": str(rt.max_guests),
        }

    def _booked_detail(self, room_id: int, date_from: date, date_to: date) -> list[dict[str, Any]]:
        return [
            {
                "id_htl_booking": str(line.id),
                "date_from": f"{line.date_from} 00:00:00",
                "date_to": f"{line.date_to} 00:00:00",
                "id_customer": str(order.customer_id),
                "booking_type": "1",
                "booking_status": "1",
                "comment": "",
            }
            for order in self.orders.values()
            for line in order.lines
            if line.room_id == room_id and not line.cancelled and line.date_from < date_to and date_from < line.date_to
        ]

    # -- resources --------------------------------------------------------------------------------------
    def hotel_entity(self, hotel_id: int) -> dict[str, Any]:
        h = self.hotels[hotel_id]
        return {
            "id": h.id,
            "id_category": str(h.id + 2),
            "email": h.email,
            "rating": "4",
            "check_in": h.check_in,
            "check_out": h.check_out,
            "active": "1",
            "latitude": "0.00000000",
            "longitude": "0.00000000",
            "active_refund": "1",
            "date_add": "2025-01-01 00:00:00",
            "date_upd": "2025-01-01 00:00:00",
            "phone": h.phone,
            "address": h.address,
            "id_country": "6" if h.currency == "EUR" else "21",
            "id_state": "0",
            "city": h.city,
            "zipcode": h.zipcode,
            "hotel_name": h.name,
            "policies": "",
            "description": "",
            "short_description": "",
            "associations": {
                "room_types": [{"id": str(rt.id)} for rt in self.room_types.values() if rt.hotel_id == h.id]
            },
        }

    def hotel_room_type_entity(self, rt: FakeRoomType) -> dict[str, Any]:
        return {
            "id": rt.hotel_room_type_id,
            "id_product": str(rt.id),
            "id_hotel": str(rt.hotel_id),
            "adults": str(rt.adults),
            "children": str(rt.children),
            "max_adults": str(rt.max_adults),
            "max_children": str(rt.max_children),
            "max_guests": str(rt.max_guests),
            "min_los": "1",
            "max_los": "0",
            "date_add": "2025-01-01 00:00:00",
            "date_upd": "2025-01-01 00:00:00",
            "associations": {"hotel_rooms": [{"id": str(r.id)} for r in rt.rooms]},
        }

    def product_entity(self, rt: FakeRoomType) -> dict[str, Any]:
        return {
            "id": rt.id,
            "id_category_default": str(rt.hotel_id + 2),
            "price": f"{rt.price:.6f}",
            "active": "1",
            "booking_product": "1",
            "name": rt.name,
            "description": "",
        }

    def entities(self, resource: str, hotels: frozenset[int]) -> list[dict[str, Any]]:
        with self._lock:
            if resource == "hotels":
                return [self.hotel_entity(h) for h in sorted(hotels) if h in self.hotels]
            visible = [rt for rt in self.room_types.values() if rt.hotel_id in hotels]
            if resource == "hotel_room_types":
                return [self.hotel_room_type_entity(rt) for rt in visible]
            if resource == "room_types":
                return [self.product_entity(rt) for rt in visible]
            if resource == "orders":
                return [self.order_entity(o) for o in self.orders.values() if o.hotel_id in hotels]
            return []

    def order_entity(self, order: FakeOrder) -> dict[str, Any]:
        excl = sum((line.price_tax_excl for line in order.lines), Decimal(0))
        incl = sum((line.price_tax_incl for line in order.lines), Decimal(0))
        return {
            "id": order.id,
            "id_customer": str(order.customer_id),
            "id_currency": "1",
            "id_lang": "1",
            "current_state": str(order.state),
            "module": "ws",
            "payment": order.payment_type,
            "source": order.source,
            "total_paid": f"{incl:.6f}",
            "total_paid_real": f"{order.total_paid:.6f}",
            "total_paid_tax_incl": f"{incl:.6f}",
            "total_paid_tax_excl": f"{excl:.6f}",
            "reference": f"WS{order.id:07d}",
            "date_add": order.date_add,
            "date_upd": order.date_add,
        }

    # -- bookings ---------------------------------------------------------------------------------------
    def order_ids(self, hotels: frozenset[int]) -> list[int]:
        with self._lock:
            return [o.id for o in self.orders.values() if o.hotel_id in hotels]

    def order(self, order_id: int, hotels: frozenset[int]) -> FakeOrder | None:
        with self._lock:
            order = self.orders.get(order_id)
            return order if order and order.hotel_id in hotels else None

    def booking_details(self, order: FakeOrder) -> dict[str, Any]:
        with self._lock:
            customer = next(c for c in self.customers.values() if c.id == order.customer_id)
            grouped: dict[tuple[int, date, date], dict[str, Any]] = {}
            for line in order.lines:
                key = (line.room_type_id, line.date_from, line.date_to)
                tax = line.price_tax_incl - line.price_tax_excl
                group = grouped.setdefault(
                    key,
                    {
                        "id_room_type": line.room_type_id,
                        "checkin_date": f"{line.date_from} 00:00:00",
                        "checkout_date": f"{line.date_to} 00:00:00",
                        "total_tax": Decimal(0),
                        "number_of_rooms": 0,
                        "name": self.room_types[line.room_type_id].name,
                        "rooms": [],
                    },
                )
                group["total_tax"] += tax
                group["number_of_rooms"] += 1
                group["rooms"].append(
                    {
                        "id_room": line.room_id,
                        "id_hotel_booking": line.id,
                        "adults": line.adults,
                        "child": line.children,
                        "unit_price_without_tax": _money(line.price_tax_excl),
                        "total_tax": _money(tax),
                    }
                )
            for group in grouped.values():
                group["total_tax"] = _money(group["total_tax"])
            excl = sum((line.price_tax_excl for line in order.lines), Decimal(0))
            incl = sum((line.price_tax_incl for line in order.lines), Decimal(0))
            return {
                "booking": {
                    "id": order.id,
                    "id_property": order.hotel_id,
                    "currency": order.currency,
                    "source": order.source,
                    "booking_date": order.date_add,
                    "id_language": 1,
                    "associations": {
                        "customer_detail": {
                            "id_customer": customer.id,
                            "firstname": customer.firstname,
                            "lastname": customer.lastname,
                            "email": customer.email,
                            "phone": customer.phone,
                        },
                        "price_details": {
                            "total_paid": _money(order.total_paid),
                            "total_price_without_tax": _money(excl),
                            "total_tax": _money(incl - excl),
                        },
                        "cart_rules": [],
                        "remarks": list(order.remarks),
                        "room_types": list(grouped.values()),
                    },
                }
            }

    def create_booking(self, data: dict[str, Any], hotels: frozenset[int]) -> FakeOrder:
        """POST /api/bookings: the validations of WebserviceSpecificManagementBookings, in its order."""
        with self._lock:
            currencies = {h.currency for h in self.hotels.values()}
            customer = data.get("customer_detail")
            hotel_id = _int(data.get("id_property"))
            if "id" in data:
                raise _bad("id is forbidden when adding a new resource")
            if not data.get("currency") or str(data["currency"]).upper() not in currencies:
                raise _bad("Please provide valid currency.")
            if not customer or not isinstance(customer, dict):
                raise _bad("Customer details not found.")
            if hotel_id is None or hotel_id not in hotels or hotel_id not in self.hotels:
                raise _bad("Please provide a valid id_property.")
            for key, label in (
                ("firstname", "first name"),
                ("lastname", "last name"),
                ("email", "email"),
                ("phone", "phone number"),
            ):
                if not str(customer.get(key) or "").strip():
                    raise _bad(f"Please provide a valid {label}.")
            if any(customer.get(k) for k in ("address", "city", "country_code", "state_code", "zip")):
                for key, label in (("address", "Address"), ("city", "City"), ("country_code", "Country code")):
                    if not customer.get(key):
                        raise _bad(f"{label} is required.")
            stays = self._requested_stays(data.get("room_types"), hotel_id)
            payment = _obj(data.get("payment_detail"))
            payment_type = payment.get("payment_type", "pay at hotel")
            if payment_type not in ("online", "remote", "pay at hotel"):
                raise _bad("Invalid payment type.")
            booking_status = _int(data.get("booking_status"), 1) or 1
            if not 1 <= booking_status <= 4:
                raise _bad("Invalid booking status.")
            payment_status = _int(data.get("payment_status"), 3) or 3
            if not 1 <= payment_status <= 3:
                raise _bad("Invalid payment status.")

            email = str(customer["email"]).strip()
            known = self.customers.get(email.lower())
            if known is None:
                known = FakeCustomer(
                    next(self._customer_ids),
                    str(customer["firstname"]),
                    str(customer["lastname"]),
                    email,
                    str(customer.get("phone") or ""),
                )
                self.customers[email.lower()] = known
            lines = []
            for rt_id, date_from, date_to, rooms in stays:
                excl, incl = self.stay_price(rt_id, date_from, date_to)
                for room_id, adults, children in rooms:
                    lines.append(
                        FakeLine(next(self._line_ids), room_id, rt_id, date_from, date_to, adults, children, excl, incl)
                    )
            total_incl = sum((line.price_tax_incl for line in lines), Decimal(0))
            state = {3: STATE_CANCELLED, 4: STATE_REFUNDED}.get(
                booking_status, STATE_PAYMENT_ACCEPTED if payment_status == 1 else STATE_AWAITING_PAYMENT
            )
            order = FakeOrder(
                id=next(self._order_ids),
                hotel_id=hotel_id,
                customer_id=known.id,
                currency=str(data["currency"]).upper(),
                source=str(data.get("source") or "webservice"),
                date_add=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                state=state,
                payment_type=payment_type,
                total_paid=total_incl if payment_status == 1 else Decimal(0),
                lines=lines,
                remarks=[str(data["remark"])] if data.get("remark") else [],
            )
            if state in (STATE_CANCELLED, STATE_REFUNDED):
                for line in lines:
                    line.cancelled = True
            self.orders[order.id] = order
            return order

    def _requested_stays(self, raw: Any, hotel_id: int) -> list[tuple[int, date, date, list[tuple[int, int, int]]]]:
        """Validate the room types of a create and pick the rooms; raise the first error QloApps would."""
        room_types = _unwrap(raw, "room_type")
        if not room_types:
            raise _bad(NOT_AVAILABLE)
        stays = []
        taken: set[tuple[int, date]] = set()  # (room, night) already given to an earlier stay of this request
        for rt_req in room_types:
            rt_id, date_from, date_to, count, rooms_req = self._validate_room_type(rt_req)
            rt = self.room_types[rt_id]
            if rt.hotel_id != hotel_id or date_to <= date_from:
                raise _bad(NOT_AVAILABLE)
            nights = _nights(date_from, date_to)
            free = [
                r for r in self._free_rooms(rt_id, date_from, date_to) if not any((r.id, n) in taken for n in nights)
            ]
            free_ids = {r.id for r in free}
            if len(free) < count:
                raise _bad(NOT_AVAILABLE)
            chosen: list[tuple[int, int, int]] = []
            wanted_ids = [_int(r.get("id_room")) for r in rooms_req if isinstance(r, dict) and "id_room" in r]
            if any(i not in free_ids for i in wanted_ids):
                raise _bad(NOT_AVAILABLE)
            spare = [r.id for r in free if r.id not in wanted_ids]
            for i in range(count):
                room_req = rooms_req[i] if i < len(rooms_req) and isinstance(rooms_req[i], dict) else {}
                room_id = _int(room_req.get("id_room")) if "id_room" in room_req else spare.pop(0)
                # 1.6.1 reads `adult`/`child` (not `adults`) and falls back to the room type's default.
                adults = _int(room_req.get("adult"), 0) or rt.adults
                children = _int(room_req.get("child"), rt.children) if "child" in room_req else rt.children
                assert room_id is not None
                chosen.append((room_id, adults, children or 0))
                taken.update((room_id, n) for n in nights)
            stays.append((rt_id, date_from, date_to, chosen))
        return stays

    def _validate_room_type(self, rt_req: Any) -> tuple[int, date, date, int, list[Any]]:
        if not isinstance(rt_req, dict) or "id_room_type" not in rt_req:
            raise _bad("Id room type is missing")
        date_from, date_to = _day(rt_req.get("checkin_date")), _day(rt_req.get("checkout_date"))
        if date_from is None:
            raise _bad("Invalid check in date in the request")
        if date_to is None:
            raise _bad("Invalid check out date in the request")
        count = _int(rt_req.get("number_of_rooms"))
        if count is None:
            raise _bad("number of rooms is missing")
        rt_id = _int(rt_req["id_room_type"])
        if rt_id not in self.room_types:
            raise _bad("Invalid room type in the request")
        rooms_req = _unwrap(rt_req.get("rooms", []), "room")
        if rooms_req and len(rooms_req) != count:
            raise _bad("Room count does not matches with the number of rooms")
        if date_from > date_to:
            raise _bad("Invalid check in and check out dates in the request")
        assert rt_id is not None
        return rt_id, date_from, date_to, count, rooms_req

    def update_booking(self, order_id: int, data: dict[str, Any], hotels: frozenset[int]) -> FakeOrder:
        """PUT /api/bookings/{id}: the full booking back; stays left out are removed; status 3/4 cancels."""
        with self._lock:
            body_id = _int(data.get("id"))
            if not body_id:
                raise _bad("id is required with PUT requests.")
            order = self.orders.get(body_id)
            if order is None or order.hotel_id not in hotels or body_id != order_id:
                raise _bad("Booking not found.")
            status = _int(data.get("booking_status"))
            if status is not None and not 1 <= status <= 4:
                raise _bad("Invalid booking status.")
            room_types = _unwrap(data.get("room_types"), "room_type")
            if not room_types:
                raise _bad("Rooms not found in the request.")
            if _int(data.get("id_property")) != order.hotel_id:
                raise _bad("Please provide a valid id_property.")
            customer = _obj(data.get("customer_detail"))
            if str(customer.get("email") or "").strip().lower() not in self.customers:
                raise _bad("Customer not found.")
            keep: set[tuple[int, date, date]] = set()
            for rt_req in room_types:
                rt_id, date_from, date_to, _count, _rooms = self._validate_room_type(rt_req)
                key = (rt_id, date_from, date_to)
                if not any((line.room_type_id, line.date_from, line.date_to) == key for line in order.lines):
                    raise WsError(400, "fake QloApps: adding rooms to a booking is not implemented", 0)
                keep.add(key)
            order.lines = [line for line in order.lines if (line.room_type_id, line.date_from, line.date_to) in keep]
            if status in (3, 4):
                order.state = STATE_CANCELLED if status == 3 else STATE_REFUNDED
                for line in order.lines:
                    line.cancelled = True
            elif status == 2:
                order.state = STATE_PAYMENT_ACCEPTED
            return order

    # -- test view --------------------------------------------------------------------------------------
    def snapshot(self, date_from: date, date_to: date) -> dict[str, Any]:
        with self._lock:
            nights = _nights(date_from, date_to)
            return {
                "hotels": {
                    str(h.id): {
                        "name": h.name,
                        "currency": h.currency,
                        "room_types": {
                            str(rt.id): {"name": rt.name, "price": str(rt.price), "rooms": [r.id for r in rt.rooms]}
                            for rt in self.room_types.values()
                            if rt.hotel_id == h.id
                        },
                    }
                    for h in self.hotels.values()
                },
                "inventory": {
                    str(rt.id): {n.isoformat(): len(self._free_rooms(rt.id, n, n + timedelta(days=1))) for n in nights}
                    for rt in self.room_types.values()
                },
                "bookings": [
                    {
                        "id": o.id,
                        "hotel_id": o.hotel_id,
                        "state": o.state,
                        "email": next(c.email for c in self.customers.values() if c.id == o.customer_id),
                        "lines": [
                            {
                                "room_id": line.room_id,
                                "room_type_id": line.room_type_id,
                                "date_from": line.date_from.isoformat(),
                                "date_to": line.date_to.isoformat(),
                                "cancelled": line.cancelled,
                            }
                            for line in o.lines
                        ],
                    }
                    for o in self.orders.values()
                ],
                "faults": asdict(self.faults),
            }


def _ari_params(body: bytes) -> dict[str, Any]:
    """Validate a hotel_ari body like WebserviceSpecificManagementHotelAri::validateRequestXml."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("xml="):
        text = text[4:]
    if not text:
        raise WsError(400, "Validation error: ARI search parameters are missing.", 85)
    try:
        # Loopback-only test double fed by our own client; expat does not resolve external entities.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError:
        raise WsError(400, "Validation error: Invalid ARI search parameters found.", 85) from None
    ari = root.find("hotel_ari")
    if ari is None:
        raise WsError(400, "Validation error: Invalid request XML", 85)
    for required in ("id_hotel", "date_from", "date_to"):
        if ari.find(required) is None:
            raise WsError(400, f'parameter "{required}" required', 41)

    def text_of(tag: str) -> str | None:
        node = ari.find(tag)
        return (node.text or "").strip() if node is not None else None

    id_hotel = text_of("id_hotel") or ""
    if _int(id_hotel) is None:
        raise WsError(400, 'Validation error: "id_hotel" is invalid.', 85)
    date_from, date_to = _day(text_of("date_from")), _day(text_of("date_to"))
    if date_from is None or date_to is None:
        raise WsError(400, 'Validation error: "date_from" or "date_to" is invalid.', 85)
    if date_to <= date_from:
        raise WsError(400, 'Validation error: "Date to" must be after "date from"', 85)
    occupancies = ari.findall("associations/room_occupancies/room_occupancy")
    for i, occ in enumerate(occupancies, start=1):
        adults, children = occ.find("adults"), occ.find("children")
        if adults is None:
            raise WsError(400, f"Validation error: Missing information for adults for Room-{i} occupancy.", 85)
        if not (_int(adults.text, 0) or 0) > 0:
            raise WsError(
                400,
                f"Validation error: Invalid value for number of adults for Room-{i} occupancy"
                "(value must be greater than 0).",
                85,
            )
        if children is None:
            raise WsError(400, f"Validation error: Missing information for children for Room-{i} occupancy.", 85)
        if (_int(children.text, -1) or 0) < 0:
            raise WsError(400, f"Validation error: Invalid value for number of children for Room-{i} occupancy.", 85)
    flag_names = {
        "available": "get_available_rooms",
        "booked": "get_booked_rooms",
        "partial": "get_partial_available_rooms",
        "unavailable": "get_unavailable_rooms",
    }
    if any(ari.find(tag) is not None for tag in flag_names.values()):
        flags = {k: bool(_int(text_of(tag), 0)) for k, tag in flag_names.items()}
    else:  # no flag at all: available rooms only
        flags = {"available": True, "booked": False, "partial": False, "unavailable": False}
    room_type = text_of("id_room_type")
    return {
        "id_hotel": id_hotel,
        "date_from": date_from,
        "date_to": date_to,
        "id_room_type": _int(room_type) if room_type else None,
        "flags": flags,
        "occupancies": max(1, len(occupancies)),
    }


# -- HTTP ------------------------------------------------------------------------------------------------

WS_HEADERS = {"PSWS-Version": "1.6.1.23", "X-Powered-By": "PrestaShop Webservice"}
PHP_WARNING_500 = {
    "errors": [
        {"code": 2, "message": "[PHP Warning #2] Undefined array key (fake: warning turned into a 500 after create)"}
    ]
}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode()
    return Response(body, status, media_type="application/json", headers={**WS_HEADERS, **(headers or {})})


def _errors(status: int, *errors: tuple[int, str], headers: dict[str, str] | None = None) -> Response:
    return _json({"errors": [{"code": c, "message": m} for c, m in errors]}, status, headers)


def _wants_json(request: Request) -> bool:
    for value in (
        request.headers.get("io-format"),
        request.headers.get("output-format"),
        request.query_params.get("output_format"),
        request.query_params.get("io_format"),
    ):
        if value is not None:
            return value == "JSON"  # case-sensitive, like the real switch
    return False


def _key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user = base64.b64decode(header[6:]).decode("utf-8", "replace")
        except ValueError:
            return ""
        return user.split(":", 1)[0]
    return request.query_params.get("ws_key")


def _garbage(mode: bool | str) -> Response:
    if mode == "shape":
        return _json({"hotel_ari": {"room_types": "none"}, "booking": {"id": "x"}, "hotel": [], "order": None})
    return Response(
        b'<br />\n<b>Fatal error</b>: Allowed memory size exhausted in <b>/var/www/html/classes/Db.php</b>\n{"hot',
        200,
        media_type="application/json",
        headers=WS_HEADERS,
    )


def _select(entities: list[dict[str, Any]], request: Request, plural: str) -> Response:
    """PrestaShop listing: `filter[field]=[a|b]`, `display=full|[f1,f2]`; `[]` when nothing matches."""
    for name, value in request.query_params.items():
        if name.startswith("filter[") and name.endswith("]"):
            field_name = name[7:-1]
            wanted = set(value.strip("[]").split("|"))
            entities = [e for e in entities if str(e.get(field_name)) in wanted]
    display = request.query_params.get("display")
    if not entities:
        return _json([])
    if display is None:
        return _json({plural: [{"id": e["id"]} for e in entities]})
    if display != "full":
        fields = [f.strip() for f in display.strip("[]").split(",") if f.strip()]
        entities = [{f: e[f] for f in fields if f in e} for e in entities]
    return _json({plural: entities})


def create_app(state: FakeQloApps | None = None) -> Starlette:
    fake = state or FakeQloApps()
    singular = {"hotels": "hotel", "hotel_room_types": "hotel_room_type", "room_types": "room_type", "orders": "order"}

    async def guard(request: Request) -> tuple[Response | None, frozenset[int]]:
        """Server faults, then the webservice's own checks, in the real order."""
        faults = fake.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.down:
            return PlainTextResponse("Service Unavailable", 503), frozenset()
        key = _key(request)
        if key is None:
            return PlainTextResponse("401 Unauthorized", 401, headers={"WWW-Authenticate": NO_KEY_REALM}), frozenset()
        auth = {"WWW-Authenticate": KEY_ERROR_REALM}
        if key == "":
            return _errors(401, (17, "Authentication key is empty"), headers=auth), frozenset()
        if len(key) != 32:
            return _errors(401, (18, "Invalid authentication key format"), headers=auth), frozenset()
        if key not in KEY_HOTELS:
            return _errors(
                401,
                (20, "Authentification key is not active"),
                (21, "No permission for this authentication key"),
                headers=auth,
            ), frozenset()
        if not _wants_json(request):
            return _errors(400, (0, "fake QloApps: only output_format=JSON is implemented")), frozenset()
        if fake.roll_error():
            return _errors(500, (0, "fake QloApps: injected error")), frozenset()
        if faults.garbage:
            return _garbage(faults.garbage), frozenset()
        return None, KEY_HOTELS[key]

    async def hotel_ari(request: Request) -> Response:
        refused, hotels = await guard(request)
        if refused:
            return refused
        if request.method != "POST":
            return _errors(405, (23, f"Method {request.method} is not valid"))
        try:
            return _json(fake.ari(hotels, await request.body()))
        except WsError as exc:
            return _errors(exc.status, (exc.code, exc.message))

    async def listing(request: Request) -> Response:
        refused, hotels = await guard(request)
        if refused:
            return refused
        resource = request.path_params["resource"]
        if resource not in singular:
            return _errors(400, (19, f'Resource of type "{resource}" does not exists'))
        if request.method != "GET":
            return _errors(405, (23, f"Method {request.method} is not valid"))
        return _select(fake.entities(resource, hotels), request, resource)

    async def entity(request: Request) -> Response:
        refused, hotels = await guard(request)
        if refused:
            return refused
        resource = request.path_params["resource"]
        if resource not in singular:
            return _errors(400, (19, f'Resource of type "{resource}" does not exists'))
        if request.method != "GET":
            return _errors(405, (23, f"Method {request.method} is not valid"))
        wanted = request.path_params["id"]
        found = [e for e in fake.entities(resource, hotels) if str(e["id"]) == wanted]
        if not found:
            return _errors(404, (87, f"{singular[resource].title()} #{wanted} not found"))
        return _json({singular[resource]: found[0]})

    async def bookings(request: Request) -> Response:
        refused, hotels = await guard(request)
        if refused:
            return refused
        if request.method == "GET":
            ids = fake.order_ids(hotels)
            return _json({"bookings": [{"id": i} for i in ids]} if ids else [])
        if request.method != "POST":
            return _errors(405, (23, f"Method {request.method} is not valid"))
        data = _booking_head(await request.body())
        if data is None:
            return _errors(500, (127, "Invalid request."))
        try:
            order = fake.create_booking(data, hotels)
        except WsError as exc:
            return _errors(exc.status, (exc.code, exc.message))
        if fake.faults.booking_500_after_create:
            return _json(PHP_WARNING_500, 500)
        return _json(fake.booking_details(order))

    async def booking(request: Request) -> Response:
        refused, hotels = await guard(request)
        if refused:
            return refused
        order_id = _int(request.path_params["id"], 0) or 0
        if request.method == "GET":
            order = fake.order(order_id, hotels)
            if order is None:
                return Response(b"", 404, headers=WS_HEADERS)  # the real one answers 404 with no body
            return _json(fake.booking_details(order))
        if request.method != "PUT":
            return _errors(405, (23, f"Method {request.method} is not valid"))
        data = _booking_head(await request.body())
        if data is None:
            return _errors(500, (127, "Invalid request."))
        try:
            order = fake.update_booking(order_id, data, hotels)
        except WsError as exc:
            return _errors(exc.status, (exc.code, exc.message))
        return _json(fake.booking_details(order))

    async def unknown(request: Request) -> Response:
        refused, _hotels = await guard(request)
        if refused:
            return refused
        name = request.path_params["rest"].split("/")[0]
        return _errors(400, (19, f'Resource of type "{name}" does not exists'))

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            fake.clear_faults()
        elif request.method == "POST":
            try:
                body = await request.json()
                fake.set_faults(**body)
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(asdict(fake.faults))

    async def state_view(request: Request) -> Response:
        today = date.today()
        date_from = _day(request.query_params.get("date_from")) or today
        date_to = _day(request.query_params.get("date_to")) or date_from + timedelta(days=14)
        return JSONResponse(fake.snapshot(date_from, date_to))

    async def reset(request: Request) -> Response:
        fake.reset()
        fake.clear_faults()
        return JSONResponse({"reset": True})

    all_methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
    routes = [
        Route("/api/hotel_ari", hotel_ari, methods=all_methods),
        Route("/api/bookings", bookings, methods=all_methods),
        Route("/api/bookings/{id}", booking, methods=all_methods),
        Route("/api/{resource:str}", listing, methods=all_methods),
        Route("/api/{resource:str}/{id}", entity, methods=all_methods),
        Route("/api/{rest:path}", unknown, methods=all_methods),
        Route("/_faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_state", state_view, methods=["GET"]),
        Route("/_reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.fake = fake
    return app


def _booking_head(body: bytes) -> dict[str, Any] | None:
    """The `booking` object of a JSON body, associations flattened like formatRequestData; None if absent."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("booking"), dict):
        return None
    head = dict(data["booking"])
    associations = head.pop("associations", None)
    if isinstance(associations, dict):
        head.update(associations)
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake QloApps 1.6.1 webservice")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    import uvicorn

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
