"""The dialog with fakes: every intent, every correction path and the degraded paths."""

from __future__ import annotations

import pytest

from functions.orchestrator.ports import NO_TIME, PmsAnswer
from tests.unit.orchestrator.fakes import HARBOR, NOW, Chat, FakeNotifier, FakePms


def booked_chat() -> tuple[Chat, str]:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:2")
    chat.press("book:yes")
    ref = chat.state.booking_refs[-1] if chat.state else ""
    return chat, ref


# -- greeting, language ----------------------------------------------------------------------------------


def test_greeting_names_the_hotel_and_the_guest() -> None:
    chat = Chat()
    out = chat.say("hola")
    assert out.intent == "greeting" and out.reply is not None and out.reply.kind == "text"
    assert "Hotel Sol de Mayo" in chat.body() and "Ana" in chat.body()


def test_english_guest_is_answered_in_english_and_short_messages_keep_the_language() -> None:
    chat = Chat()
    chat.say("hello, what time is check-in?")
    assert chat.body().startswith("Check-in at Hotel Sol de Mayo is from 15:00")
    chat.say("2")  # no language evidence: stays English
    assert chat.state is not None and chat.state.lang == "en"


def test_english_hotel_without_evidence_answers_in_its_language() -> None:
    chat = Chat(hotel=HARBOR)
    chat.say("???")
    assert "Harbor View Inn" in chat.body() and "Sorry" in chat.body()


# -- booking: slot filling, list, confirmation ------------------------------------------------------------


def test_asks_only_for_what_is_missing_then_lists_rooms_with_prices() -> None:
    chat = Chat()
    assert chat.say("quiero reservar una habitación").reply is not None
    assert "¿Para qué fechas?" in chat.body()
    chat.say("del 12 al 15 de marzo")
    assert "¿Cuántas personas" in chat.body() and "3 noches" in chat.body()
    assert chat.pms.count("availability") == 0
    out = chat.say("2")
    assert out.reply is not None and out.reply.kind == "list"
    assert chat.ids() == ["room:1", "room:2", "room:3"]
    rows = {r[0]: r for r in out.reply.rows}
    assert rows["room:2"][1] == "Doble" and "360 EUR" in rows["room:2"][2] and "120 EUR" in rows["room:2"][2]
    assert chat.pms.calls[-1] == ("availability", ("2025-03-12", "2025-03-15", 2))


def test_all_slots_in_one_message_go_straight_to_the_list() -> None:
    chat = Chat()
    out = chat.say("tienen habitación del 12 al 15 de marzo para 2 personas?")
    assert out.reply is not None and out.reply.kind == "list" and chat.state is not None
    assert chat.state.stage == "choosing_room"


def test_room_choice_shows_a_summary_with_three_buttons_and_confirm_books() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    out = chat.press("room:2")
    assert chat.ids() == ["book:yes", "book:change", "book:no"]
    assert out.reply is not None and all(len(title) <= 20 for _, title in out.reply.buttons)
    assert "Doble" in chat.body() and "360 EUR" in chat.body() and "15:00" in chat.body()
    chat.press("book:yes")
    assert chat.pms.count("create_booking") == 1
    assert "#100" in chat.body() and "Reserva confirmada" in chat.body()
    (_, request) = next(c for c in chat.pms.calls if c[0] == "create_booking")
    assert (request.room_type_id, request.check_in, request.check_out, request.guests) == (
        2,
        "2025-03-12",
        "2025-03-15",
        2,
    )
    assert request.guest_name == "Ana García" and request.guest_phone == "34611111111"
    assert chat.state is not None and chat.state.stage == "idle" and chat.state.booking_refs == ["100"]


def test_typed_yes_confirms_and_a_second_confirm_is_a_stale_choice_not_a_second_booking() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:3")
    chat.say("sí")
    assert "#100" in chat.body()
    out = chat.press("book:yes")
    assert out.intent == "stale_choice"
    assert chat.pms.count("create_booking") == 1


