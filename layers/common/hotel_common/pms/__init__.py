"""The PMS adapter: a client of the QloApps 1.6.1 webservice, its models and its one error type."""

from hotel_common.pms.errors import PmsError, PmsErrorType
from hotel_common.pms.models import (
    Availability,
    BookedRoom,
    BookedStay,
    Booking,
    BookingRequest,
    BookingStatus,
    Guest,
    Hotel,
    Room,
    RoomType,
    RoomTypeRate,
)
from hotel_common.pms.qloapps import QloAppsClient

__all__ = [
    "Availability",
    "BookedRoom",
    "BookedStay",
    "Booking",
    "BookingRequest",
    "BookingStatus",
    "Guest",
    "Hotel",
    "PmsError",
    "PmsErrorType",
    "QloAppsClient",
    "Room",
    "RoomType",
    "RoomTypeRate",
]
