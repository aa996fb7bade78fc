"""QloApps data: the domain models callers use, and the wire models the client validates answers into.

The wire models follow QloApps 1.6.1 JSON as it is (PrestaShop webservice): numbers often arrive as
strings, multilingual fields are a plain string with one language and `[{"id","value"}]` with several,
PHP associative arrays keyed by id become JSON objects and empty ones become `[]`, and booking dates are
`Y-m-d H:i:s`. Anything else fails validation, which the client reports as `upstream_invalid`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# -- domain ----------------------------------------------------------------------------------------------

BookingStatus = Literal["awaiting_payment", "payment_accepted", "cancelled", "refunded", "other"]

# Order states of a QloApps install (GET /api/orders/{id} -> current_state), as seen on 1.6.1.
ORDER_STATES: dict[int, BookingStatus] = {1: "awaiting_payment", 2: "payment_accepted", 4: "cancelled", 5: "refunded"}
CANCELLED_STATES = frozenset({4, 5})

# booking_status values of POST/PUT /api/bookings
BOOKING_STATUS_NEW = 1
BOOKING_STATUS_CANCELLED = 3
# payment_status values of POST /api/bookings
PAYMENT_STATUS_AWAITING = 3


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class Room(_Model):
    id: int
    room_num: str = ""
    max_adults: int = 0
    max_children: int = 0
    max_occupancy: int = 0

    def fits(self, adults: int, children: int) -> bool:
        # 0 means "not said": QloApps leaves these empty on rooms created without limits.
        return (
            (not self.max_adults or adults <= self.max_adults)
            and (not self.max_children or children <= self.max_children)
            and (not self.max_occupancy or adults + children <= self.max_occupancy)
        )


class RoomTypeRate(_Model):
    """One room type of an availability answer. Prices exclude tax unless `_with_tax`."""

    id: int
    name: str
    base_price: Decimal  # average price of one night
    base_price_with_tax: Decimal
    total_price: Decimal  # the whole stay, for the number of occupancies searched (one)
    total_price_with_tax: Decimal
    available_rooms: tuple[Room, ...] = ()

    @property
    def available(self) -> int:
        return len(self.available_rooms)

    def rooms_for(self, adults: int, children: int) -> tuple[Room, ...]:
        return tuple(r for r in self.available_rooms if r.fits(adults, children))


class Availability(_Model):
    hotel_id: int
    date_from: date
    date_to: date
    currency: str
    adults: int
    children: int
    room_types: tuple[RoomTypeRate, ...] = ()
    total_rooms: int | None = None
    total_available_rooms: int | None = None

    @property
    def nights(self) -> int:
        return (self.date_to - self.date_from).days

    def room_type(self, room_type_id: int) -> RoomTypeRate | None:
        return next((rt for rt in self.room_types if rt.id == room_type_id), None)

    def bookable(self) -> tuple[RoomTypeRate, ...]:
        """Room types with a free room for the party searched.

        QloApps 1.6.1 does not filter availability by occupancy (it reads the wrong key), so the client
        does it here from each room's limits.
        """
        return tuple(rt for rt in self.room_types if rt.rooms_for(self.adults, self.children))


class Hotel(_Model):
    id: int
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    city: str = ""
    check_in: str = ""
    check_out: str = ""
    active: bool = True
    room_type_ids: tuple[int, ...] = ()


class RoomType(_Model):
    id: int  # the product id: what hotel_ari and bookings call id_room_type
    hotel_id: int
    name: str
    adults: int = 2  # default occupancy
    children: int = 0
    max_adults: int = 0
    max_children: int = 0
    max_guests: int = 0
    price: Decimal | None = None  # the product's base nightly price, tax excluded


class Guest(_Model):
    firstname: str = Field(min_length=1)
    lastname: str = Field(min_length=1)
    # Only the shape is checked: QloApps validates e-mails itself and answers 400 when it disagrees.
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = ""


class BookingRequest(_Model):
    hotel_id: int = Field(gt=0)
    room_type_id: int = Field(gt=0)
    check_in: date
    check_out: date
    guest: Guest
    currency: str = Field(min_length=3, max_length=3)
    adults: int = Field(default=2, ge=1)
    children: int = Field(default=0, ge=0)
    rooms: int = Field(default=1, ge=1)
    room_ids: tuple[int, ...] = ()  # optional: the exact rooms (from Availability); else QloApps picks
    remark: str = ""
    source: str = "whatsapp"
    payment_type: Literal["online", "remote", "pay at hotel"] = "pay at hotel"
    payment_method: str = "WhatsApp"

    @model_validator(mode="after")
    def _consistent(self) -> BookingRequest:
        if self.check_out <= self.check_in:
            raise ValueError("check_out must be after check_in")
        if self.room_ids and len(self.room_ids) != self.rooms:
            raise ValueError("room_ids must name exactly `rooms` rooms")
        return self


class BookedRoom(_Model):
    id: int
    booking_line_id: int | None = None  # id_hotel_booking
    adults: int = 0
    children: int = 0
    price_without_tax: Decimal = Decimal(0)  # the whole stay of this room
    tax: Decimal = Decimal(0)


class BookedStay(_Model):
    room_type_id: int
    name: str = ""
    check_in: date
    check_out: date
    rooms: tuple[BookedRoom, ...] = ()


class Booking(_Model):
    id: int  # the order id
    hotel_id: int
    currency: str = ""
    source: str = ""
    booking_date: str = ""
    guest_email: str = ""
    guest_firstname: str = ""
    guest_lastname: str = ""
    guest_phone: str = ""
    customer_id: int | None = None
    total_paid: Decimal = Decimal(0)
    total_without_tax: Decimal = Decimal(0)
    total_tax: Decimal = Decimal(0)
    stays: tuple[BookedStay, ...] = ()
    # From the order (GET /api/orders/{id}); None when not read (the create answer does not carry it).
    order_state: int | None = None
    status: BookingStatus | None = None

    @property
    def total_with_tax(self) -> Decimal:
        return self.total_without_tax + self.total_tax

    @property
    def cancelled(self) -> bool:
        return self.order_state in CANCELLED_STATES

    def matches(self, email: str, check_in: date, check_out: date, room_type_id: int) -> bool:
        return self.guest_email.strip().lower() == email.strip().lower() and any(
            s.room_type_id == room_type_id and s.check_in == check_in and s.check_out == check_out for s in self.stays
        )


def status_of(order_state: int) -> BookingStatus:
    return ORDER_STATES.get(order_state, "other")


# -- wire ------------------------------------------------------------------------------------------------


def _values(v: Any) -> Any:
    """A PHP assoc array keyed by id: an object, or `[]` when empty (and a list if the keys were 0..n)."""
    if isinstance(v, dict):
        return list(v.values())
    return v


def _lang(v: Any) -> Any:
    """A multilingual field: a string with one language, `[{"id","value"}]` with several (take the first)."""
    if isinstance(v, list):
        return v[0]["value"] if v and isinstance(v[0], dict) and "value" in v[0] else ""
    return v


def _day(v: Any) -> Any:
    """`2025-06-01 00:00:00` (database datetimes) or `2025-06-01`."""
    return v[:10] if isinstance(v, str) else v


def _empty_obj(v: Any) -> Any:
    return {} if v == [] else v


Assoc = Annotated[list[Any], BeforeValidator(_values)]
Lang = Annotated[str, BeforeValidator(_lang)]
Day = Annotated[date, BeforeValidator(_day)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class WireError(_Wire):
    code: int | None = None
    message: str = ""


class WireErrors(_Wire):
    errors: list[WireError] = Field(min_length=1)


class WireAriRoom(_Wire):
    id_room: int
    room_num: str = ""
    max_adult: int = 0
    max_children: int = 0
    max_occupancy: int = 0


class WireAriRooms(_Wire):
    available: Annotated[list[WireAriRoom], BeforeValidator(_values)] = []


class WireAriRoomType(_Wire):
    id_room_type: int
    name: Lang = ""
    base_price: Decimal
    base_price_with_tax: Decimal
    total_price: Decimal
    total_price_with_tax: Decimal
    rooms: Annotated[WireAriRooms, BeforeValidator(_empty_obj)] = WireAriRooms()


class WireAri(_Wire):
    id_hotel: int
    date_from: Day
    date_to: Day
    currency: str
    total_rooms: int | None = None
    total_available_rooms: int | None = None
    room_types: list[WireAriRoomType] = []


class WireAriResponse(_Wire):
    hotel_ari: WireAri


class WireId(_Wire):
    id: int


class WireHotelAssoc(_Wire):
    room_types: list[WireId] = []


class WireHotel(_Wire):
    id: int
    hotel_name: Lang
    email: str = ""
    phone: str = ""
    address: str = ""
    city: str = ""
    check_in: str = ""
    check_out: str = ""
    active: bool = True
    associations: WireHotelAssoc = WireHotelAssoc()


class WireHotelResponse(_Wire):
    hotel: WireHotel


class WireHotelRoomType(_Wire):
    id: int
    id_product: int
    id_hotel: int
    adults: int = 2
    children: int = 0
    max_adults: int = 0
    max_children: int = 0
    max_guests: int = 0


class WireHotelRoomTypes(_Wire):
    hotel_room_types: list[WireHotelRoomType] = []


class WireProduct(_Wire):
    id: int
    name: Lang = ""
    price: Decimal | None = None


class WireProducts(_Wire):
    room_types: list[WireProduct] = []


class WireBookingIds(_Wire):
    bookings: list[WireId] = []


class WireCustomer(_Wire):
    id_customer: int | None = None
    firstname: str = ""
    lastname: str = ""
    email: str = ""
    phone: str = ""


class WirePriceDetails(_Wire):
    total_paid: Decimal = Decimal(0)
    total_price_without_tax: Decimal = Decimal(0)
    total_tax: Decimal = Decimal(0)


class WireBookedRoom(_Wire):
    id_room: int
    id_hotel_booking: int | None = None
    adults: int = 0
    child: int = 0
    unit_price_without_tax: Decimal = Decimal(0)
    total_tax: Decimal = Decimal(0)


class WireBookedRoomType(_Wire):
    id_room_type: int
    checkin_date: Day
    checkout_date: Day
    number_of_rooms: int = 0
    name: Lang = ""
    rooms: list[WireBookedRoom] = []


class WireBookingAssoc(_Wire):
    customer_detail: WireCustomer
    price_details: Annotated[WirePriceDetails, BeforeValidator(_empty_obj)] = WirePriceDetails()
    room_types: list[WireBookedRoomType] = []


class WireBooking(_Wire):
    id: int
    id_property: int
    currency: str = ""
    source: str = ""
    booking_date: str = ""
    associations: WireBookingAssoc


class WireBookingResponse(_Wire):
    booking: WireBooking


class WireOrder(_Wire):
    id: int
    current_state: int


class WireOrderResponse(_Wire):
    order: WireOrder


def empty_list_as_object(data: Any) -> Any:
    """PrestaShop answers `[]` instead of `{"<resources>": []}` when a listing is empty."""
    return {} if data == [] else data