def test_the_idempotency_key_is_fixed_by_the_summary_so_retries_name_the_same_booking() -> None:
    pms = FakePms()
    chat = Chat(pms=pms)
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:2")
    pms.down = "circuit_open"
    out = chat.press("book:yes")
    assert out.status == "degraded" and "no he hecho ninguna reserva" in chat.body()
    assert chat.ids() == ["retry", "handoff"]
    pms.down = "timeout"  # outcome unknown: honest, and pressing Confirm again is safe
    out = chat.press("retry")
    assert out.status == "degraded" and "no se duplicará" in chat.body()
    pms.down = None
    chat.press("book:yes")
    keys = {c[1].idempotency_key for c in pms.calls if c[0] == "create_booking"}
    assert len(keys) == 1 and "#100" in chat.body()


def test_typed_room_name_skips_the_list() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    out = chat.say("me quedo con la suite")
    assert out.reply is not None and out.reply.kind == "buttons" and "Suite" in chat.body()


# -- corrections --------------------------------------------------------------------------------------------


def test_correction_of_the_arrival_during_confirmation_requotes() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:2")
    out = chat.say("mejor del 13")
    assert chat.state is not None and chat.state.slots["check_in"] == "2025-03-13"
    assert chat.state.slots["check_out"] == "2025-03-15"
    assert chat.pms.calls[-1] == ("availability", ("2025-03-13", "2025-03-15", 2))
    # The chosen room is still free: straight back to a new summary.
    assert out.reply is not None and out.reply.kind == "buttons" and "2 noches" in chat.body()


def test_correction_of_the_guests_while_choosing_a_room() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.say("somos 3")
    assert chat.pms.calls[-1] == ("availability", ("2025-03-12", "2025-03-15", 3))
    assert chat.last is not None and chat.last.reply is not None and chat.last.reply.kind == "list"


def test_change_button_then_new_dates() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:1")
    chat.press("book:change")
    assert "qué quieres cambiar" in chat.body()
    chat.say("del 20 al 22 de marzo")
    assert chat.pms.calls[-1] == ("availability", ("2025-03-20", "2025-03-22", 2))


def test_abort_button_and_typed_no_forget_the_booking() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:1")
    chat.press("book:no")
    assert "no he hecho ninguna reserva" in chat.body() and chat.state is not None and chat.state.slots == {}
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.say("no")
    assert chat.state is not None and chat.state.stage == "idle"
    assert chat.pms.count("create_booking") == 0


def test_past_or_inverted_dates_are_asked_again() -> None:
    chat = Chat()
    chat.say("quiero reservar del 1 al 3 de marzo de 2025 para 2")
    assert "no me cuadran" in chat.body() and chat.pms.count("availability") == 0


def test_conflict_at_booking_lists_what_is_left() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:2")
    chat.pms.conflict_next = True
    out = chat.press("book:yes")
    assert out.reply is not None and out.reply.kind == "list" and "ya no está disponible" in chat.body()


def test_no_rooms_asks_for_other_dates() -> None:
    chat = Chat(pms=FakePms(offers=[]))
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    assert "no quedan habitaciones" in chat.body()


# -- cancel, late checkout -------------------------------------------------------------------------------


def test_cancel_by_reference_with_confirmation() -> None:
    chat, ref = booked_chat()
    fresh = Chat(pms=chat.pms)  # another day, another conversation: only the reference
    fresh.say(f"quiero cancelar la reserva #{ref}")
    assert fresh.ids() == ["cancel:yes", "cancel:no"] and "Doble" in fresh.body()
    fresh.press("cancel:yes")
    assert f"#{ref} está cancelada" in fresh.body() and chat.pms.bookings[ref]["cancelled"]


