"""Spanish catalogue (keys and placeholders identical to en.py)."""

MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")

MESSAGES: dict[str, str] = {
    "weekdays": "lun mar mié jue vie sáb dom",
    "date_format": "{weekday} {day} {month} {year}",
    "nights_one": "1 noche",
    "nights_many": "{n} noches",
    "guests_one": "1 persona",
    "guests_many": "{n} personas",
    # greeting and menu
    "greeting": (
        "¡Hola{name}! Soy el asistente de {hotel}. Puedo consultar disponibilidad y precios, hacer o cancelar "
        "una reserva, pedir un late check-out, responder preguntas sobre el hotel o ponerte con una persona "
        "del equipo. ¿En qué te ayudo?"
    ),
    "menu": (
        "Puedo ayudarte con: disponibilidad y precios, reservas, cancelaciones, late check-out, preguntas sobre "
        "{hotel} (horarios, dirección, wifi, parking, desayuno, mascotas) o pasarte con una persona."
    ),
    "goodbye": "¡Gracias por escribirnos! Aquí estamos para lo que necesites. Un saludo de {hotel}.",
    # slot filling
    "ask_dates": "¡Claro! ¿Para qué fechas? Por ejemplo: «del 12 al 15 de diciembre».",
    "ask_check_out": "Entrada el {check_in}. ¿Hasta qué día te quedarías (o cuántas noches)?",
    "ask_guests": "Del {check_in} al {check_out} ({nights}). ¿Cuántas personas sois?",
    "bad_dates": "Esas fechas no me cuadran (la salida debe ser después de la entrada y no en el pasado). "
    "¿Me las dices de nuevo? Por ejemplo: «del 12 al 15 de diciembre».",
    "bad_guests": "Puedo reservar para 1 a {max} personas por mensaje. ¿Cuántas personas sois?",
    # rooms
    "rooms_body": "Disponibilidad en {hotel} del {check_in} al {check_out} ({nights}, {guests}). "
    "Elige una habitación para ver el resumen:",
    "rooms_stale": "⚠️ Son los últimos precios que conozco y pueden estar desactualizados: "
    "ahora mismo no puedo confirmar reservas.",
    "room_row": "{total} en total · {per_night}/noche",
    "list_button": "Ver habitaciones",
    "list_section": "Habitaciones",
    "no_rooms": "Lo siento, no quedan habitaciones para {guests} del {check_in} al {check_out}. "
    "¿Probamos con otras fechas?",
    "room_unavailable": "La habitación {room} ya no está disponible para esas fechas. Estas sí lo están:",
    # confirmation
    "confirm_body": "Resumen de tu reserva en {hotel}:\n• {room}\n• Entrada: {check_in} (desde las {check_in_time})\n"
    "• Salida: {check_out} (hasta las {check_out_time})\n• {nights}, {guests}\n• Total: {total}\n"
    "A nombre de {name}, pago en el hotel. ¿La confirmo?",
    "btn_confirm": "Confirmar",
    "btn_change": "Cambiar algo",
    "btn_abort": "No, gracias",
    "booked": "¡Reserva confirmada! Tu número de reserva es #{ref}.\n{room}, del {check_in} al {check_out}, "
    "total {total}. Te esperamos en {hotel} a partir de las {check_in_time}. Para cancelarla, escribe "
    "«cancelar reserva #{ref}».",
    "booking_conflict": "Vaya, la habitación {room} se acaba de ocupar para esas fechas. No se ha hecho "
    "ninguna reserva. ¿Quieres ver otras opciones? Dime las fechas de nuevo.",
    "booking_rejected": "El sistema de reservas no ha aceptado la reserva y no se ha hecho ningún cargo. "
    "¿Quieres que te pase con una persona del equipo?",
    "change_prompt": "Claro, ¿qué quieres cambiar? Dime otras fechas (p. ej. «mejor del 13»), el número de "
    "personas o el tipo de habitación.",
    "booking_aborted": "Sin problema, no he hecho ninguna reserva. ¿Te ayudo con algo más?",
    # cancel
    "cancel_ask_ref": "¿Cuál es el número de la reserva que quieres cancelar? (por ejemplo #1234)",
    "cancel_confirm": "Reserva #{ref}: {room}, del {check_in} al {check_out}. ¿Seguro que quieres cancelarla?",
    "btn_cancel_yes": "Sí, cancelar",
    "btn_keep": "No, mantenerla",
    "cancelled": "Hecho: la reserva #{ref} está cancelada. ¿Te ayudo con algo más?",
    "cancel_kept": "Perfecto, la reserva #{ref} sigue en pie.",
    "booking_not_found": "No encuentro ninguna reserva #{ref} a tu nombre. ¿Puedes revisar el número?",
    "already_cancelled": "La reserva #{ref} ya estaba cancelada.",
    # late checkout
    "late_ask_ref": "Para pedir el late check-out necesito tu número de reserva (por ejemplo #1234).",
    "late_granted": "Buenas noticias: para la reserva #{ref} hay disponibilidad para salir más tarde, hasta las "
    "{time}{fee}. Confírmalo en recepción. {policy}",
    "late_fee": " (suplemento: {fee})",
    "late_denied": "Lo siento, no es posible ampliar la salida de la reserva #{ref}. {policy}",
    "late_policy": "Condiciones de {hotel}: {policy}.",
    # hotel info
    "info_check_in_time": "En {hotel} la entrada (check-in) es a partir de las {value}.",
    "info_check_out_time": "En {hotel} la salida (check-out) es hasta las {value}.",
    "info_address": "Estamos en {value}.",
    "info_phone": "Puedes llamar a {hotel} al {value}.",
    "info_wifi": "Wifi: {value}.",
    "info_parking": "Parking: {value}.",
    "info_pets": "Mascotas: {value}.",
    "info_breakfast": "Desayuno: {value}.",
    "info_late_checkout": "Late check-out: {value}.",
    "info_general": "{hotel}: {address}. Entrada desde las {check_in_time}, salida hasta las {check_out_time}. "
    "Teléfono: {phone}.",
    "info_missing": "No tengo ese dato de {hotel}. ¿Quieres que te pase con una persona del equipo?",
    "room_info": "Estas son las habitaciones de {hotel}: {rooms}. Dime fechas y personas y te paso precios.",
    "room_info_generic": "Dime fechas y número de personas y te enseño las habitaciones libres con sus precios.",
    # handoff
    "handoff_done": "Te pongo en contacto con el equipo de {hotel}: ya les he avisado y te escribirán o "
    "llamarán en breve. Mientras tanto, el asistente queda en pausa.",
    "handoff_unreachable": "No he podido avisar al equipo ahora mismo. Puedes llamar a {hotel} al {phone}.",
    "btn_human": "Hablar con persona",
    "btn_retry": "Reintentar",
    # fallback
    "fallback": "Perdona, no te he entendido. Puedo mirar disponibilidad, reservar, cancelar, pedir un late "
    "check-out o responder preguntas sobre {hotel}. ¿Me lo dices de otra forma?",
    "fallback_human": "Sigo sin entenderte, perdona. ¿Quieres que te pase con una persona del equipo de {hotel}?",
    "stale_choice": "Esa opción ya no está vigente. ¿En qué te ayudo?",
    # degraded
    "pms_down": "Ahora mismo no puedo consultar el sistema de reservas de {hotel}. Puedes reintentarlo en unos "
    "minutos o hablar con una persona del equipo.",
    "pms_down_booking": "Ahora mismo el sistema de reservas de {hotel} no responde, así que no he hecho "
    "ninguna reserva. Puedes reintentarlo en unos minutos o hablar con una persona del equipo.",
    "pms_slow_booking": "El sistema de reservas va lento y no he podido terminar. No te preocupes: pulsa "
    "«Confirmar» de nuevo en un momento y no se duplicará la reserva.",
    # non-text messages
    "audio": "No puedo escuchar audios. ¿Me lo escribes, por favor?",
    "media": "He recibido tu archivo, pero solo puedo leer texto. ¿Me cuentas por escrito qué necesitas?",
    "location": "¡Gracias por tu ubicación! {hotel} está en {address}.",
    "reaction": "😊 ¿Te ayudo con algo más?",
    "unsupported": "Solo puedo leer mensajes de texto. ¿Me escribes qué necesitas?",
    # e-mail to staff
    "mail_subject": "[{hotel}] Un huésped pide hablar con una persona",
    "mail_body": "Un huésped ha pedido hablar con una persona por WhatsApp.\n\nNombre: {name}\n"
    "Teléfono: +{phone}\nÚltimo mensaje: {message}\nConversación: {summary}\n\nEl asistente queda en pausa "
    "para esta conversación hasta {until} (UTC) o hasta que se reanude desde administración.",
}
