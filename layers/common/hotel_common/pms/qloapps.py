"""QloApps 1.6.1 webservice client (the PrestaShop 1.6 webservice with the hotel module's resources).

Transport: `{url}/api/<resource>[/<id>]?output_format=JSON`, the 32-character webservice key as the HTTP
basic-auth user with no password. Errors come as `{"errors":[{"code","message"}]}`, except a missing key
(HTML) and an unknown booking (404, empty body).

Resources used:
  POST /api/hotel_ari                      availability and rates; XML body even for a JSON answer;
                                           `hotel_ari.room_types[].rooms.available` keyed by room id
  GET  /api/hotels/{id}                    the hotel
  GET  /api/hotel_room_types?display=full&filter[id_hotel]=[N]
                                           the hotel's room types (occupancy limits, product id)
  GET  /api/room_types?display=[id,name,price]&filter[id]=[a|b]
                                           their names and base prices (room types are Products)
  POST /api/bookings                       create a booking (JSON body); no room → 400 "Requested room(s)
                                           not available."; may answer 500 *and* have created it
  GET  /api/bookings                       every order id (no server-side filter, sort or limit)
  GET  /api/bookings/{id}                  the booking, without any status
  GET  /api/orders/{id}                    `current_state`: the booking's status
  PUT  /api/bookings/{id}                  cancel: the full booking with `booking_status` 3

The client does not retry, cache or break circuits (the resilience layer around it does) and records no
metrics: every failure is a `PmsError` whose `type`/`retryable`/`outcome_unknown` tell that layer what to
do. A create is never retryable: after a timeout or a 5xx look the booking up with `find_booking` first.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from xml.etree.ElementTree import Element, SubElement, tostring

import httpx
from pydantic import BaseModel, ValidationError

from hotel_common.pms.errors import PmsError, PmsErrorType
from hotel_common.pms.models import (
    BOOKING_STATUS_CANCELLED,
    BOOKING_STATUS_NEW,
    PAYMENT_STATUS_AWAITING,
    Availability,
    BookedRoom,
    BookedStay,
    Booking,
    BookingRequest,
    Hotel,
    Room,
    RoomType,
    RoomTypeRate,
    WireAriResponse,
    WireBooking,
    WireBookingIds,
    WireBookingResponse,
    WireErrors,
    WireHotelResponse,
    WireHotelRoomTypes,
    WireOrderResponse,
    WireProducts,
    empty_list_as_object,
    status_of,
)

DEFAULT_TIMEOUT = 5.0
# A booking sends its confirmation e-mails synchronously: 40 s was seen with a slow mail server.
DEFAULT_BOOKING_TIMEOUT = 60.0
# How many of the newest orders `find_booking` reads, one GET each.
DEFAULT_FIND_SCAN = 20
NOT_AVAILABLE = "not available"

M = TypeVar("M", bound=BaseModel)


def ari_request_xml(
    hotel_id: int,
    date_from: date,
    date_to: date,
    *,
    room_type_id: int | None = None,
    adults: int = 2,
    children: int = 0,
) -> bytes:
    """The XML body `hotel_ari` requires (it refuses JSON bodies with code 85)."""
    root = Element("qloapps")
    ari = SubElement(root, "hotel_ari")
    fields: list[tuple[str, object]] = [
        ("id_hotel", hotel_id),
        ("date_from", date_from.isoformat()),
        ("date_to", date_to.isoformat()),
    ]
    if room_type_id is not None:
        fields.append(("id_room_type", room_type_id))
    fields += [
        ("get_available_rooms", 1),
        ("get_booked_rooms", 0),
        ("get_partial_available_rooms", 0),
        ("get_unavailable_rooms", 0),
    ]
    for tag, value in fields:
        SubElement(ari, tag).text = str(value)
    occupancy = SubElement(SubElement(SubElement(ari, "associations"), "room_occupancies"), "room_occupancy")
    SubElement(occupancy, "adults").text = str(adults)
    SubElement(occupancy, "children").text = str(children)
    return tostring(root, encoding="utf-8", xml_declaration=True)


def booking_body(req: BookingRequest) -> dict[str, Any]:
    """The JSON body of POST /api/bookings.

    Occupancy is sent as both `adults` (the documented schema) and `adult`/`child` (what 1.6.1 reads).
    No price is sent: QloApps prices the stay itself.
    """
    rooms: list[dict[str, Any]] = []
    for i in range(req.rooms):
        room: dict[str, Any] = {"adults": req.adults, "adult": req.adults, "child": req.children, "child_ages": []}
        if req.room_ids:
            room["id_room"] = req.room_ids[i]
        rooms.append(room)
    return {
        "booking": {
            "id_property": req.hotel_id,
            "currency": req.currency.upper(),
            "booking_status": BOOKING_STATUS_NEW,
            "payment_status": PAYMENT_STATUS_AWAITING,
            "source": req.source,
            "remark": req.remark,
            "associations": {
                "customer_detail": {
                    "firstname": req.guest.firstname,
                    "lastname": req.guest.lastname,
                    "email": req.guest.email,
                    "phone": req.guest.phone,
                },
                "payment_detail": {"payment_type": req.payment_type, "payment_method": req.payment_method},
                "room_types": [
                    {
                        "id_room_type": req.room_type_id,
                        "checkin_date": req.check_in.isoformat(),
                        "checkout_date": req.check_out.isoformat(),
                        "number_of_rooms": req.rooms,
                        "rooms": rooms,
                    }
                ],
            },
        }
    }


def cancel_body(booking: Booking) -> dict[str, Any]:
    """The PUT body that cancels: QloApps wants the whole booking back (rooms included), not a status."""
    return {
        "booking": {
            "id": booking.id,
            "id_property": booking.hotel_id,
            "currency": booking.currency,
            "booking_status": BOOKING_STATUS_CANCELLED,
            "associations": {
                "customer_detail": {
                    "firstname": booking.guest_firstname,
                    "lastname": booking.guest_lastname,
                    "email": booking.guest_email,
                    "phone": booking.guest_phone,
                },
                "room_types": [
                    {
                        "id_room_type": s.room_type_id,
                        "checkin_date": s.check_in.isoformat(),
                        "checkout_date": s.check_out.isoformat(),
                        "number_of_rooms": len(s.rooms),
                        "rooms": [{"id_room": r.id, "adult": r.adults, "child": r.children} for r in s.rooms],
                    }
                    for s in booking.stays
                ],
            },
        }
    }


def to_availability(wire: WireAriResponse, adults: int, children: int) -> Availability:
    ari = wire.hotel_ari
    return Availability(
        hotel_id=ari.id_hotel,
        date_from=ari.date_from,
        date_to=ari.date_to,
        currency=ari.currency,
        adults=adults,
        children=children,
        total_rooms=ari.total_rooms,
        total_available_rooms=ari.total_available_rooms,
        room_types=tuple(
            RoomTypeRate(
                id=rt.id_room_type,
                name=rt.name,
                base_price=rt.base_price,
                base_price_with_tax=rt.base_price_with_tax,
                total_price=rt.total_price,
                total_price_with_tax=rt.total_price_with_tax,
                available_rooms=tuple(
                    sorted(
                        (
                            Room(
                                id=r.id_room,
                                room_num=r.room_num,
                                max_adults=r.max_adult,
                                max_children=r.max_children,
                                max_occupancy=r.max_occupancy,
                            )
                            for r in rt.rooms.available
                        ),
                        key=lambda r: r.id,
                    )
                ),
            )
            for rt in ari.room_types
        ),
    )


def to_booking(wire: WireBooking, order_state: int | None = None) -> Booking:
    assoc = wire.associations
    customer = assoc.customer_detail
    return Booking(
        id=wire.id,
        hotel_id=wire.id_property,
        currency=wire.currency,
        source=wire.source,
        booking_date=wire.booking_date,
        guest_email=customer.email,
        guest_firstname=customer.firstname,
        guest_lastname=customer.lastname,
        guest_phone=customer.phone,
        customer_id=customer.id_customer,
        total_paid=assoc.price_details.total_paid,
        total_without_tax=assoc.price_details.total_price_without_tax,
        total_tax=assoc.price_details.total_tax,
        stays=tuple(
            BookedStay(
                room_type_id=rt.id_room_type,
                name=rt.name,
                check_in=rt.checkin_date,
                check_out=rt.checkout_date,
                rooms=tuple(
                    BookedRoom(
                        id=r.id_room,
                        booking_line_id=r.id_hotel_booking,
                        adults=r.adults,
                        children=r.child,
                        price_without_tax=r.unit_price_without_tax,
                        tax=r.total_tax,
                    )
                    for r in rt.rooms
                ),
            )
            for rt in assoc.room_types
        ),
        order_state=order_state,
        status=status_of(order_state) if order_state is not None else None,
    )


def parse(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(empty_list_as_object(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise PmsError("upstream_invalid", f"{what}: unexpected answer at {where}: {first['msg']}") from exc


def error_from_response(resp: httpx.Response, *, create: bool = False) -> PmsError:
    """Map a non-2xx answer to a PmsError. `create`: the request was a POST that may have booked."""
    status = resp.status_code
    code: int | None = None
    message = resp.text[:200].strip() or resp.reason_phrase
    try:
        errors = WireErrors.model_validate(resp.json())
    except (ValueError, ValidationError):
        pass
    else:
        code = errors.errors[0].code
        message = "; ".join(e.message for e in errors.errors)
    if status in (401, 403):
        return PmsError("unauthorized", message, status=status, code=code)
    if status == 404:
        return PmsError("not_found", message, status=status, code=code)
    if status == 409 or (status == 400 and NOT_AVAILABLE in message.lower()):
        return PmsError("conflict", message, status=status, code=code)
    if status == 429 or status >= 500:
        return PmsError(
            "upstream_error", message, status=status, code=code, retryable=not create, outcome_unknown=create
        )
    if 400 <= status < 500:
        return PmsError("invalid_request", message, status=status, code=code)
    return PmsError("upstream_error", message, status=status, code=code)


class QloAppsClient:
    """One QloApps install, one key. Thread-safe as far as httpx.Client is; share one per tenant."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        booking_timeout: float = DEFAULT_BOOKING_TIMEOUT,
        http: httpx.Client | None = None,
    ) -> None:
        self._api = f"{base_url.rstrip('/')}/api"
        self._auth = httpx.BasicAuth(api_key, "")
        connect = min(timeout, 3.0)
        self._timeout = httpx.Timeout(timeout, connect=connect)
        self._booking_timeout = httpx.Timeout(booking_timeout, connect=connect)
        self._owns_http = http is None
        self._http = http or httpx.Client()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> QloAppsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads -----------------------------------------------------------------------------------------
    def availability(
        self,
        hotel_id: int,
        date_from: date,
        date_to: date,
        *,
        room_type_id: int | None = None,
        adults: int = 2,
        children: int = 0,
    ) -> Availability:
        if date_to <= date_from:
            raise PmsError("invalid_request", "date_to must be after date_from")
        if adults < 1 or children < 0:
            raise PmsError("invalid_request", "at least one adult and no negative children")
        body = ari_request_xml(
            hotel_id, date_from, date_to, room_type_id=room_type_id, adults=adults, children=children
        )
        data = self._call("POST", "hotel_ari", content=body, headers={"Content-Type": "application/xml"})
        return to_availability(parse(WireAriResponse, data, "hotel_ari"), adults, children)

    def hotel(self, hotel_id: int) -> Hotel:
        h = parse(WireHotelResponse, self._call("GET", f"hotels/{hotel_id}"), "hotels").hotel
        return Hotel(
            id=h.id,
            name=h.hotel_name,
            email=h.email,
            phone=h.phone,
            address=h.address,
            city=h.city,
            check_in=h.check_in,
            check_out=h.check_out,
            active=h.active,
            room_type_ids=tuple(rt.id for rt in h.associations.room_types),
        )

    def room_types(self, hotel_id: int) -> list[RoomType]:
        """The hotel's room types: occupancy from `hotel_room_types`, name and price from the products."""
        links = parse(
            WireHotelRoomTypes,
            self._call("GET", "hotel_room_types", params={"display": "full", "filter[id_hotel]": f"[{hotel_id}]"}),
            "hotel_room_types",
        ).hotel_room_types
        if not links:
            return []
        ids = "|".join(str(link.id_product) for link in links)
        products = parse(
            WireProducts,
            self._call("GET", "room_types", params={"display": "[id,name,price]", "filter[id]": f"[{ids}]"}),
            "room_types",
        ).room_types
        by_id = {p.id: p for p in products}
        result = []
        for link in sorted(links, key=lambda x: x.id_product):
            product = by_id.get(link.id_product)
            result.append(
                RoomType(
                    id=link.id_product,
                    hotel_id=link.id_hotel,
                    name=product.name if product else "",
                    adults=link.adults,
                    children=link.children,
                    max_adults=link.max_adults,
                    max_children=link.max_children,
                    max_guests=link.max_guests,
                    price=product.price if product else None,
                )
            )
        return result

    def get_booking(self, booking_id: int) -> Booking:
        wire = self._booking_detail(booking_id)
        return to_booking(wire, self._order_state(booking_id))

    def find_booking(
        self,
        email: str,
        check_in: date,
        check_out: date,
        room_type_id: int,
        *,
        hotel_id: int | None = None,
        include_cancelled: bool = False,
        scan: int = DEFAULT_FIND_SCAN,
    ) -> Booking | None:
        """The newest booking of this guest, stay and room type among the last `scan` orders, or None.

        The way to learn whether a create that failed with `outcome_unknown` booked anyway. QloApps has
        no search on bookings, so this lists the order ids and reads the newest `scan` of them, plus one
        order read per match: a bounded number of calls, each with the read timeout.
        """
        listing = parse(WireBookingIds, self._call("GET", "bookings"), "bookings").bookings
        for booking_id in sorted({b.id for b in listing}, reverse=True)[:scan]:
            try:
                wire = self._booking_detail(booking_id)
            except PmsError as exc:
                if exc.type == "not_found":
                    continue
                raise
            booking = to_booking(wire)
            if hotel_id is not None and booking.hotel_id != hotel_id:
                continue
            if not booking.matches(email, check_in, check_out, room_type_id):
                continue
            found = to_booking(wire, self._order_state(booking_id))
            if include_cancelled or not found.cancelled:
                return found
        return None

    # -- writes ----------------------------------------------------------------------------------------
    def create_booking(self, req: BookingRequest) -> Booking:
        """Book. Never retry this on failure: if `outcome_unknown`, `find_booking` first.

        The answer carries no status (QloApps keeps it on the order); it is left None rather than spend
        a second call that could fail after the booking succeeded.
        """
        data = self._call("POST", "bookings", json=booking_body(req), booking=True, create=True)
        try:
            return to_booking(parse(WireBookingResponse, data, "bookings").booking)
        except PmsError as exc:
            # A 200 we cannot read may still be a booking.
            raise PmsError(exc.type, exc.message, status=200, outcome_unknown=True) from exc

    def cancel_booking(self, booking_id: int) -> Booking:
        """Cancel; idempotent (an already cancelled or refunded booking is returned as it is), so unlike a
        create it is safe to repeat after any failure, including one after the PUT went through."""
        current = self.get_booking(booking_id)
        if current.cancelled:
            return current
        data = self._call("PUT", f"bookings/{booking_id}", json=cancel_body(current), booking=True)
        wire = parse(WireBookingResponse, data, "bookings").booking
        return to_booking(wire, self._order_state(booking_id))

    # -- transport -------------------------------------------------------------------------------------
    def _booking_detail(self, booking_id: int) -> WireBooking:
        return parse(WireBookingResponse, self._call("GET", f"bookings/{booking_id}"), "bookings").booking

    def _order_state(self, order_id: int) -> int:
        return parse(WireOrderResponse, self._call("GET", f"orders/{order_id}"), "orders").order.current_state

    def _call(
        self,
        method: str,
        resource: str,
        *,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        booking: bool = False,
        create: bool = False,
    ) -> Any:
        what = f"{method} {resource}"
        try:
            resp = self._http.request(
                method,
                f"{self._api}/{resource}",
                params={**(params or {}), "output_format": "JSON"},
                content=content,
                json=json,
                headers=headers,
                auth=self._auth,
                timeout=self._booking_timeout if booking else self._timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached QloApps: safe to repeat, even a create.
            kind: PmsErrorType = "upstream_error" if isinstance(exc, httpx.ConnectError) else "timeout"
            raise PmsError(kind, f"{what}: {type(exc).__name__}", retryable=True) from exc
        except httpx.TimeoutException as exc:
            raise PmsError(
                "timeout", f"{what}: {type(exc).__name__}", retryable=not create, outcome_unknown=create
            ) from exc
        except httpx.HTTPError as exc:
            raise PmsError(
                "upstream_error", f"{what}: {type(exc).__name__}", retryable=not create, outcome_unknown=create
            ) from exc
        if not resp.is_success:
            raise error_from_response(resp, create=create)
        try:
            return resp.json()
        except ValueError as exc:
            raise PmsError(
                "upstream_invalid",
                f"{what}: answer is not JSON ({resp.status_code})",
                status=resp.status_code,
                outcome_unknown=create,
            ) from exc
