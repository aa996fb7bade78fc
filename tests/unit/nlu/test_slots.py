from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from functions.orchestrator.nlu import understand

MONDAY = dt.date(2025, 3, 10)


def slots(text: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("today", MONDAY)
    return understand(text, **kwargs).slots


@pytest.mark.parametrize(
    ("text", "check_in", "check_out"),
    [
        ("del 12 al 15 de diciembre", "2025-12-12", "2025-12-15"),
        ("del 28 de diciembre al 2 de enero", "2025-12-28", "2026-01-02"),
        ("del 28 al 2 de enero", "2025-12-28", "2026-01-02"),
        ("from december 12 to 15", "2025-12-12", "2025-12-15"),
        ("Dec 27-30", "2025-12-27", "2025-12-30"),
        ("20/12 al 23/12", "2025-12-20", "2025-12-23"),
        ("from the 4th to the 7th of May", "2025-05-04", "2025-05-07"),
        ("este finde", "2025-03-14", "2025-03-16"),
        ("this weekend", "2025-03-14", "2025-03-16"),
        ("next weekend", "2025-03-14", "2025-03-16"),
        ("llego mañana, 3 noches", "2025-03-11", "2025-03-14"),
        ("2 nights from the 20th", "2025-03-20", "2025-03-22"),
        ("del 12 al 15", "2025-03-12", "2025-03-15"),
        ("2025-04-01 to 2025-04-03", "2025-04-01", "2025-04-03"),
        ("entramos el 30 y salimos el 2", "2025-03-30", "2025-04-02"),
    ],
)
def test_ranges(text: str, check_in: str, check_out: str) -> None:
    assert {k: v for k, v in slots(text).items() if k.startswith("check")} == {
        "check_in": check_in,
        "check_out": check_out,
    }


@pytest.mark.parametrize(
    ("text", "check_in"),
    [
        ("mañana", "2025-03-11"),
        ("manana", "2025-03-11"),
        ("tomorrow", "2025-03-11"),
        ("tmrw", "2025-03-11"),
        ("pasado mañana", "2025-03-12"),
        ("hoy", "2025-03-10"),
        ("tonight", "2025-03-10"),
        ("20/12", "2025-12-20"),
        ("12 de diciembre", "2025-12-12"),
        ("12 de dicimbre", "2025-12-12"),
        ("el viernes", "2025-03-14"),
        ("next friday", "2025-03-14"),
        ("el 13", "2025-03-13"),
        ("el 5", "2025-04-05"),
        ("en 3 días", "2025-03-13"),
        ("in two weeks", "2025-03-24"),
        ("1 de marzo", "2026-03-01"),
        ("5/3", "2026-03-05"),
        ("12/20", "2025-12-20"),
    ],
)
def test_single_dates(text: str, check_in: str) -> None:
    assert slots(text)["check_in"] == check_in


def test_the_morning_is_not_tomorrow() -> None:
    assert "check_in" not in slots("a qué hora es el desayuno por la mañana?")


def test_times_and_counts_are_not_dates() -> None:
    found = slots("podemos quedarnos hasta las 14:30? somos 2 personas")
    assert "check_in" not in found and "check_out" not in found


def test_weekend_on_saturday_and_sunday() -> None:
    saturday, sunday = dt.date(2025, 3, 15), dt.date(2025, 3, 16)
    assert slots("este finde", today=saturday) == {"check_in": "2025-03-15", "check_out": "2025-03-16"}
    assert slots("este finde", today=sunday) == {"check_in": "2025-03-21", "check_out": "2025-03-23"}
    assert slots("el finde que viene", today=saturday) == {"check_in": "2025-03-21", "check_out": "2025-03-23"}


def test_past_date_rolls_to_next_year() -> None:
    assert slots("20/12", today=dt.date(2025, 12, 25))["check_in"] == "2026-12-20"
    assert slots("del 2 al 4 de enero", today=dt.date(2025, 12, 25)) == {
        "check_in": "2026-01-02",
        "check_out": "2026-01-04",
    }


def test_ordinal_with_month_and_year() -> None:
    assert slots("1st of jan 2026")["check_in"] == "2026-01-01"


CONTEXT = {"check_in": "2025-12-12", "check_out": "2025-12-15", "guests": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mejor del 13", {"check_in": "2025-12-13"}),
        ("better the 13th", {"check_in": "2025-12-13"}),
        ("mejor hasta el 16", {"check_out": "2025-12-16"}),
        ("mejor del 13 al 16", {"check_in": "2025-12-13", "check_out": "2025-12-16"}),
        ("mejor 4 noches", {"check_out": "2025-12-16"}),
    ],
)
def test_corrections_resolve_against_context(text: str, expected: dict[str, str]) -> None:
    found = slots(text, context=CONTEXT)
    assert {k: v for k, v in found.items() if k.startswith("check")} == expected