def test_cancel_without_reference_uses_the_booking_just_made_or_asks() -> None:
    chat, ref = booked_chat()
    chat.say("quiero cancelar mi reserva")
    assert chat.ids() == ["cancel:yes", "cancel:no"] and f"#{ref}" in chat.body()
    chat.press("cancel:no")
    assert "sigue en pie" in chat.body() and not chat.pms.bookings[ref]["cancelled"]
    other = Chat(pms=chat.pms)
    other.say("quiero cancelar mi reserva")
    assert "número de la reserva" in other.body()
    other.say(ref)
    assert other.ids() == ["cancel:yes", "cancel:no"]
    other.say("sí")
    assert chat.pms.bookings[ref]["cancelled"]


def test_someone_elses_booking_cannot_be_cancelled() -> None:
    chat, ref = booked_chat()
    stranger = Chat(pms=chat.pms, guest="447700900123")
    stranger.say(f"cancel booking #{ref}")
    assert "can't find a booking" in stranger.body()
    assert chat.pms.count("cancel_booking") == 0


def test_already_cancelled_booking() -> None:
    chat, ref = booked_chat()
    chat.pms.bookings[ref]["cancelled"] = True
    chat.say(f"cancelar reserva #{ref}")
    assert "ya estaba cancelada" in chat.body()


def test_late_checkout_through_the_pms() -> None:
    chat, ref = booked_chat()
    out = chat.say("puedo hacer late checkout?")
    assert out.intent == "late_checkout" and "14:00" in chat.body() and "20 EUR" in chat.body()
    assert ("late_checkout", ref) in chat.pms.calls
    chat.pms.late_granted = False
    chat.say("late checkout please")
    assert "isn't possible" in chat.body() and "Salida hasta las 14:00" in chat.body()


def test_late_checkout_asks_for_the_reference_first() -> None:
    chat, ref = booked_chat()
    other = Chat(pms=chat.pms)
    other.say("quiero un late checkout")
    assert "número de reserva" in other.body()
    other.say(f"#{ref}")
    assert "14:00" in other.body()


# -- hotel info ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hotel", "message", "expected"),
    [
        (HARBOR, "what time is check-in?", "Check-in at Harbor View Inn is from 16:00."),
        (None, "a qué hora es el check-in?", "En Hotel Sol de Mayo la entrada (check-in) es a partir de las 15:00."),
        (None, "a qué hora es la salida?", "En Hotel Sol de Mayo la salida (check-out) es hasta las 12:00."),
        (None, "cuál es el wifi", "Wifi: Red SolDeMayo."),
    ],
)
def test_hotel_info_from_the_profile(hotel: object, message: str, expected: str) -> None:
    chat = Chat(hotel=hotel) if hotel is not None else Chat()  # type: ignore[arg-type]
    out = chat.say(message)
    assert out.intent == "hotel_info" and chat.body() == expected


def test_hotel_info_not_in_the_profile_offers_a_person() -> None:
    chat = Chat()
    chat.say("tienen piscina?")
    assert "No tengo ese dato" in chat.body() and chat.ids() == ["handoff"]


def test_hotel_info_mid_booking_keeps_the_booking() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:2")
    chat.say("y el wifi?")
    assert chat.state is not None and chat.state.stage == "confirming"
    chat.press("book:yes")
    assert "#100" in chat.body()


def test_room_info_lists_the_pms_room_types() -> None:
    chat = Chat()
    out = chat.say("qué tipos de habitaciones tienen?")
    assert out.intent == "room_info" and "Individual, Doble, Suite" in chat.body()


# -- handoff, unknown ------------------------------------------------------------------------------------


def test_handoff_mails_staff_pauses_and_resumes_after_the_pause() -> None:
    chat = Chat()
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    out = chat.say("quiero hablar con una persona")
    assert out.intent == "handoff" and "ya les he avisado" in chat.body()
    ((to, subject, body),) = chat.notifier.sent
    assert to == "recepcion@sol.example" and "Hotel Sol de Mayo" in subject
    assert "+34611111111" in body and "quiero hablar con una persona" in body
    paused = chat.say("hola?")
    assert paused.reply is None and paused.status == "paused"
    chat.now = NOW + 3601
    assert chat.say("hola").intent == "greeting"


