"""English catalogue (keys and placeholders identical to es.py)."""

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MESSAGES: dict[str, str] = {
    "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    "date_format": "{weekday}, {month} {day}, {year}",
    "nights_one": "1 night",
    "nights_many": "{n} nights",
    "guests_one": "1 guest",
    "guests_many": "{n} guests",
    # greeting and menu
    "greeting": (
        "Hi{name}! I'm the assistant of {hotel}. I can check availability and prices, make or cancel a "
        "booking, request a late check-out, answer questions about the hotel or put you through to someone "
        "on the team. How can I help?"
    ),
    "menu": (
        "I can help with: availability and prices, bookings, cancellations, late check-out, questions about "
        "{hotel} (times, address, wifi, parking, breakfast, pets) or putting you through to a person."
    ),
    "goodbye": "Thanks for writing! We're here whenever you need us. Best wishes from {hotel}.",
    # slot filling
    "ask_dates": 'Sure! For which dates? For example: "from December 12 to 15".',
    "ask_check_out": "Arriving {check_in}. Until which day would you stay (or how many nights)?",
    "ask_guests": "From {check_in} to {check_out} ({nights}). How many guests?",
    "bad_dates": "Those dates don't work (check-out must be after check-in and not in the past). "
    'Could you give them again? For example: "from December 12 to 15".',
    "bad_guests": "I can book for 1 to {max} guests per request. How many guests?",
    # rooms
    "rooms_body": "Availability at {hotel} from {check_in} to {check_out} ({nights}, {guests}). "
    "Pick a room to see the summary:",
    "rooms_stale": "⚠️ These are the last prices I know and may be outdated: I can't confirm bookings right now.",
    "room_row": "{total} total · {per_night}/night",
    "list_button": "See rooms",
    "list_section": "Rooms",
    "no_rooms": "Sorry, there are no rooms left for {guests} from {check_in} to {check_out}. Shall we try other dates?",
    "room_unavailable": "The {room} is no longer available for those dates. These are:",
    # confirmation
    "confirm_body": "Your booking at {hotel}:\n• {room}\n• Check-in: {check_in} (from {check_in_time})\n"
    "• Check-out: {check_out} (until {check_out_time})\n• {nights}, {guests}\n• Total: {total}\n"
    "In the name of {name}, pay at the hotel. Shall I confirm it?",
    "btn_confirm": "Confirm",
    "btn_change": "Change something",
    "btn_abort": "No, thanks",
    "booked": "Booking confirmed! Your booking number is #{ref}.\n{room}, {check_in} to {check_out}, "
    'total {total}. See you at {hotel} from {check_in_time}. To cancel it, write "cancel booking #{ref}".',
    "booking_conflict": "Oh no, the {room} has just been taken for those dates. No booking was made. "
    "Want to see other options? Tell me the dates again.",
    "booking_rejected": "The booking system did not accept the booking and nothing was charged. "
    "Shall I put you through to someone on the team?",
    "change_prompt": 'Sure, what would you like to change? Tell me other dates (e.g. "from the 13th '
    'instead"), the number of guests or the room type.',
    "booking_aborted": "No problem, I haven't booked anything. Anything else I can help with?",
    # cancel
    "cancel_ask_ref": "What is the number of the booking you want to cancel? (for example #1234)",
    "cancel_confirm": "Booking #{ref}: {room}, {check_in} to {check_out}. Are you sure you want to cancel it?",
    "btn_cancel_yes": "Yes, cancel",
    "btn_keep": "No, keep it",
    "cancelled": "Done: booking #{ref} is cancelled. Anything else I can help with?",
    "cancel_kept": "Great, booking #{ref} stays as it is.",
    "booking_not_found": "I can't find a booking #{ref} in your name. Could you check the number?",
    "already_cancelled": "Booking #{ref} was already cancelled.",
    # late checkout
    "late_ask_ref": "To request a late check-out I need your booking number (for example #1234).",
    "late_granted": "Good news: a later check-out is available for booking #{ref}, until {time}{fee}. "
    "Please confirm it at the front desk. {policy}",
    "late_fee": " (fee: {fee})",
    "late_denied": "Sorry, a later check-out isn't possible for booking #{ref}. {policy}",
    "late_policy": "{hotel}'s policy: {policy}.",
    # hotel info
    "info_check_in_time": "Check-in at {hotel} is from {value}.",
    "info_check_out_time": "Check-out at {hotel} is until {value}.",
    "info_address": "We're at {value}.",
    "info_phone": "You can call {hotel} at {value}.",
    "info_wifi": "Wifi: {value}.",
    "info_parking": "Parking: {value}.",
    "info_pets": "Pets: {value}.",
    "info_breakfast": "Breakfast: {value}.",
    "info_late_checkout": "Late check-out: {value}.",
    "info_general": "{hotel}: {address}. Check-in from {check_in_time}, check-out until {check_out_time}. "
    "Phone: {phone}.",
    "info_missing": "I don't have that information about {hotel}. Shall I put you through to someone on the team?",
    "room_info": "These are the rooms at {hotel}: {rooms}. Tell me dates and guests and I'll show you prices.",
    "room_info_generic": "Tell me your dates and number of guests and I'll show you the free rooms and prices.",
    # handoff
    "handoff_done": "I'm putting you in touch with the team at {hotel}: they've been told and will write or "
    "call you shortly. Meanwhile the assistant is paused.",
    "handoff_unreachable": "I couldn't reach the team right now. You can call {hotel} at {phone}.",
    "btn_human": "Talk to a person",
    "btn_retry": "Try again",
    # fallback
    "fallback": "Sorry, I didn't understand. I can check availability, book, cancel, request a late check-out or "
    "answer questions about {hotel}. Could you put it another way?",
    "fallback_human": "Sorry, I still don't understand. Shall I put you through to someone on the team at {hotel}?",
    "stale_choice": "That option has expired. How can I help?",
    # degraded
    "pms_down": "I can't reach {hotel}'s booking system right now. You can try again in a few minutes or talk "
    "to someone on the team.",
    "pms_down_booking": "{hotel}'s booking system isn't answering right now, so no booking was made. You can "
    "try again in a few minutes or talk to someone on the team.",
    "pms_slow_booking": "The booking system is slow and I couldn't finish. Don't worry: press \"Confirm\" "
    "again in a moment and the booking won't be duplicated.",
    # non-text messages
    "audio": "I can't listen to voice messages. Could you write it, please?",
    "media": "I got your file, but I can only read text. Could you tell me in writing what you need?",
    "location": "Thanks for your location! {hotel} is at {address}.",
    "reaction": "😊 Anything else I can help with?",
    "unsupported": "I can only read text messages. Could you write what you need?",
    # e-mail to staff
    "mail_subject": "[{hotel}] A guest asks to talk to a person",
    "mail_body": "A guest asked to talk to a person on WhatsApp.\n\nName: {name}\nPhone: +{phone}\n"
    "Last message: {message}\nConversation: {summary}\n\nThe assistant is paused for this conversation until "
    "{until} (UTC) or until it is resumed by an administrator.",
}