def test_context_accepts_dates() -> None:
    assert slots("mejor del 13", context={"check_in": dt.date(2025, 12, 12)})["check_in"] == "2025-12-13"


@pytest.mark.parametrize(
    ("text", "guests"),
    [
        ("para 2", 2),
        ("somos 3 adultos", 3),
        ("2 adultos y 1 niño", 3),
        ("2 adults + 2 kids", 4),
        ("two people", 2),
        ("para mi y mi esposa", 2),
        ("me and my wife", 2),
        ("con mi esposa y mis 2 hijos", 4),
        ("somos una pareja", 2),
        ("just me", 1),
        ("for 4 guests", 4),
        ("party of five", 5),
        ("there are 3 of us", 3),
    ],
)
def test_guests(text: str, guests: int) -> None:
    assert slots(text)["guests"] == guests


@pytest.mark.parametrize(
    "text", ["para el 2 de diciembre", "para 3 noches", "reserva 12345", "quiero hablar con una persona", "a las 2"]
)
def test_not_guests(text: str) -> None:
    assert "guests" not in slots(text)


def test_dates_and_guests_together() -> None:
    assert slots("tienen lugar del 12 al 15 de diciembre para 2?") == {
        "check_in": "2025-12-12",
        "check_out": "2025-12-15",
        "guests": 2,
    }


PMS_ROOMS = ["Deluxe Rooms", "Executive Rooms", "Luxury Rooms", "Standard Rooms", "Junior Suite"]


@pytest.mark.parametrize(
    ("text", "room_type"),
    [
        ("la deluxe", "Deluxe Rooms"),
        ("la delux", "Deluxe Rooms"),
        ("la executvie", "Executive Rooms"),
        ("una estandar", "Standard Rooms"),
        ("la suite", "Junior Suite"),
        ("luxury room please", "Luxury Rooms"),
    ],
)
def test_room_type_against_pms_names(text: str, room_type: str) -> None:
    assert slots(text, room_types=PMS_ROOMS)["room_type"] == room_type


def test_room_type_across_languages() -> None:
    assert slots("la doble", room_types=["Double Room", "Single Room"])["room_type"] == "Double Room"


@pytest.mark.parametrize(
    ("text", "room_type"),
    [
        ("cuánto sale la suite?", "suite"),
        ("habitación doble", "double"),
        ("a twin room", "twin"),
        ("la familiar", "family"),
        ("una sencilla", "single"),
        ("matrimonial", "double"),
    ],
)
def test_room_type_generic(text: str, room_type: str) -> None:
    assert slots(text)["room_type"] == room_type


def test_ambiguous_pms_match_falls_back_to_generic() -> None:
    assert slots("la doble", room_types=["Double Deluxe", "Double Standard"])["room_type"] == "double"


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("#12345", "12345"),
        ("cancelar reserva 12345", "12345"),
        ("booking ref ABC123", "ABC123"),
        ("order 42", "42"),
        ("mi reserva es la 55123", "55123"),
        ("reserva nro 7788", "7788"),
        ("cancel QX4471 please", "QX4471"),
        ("localizador: HX72K", "HX72K"),
    ],
)
def test_booking_ref(text: str, ref: str) -> None:
    assert slots(text)["booking_ref"] == ref


@pytest.mark.parametrize("text", ["reserva para 2", "del 12 al 15", "tonight at 11pm", "2 adults", "el 13th"])
def test_no_booking_ref(text: str) -> None:
    assert "booking_ref" not in slots(text)


def test_booking_ref_number_is_not_a_date_or_guest_count() -> None:
    assert slots("cancelar reserva 1215") == {"booking_ref": "1215"}


def test_weekday_before_a_date_is_not_a_second_date() -> None:
    assert slots("llegamos el sábado 14 de junio") == {"check_in": "2025-06-14"}
    assert slots("arrive on Thursday, March 13") == {"check_in": "2025-03-13"}


def test_importing_does_not_load_dateparser() -> None:
    import subprocess
    import sys

    code = "import sys, functions.orchestrator.nlu as n; n.understand('del 12 al 15 para 2'); " \
        "print('dateparser' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert run.stdout.strip() == "False"