def test_handoff_without_mail_gives_the_phone_and_does_not_pause() -> None:
    chat = Chat(notifier=FakeNotifier(works=False))
    chat.press("handoff")
    assert "+34 910 000 001" in chat.body() and chat.state is not None and chat.state.paused_until == 0


def test_unknown_twice_in_a_row_offers_a_person() -> None:
    chat = Chat()
    first = chat.say("asdf qwer")
    assert first.status == "fallback" and first.reply is not None and first.reply.kind == "text"
    chat.say("zxcv")
    assert chat.ids() == ["handoff"] and "persona" in chat.body()
    chat.say("hola")
    chat.say("asdf")
    assert chat.last is not None and chat.last.reply is not None and chat.last.reply.kind == "text"


def test_goodbye() -> None:
    chat = Chat()
    assert chat.say("gracias, adiós").intent == "goodbye" and "Gracias" in chat.body()


# -- degraded ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", ["circuit_open", "timeout", "upstream_error"])
def test_pms_down_gives_an_honest_answer_with_retry_and_a_person(error: str) -> None:
    chat = Chat(pms=FakePms(down=error))
    out = chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    assert out.status == "degraded" and "no puedo consultar el sistema de reservas" in chat.body()
    assert chat.ids() == ["retry", "handoff"]
    chat.pms.down = None
    out = chat.press("retry")
    assert out.reply is not None and out.reply.kind == "list"


def test_stale_prices_are_flagged_and_never_booked() -> None:
    chat = Chat(pms=FakePms(stale=True))
    out = chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    assert out.reply is not None and out.reply.kind == "list" and "desactualizados" in chat.body()
    assert out.status == "degraded"
    chat.press("room:2")
    out = chat.press("book:yes")
    assert out.status == "degraded" and "no he hecho ninguna reserva" in chat.body()
    assert chat.pms.count("create_booking") == 0


def test_no_time_left_for_a_booking_says_to_press_confirm_again() -> None:
    pms = FakePms()
    chat = Chat(pms=pms)
    chat.say("quiero reservar del 12 al 15 de marzo para 2 personas")
    chat.press("room:2")
    pms.create_booking = lambda tenant_id, booking: PmsAnswer(error=NO_TIME)  # type: ignore[method-assign]
    out = chat.press("book:yes")
    assert out.status == "degraded" and "Confirmar" in chat.body()
    assert chat.state is not None and chat.state.stage == "confirming"


def test_cancel_with_the_pms_down() -> None:
    chat, ref = booked_chat()
    chat.pms.down = "circuit_open"
    out = chat.say(f"cancelar reserva #{ref}")
    assert out.status == "degraded" and chat.ids() == ["retry", "handoff"]
    chat.pms.down = None
    chat.press("retry")
    assert chat.ids() == ["cancel:yes", "cancel:no"]


# -- non-text messages, stale buttons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("audio", "No puedo escuchar audios"),
        ("media", "solo puedo leer texto"),
        ("location", "Calle Mayor 25, Madrid"),
        ("reaction", "¿Te ayudo con algo más?"),
        ("unsupported", "Solo puedo leer mensajes de texto"),
    ],
)
def test_non_text_messages_get_a_sensible_answer(kind: str, expected: str) -> None:
    chat = Chat()
    chat.turn({"kind": kind})
    assert expected in chat.body()


def test_a_removed_reaction_is_not_answered() -> None:
    out = Chat().turn({"kind": "reaction_removed"})
    assert out.reply is None and out.status == "ignored"


@pytest.mark.parametrize("choice", ["book:yes", "room:2", "cancel:yes", "retry", "nonsense"])
def test_buttons_of_a_finished_flow_are_stale(choice: str) -> None:
    chat = Chat()
    assert chat.press(choice).intent == "stale_choice" and "ya no está vigente" in chat.body()
