"""The lexicon: weighted patterns per intent and per hotel_info topic, in both languages at once.

Patterns run on the canonical text (see text.canonical): lowercase, no accents, abbreviations expanded,
typos snapped to words that appear here, "check in" glued to "checkin". Spanish and English patterns
share one table because guests mix languages ("hola, late checkout?") and the table is small.

Weights: 3 = the phrase alone decides the intent, 2 = strong evidence, 1 = a hint that only wins when
nothing stronger is present. Conflicts between intents are settled by the priority rules in intents.py,
not by fiddling with weights.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Pattern = tuple[re.Pattern[str], float]

_ROOM = (
    r"(?:(?:twin|single|triple|deluxe|standard|superior|family|double) rooms?|habitacion(?:es)?|suites?|rooms?|"
    r"doble|double|family|familiar|twin|single|sencilla|individual|triple|matrimonial|deluxe)"
)
_PERSON = (
    r"(?:persona(?: real)?|humano|ser humano|alguien|agente|operador\w*|asesor\w*|recepcion\w*|encargad\w*|gerente|"
    r"representante|empleado|personal|human|person|someone|somebody|agent|representative|rep|manager|staff|"
    r"receptionist|front desk|real person|operator|reception)"
)
_TIME_Q = (
    r"(?:a que hora|que hora|hora|horario|horarios|hasta que hora|desde que hora|a partir de que hora|"
    r"what time|which time|when|cuando|time|times|hours|earliest|latest|early|temprano|tardar)"
)

INTENT_PATTERNS: dict[str, list[tuple[str, float]]] = {
    "greeting": [
        (r"hola|holi|holis|ola|alo|buenas(?! noches)|buen dia|buenos dias|buenas tardes|saludos|que tal|que onda|"
         r"que hubo|quiubo|hey|hi|hello|hiya|howdy|greetings|good morning|good afternoon|good evening|morning|"
         r"sup|what is up|como estas|como andan|como va|como estan", 1.0),
        (r"buenas noches", 0.8),
    ],
    "goodbye": [
        (r"chau|chao|adios|bye|goodbye|bye bye|hasta luego|hasta pronto|hasta la proxima|nos vemos|see you|"
         r"see you later|cya|take care|later|que tengas? (?:un )?buen dia|que tengan (?:un )?buen dia|"
         r"have a (?:good|nice|great|lovely) (?:day|night|one|evening|weekend)|good night", 2.0),
        (r"gracias|muchas gracias|mil gracias|thanks|thank you|thank|cheers|eso es todo|es todo|nada mas|"
         r"that is all|nothing else|no gracias|no thanks|muy amable|agradezco", 1.5),
        (r"perfecto|genial|listo|excelente|great|awesome|perfect|ok|okay|dale|buenisimo|vale", 0.3),
    ],
    "handoff": [
        (rf"(?:hablar|habla|hable|conversar|comunicar\w*|contactar|chatear|atienda|atender|pasar|pasame|pasas|"
         rf"pasan|pasen|talk|speak|chat|connect|transfer|put me through|get me|want|need|quiero|necesito)"
         rf"(?: \w+){{0,3}} (?:con |to |with |a |an |the |un |una |el |la |alguien )?{_PERSON}", 3.0),
        (r"persona real|ser humano|humano|atencion al cliente|servicio al cliente|real person|human being|"
         r"live agent|customer service|customer support|operator|agente|asesor|human|humans|representative|"
         r"representante", 3.0),
        (r"(?:que )?(?:me )?(?:llame|llamen|llamarme|contacte|contacten|contactarme)|call me|"
         r"have someone call|someone call", 3.0),
        (r"me (?:pasas|pasan|comunicas|comunican|derivas|derivan|transfieres|transferis) con|transfer me|"
         r"connect me", 3.0),
        (r"(?:eres|sos|es|are you|is this) (?:un |una |a )?(?:bot|robot|maquina|machine)", 2.5),
        (r"queja|quejarme|reclamo|reclamar|complaint|complain|urgente|urgent|emergencia|emergency", 3.0),
        (r"no (?:me )?(?:entiendes|entendes|entiende|entendiste)|do not understand|useless|inutil", 2.0),
    ],
    "cancel": [
        (r"cancel\w*|anular\w*|anulo|anula|anulen|dar de baja|call off|deshacer|eliminar (?:mi|la) reserva|"
         r"borrar (?:mi|la) reserva", 3.0),
        (r"no (?:vamos|voy|podemos|podre|podremos|podemos) (?:a )?(?:poder )?(?:ir|viajar|llegar)|"
         r"(?:can not|cannot|will not) make it|ya no (?:vamos|voy|viajamos|necesito|necesitamos)", 2.5),
        (r"reembolso|refund", 1.0),
    ],
    "late_checkout": [
        (r"late checkout|checkout tardio|checkout tarde|salida tardia|salida tarde|later checkout|"
         r"checkout (?:mas )?tarde|checkout later|late salida", 4.0),
        (r"(?:salir|irnos|irme|irnos|ir|quedarnos|quedarme|quedar|dejar (?:la|el) (?:habitacion|suite|room)|"
         r"entregar (?:la|el) (?:habitacion|llave)|desalojar|checkout|salida|leave|stay|check out|keep the room|"
         r"keep (?:our|my) room)(?: \w+){0,4} (?:mas tarde|tarde|later|longer|mas tiempo|"
         r"hasta (?:las )?\d+|until \d+|till \d+|until|till)", 4.0),
        (r"(?:extender|extend|alargar|retrasar|delay)(?: \w+){0,2} (?:checkout|salida|check out)", 4.0),
        (r"(?:checkout|salida|salir) (?:a las|at) \d+", 3.0),
    ],
    "availability": [
        (r"disponib\w*|available|availability|vacanc\w*|vacante", 3.0),
        (rf"(?:tienen|tenes|tienes|tendran|tendrian|tendras|hay|habra|habria|queda|quedan|les queda|"
         rf"cuentan con) (?:algun |alguna |algo de |un |una )?(?:lugar|lugares|cupo|cupos|{_ROOM}|libre|"
         rf"espacio|algo)", 2.5),
        (rf"(?:do|does) you (?:guys )?have (?:any |a |an )?(?:{_ROOM}|vacancy|space|availability|something|"
         rf"anything)|(?:got|you got|have you got) (?:any |a )?(?:{_ROOM}|space)|any {_ROOM}|"
         rf"{_ROOM} (?:available|free|left|open)|is there (?:a |any )?(?:{_ROOM}|space|anything)|"
         rf"anything (?:open|left|free)|(?:a |any )?{_ROOM} free", 2.5),
        (r"libres?|hay lugar|lugar para|cupo|space for|room for", 1.5),
        (rf"(?:looking for|busco|buscamos|buscando|estoy buscando|need|necesito|necesitamos) (?:una |un |a |an )?"
         rf"{_ROOM}", 2.0),
    ],
    "room_info": [
        (r"precio\w*|cuanto (?:cuesta|sale|vale|cobran|cobras|es|esta|seria|saldria|costaria|salen|cuestan)|"
         r"costo\w*|tarifa\w*|how much|price\w*|rates?|cost\w*|valor|per night|por noche", 2.0),
        (rf"(?:que|cuales|what|which) (?:tipos?|clases?|kinds?|types?|sort) (?:de |of )?{_ROOM}|"
         rf"(?:tipos?|types?|clases?) (?:de |of )?{_ROOM}|{_ROOM} types?|"
         rf"(?:que|cuales|what|which) {_ROOM} (?:tienen|hay|ofrecen|manejan|do you have|have you got)", 3.0),
        (r"amenities|comodidades|equipad\w*|balcon\w*|vista|jacuzzi|banera|tina|aire acondicionado|aire|"
         r"calefaccion|tv|television|tele|minibar|frigobar|caja fuerte|cocina|kitchenette|cafetera|secador|"
         r"microondas|heladera|refrigerador|fridge|bathtub|balcony|view|air conditioning|ac|heating|safe|"
         r"kettle|hair dryer|microwave|cama king|king|queen|sofa cama|bed|beds|camas?|ducha|shower|"
         r"bano privado|private bathroom", 2.0),
        (r"(?:cuantas personas|cuantos|how many (?:people|guests|persons)) (?:caben|entran|duermen|fit|sleep|"
         r"can stay)|capacidad|capacity|metros|m2|square|tamano|size|how big|que tan grande|que trae|"
         r"que incluye|what is included|what comes with|come with|includes?", 2.0),
        (rf"{_ROOM} (?:con|with) (?!(?:\d+|dos|two|tres|three) )", 2.5),
        (rf"(?:fotos?|photos?|pictures?|pics?|descripcion|describe|details|detalles) (?:de |of )?(?:la |the )?"
         rf"{_ROOM}", 2.5),
    ],
    "booking": [
        (r"reservar|reservo|reservame|reservamos|reservemos|reservala|reservalo|reservarla|reservarlo|"
         r"reservenme|reservarme|reservarnos|reserve|book|apartar|apartame|apartenme|separar|agendar", 3.0),
        # A booking noun after a possessive is an existing booking, not a wish to book.
        (r"(?<!my )(?<!our )(?<!the )(?<!mi )(?<!la )(?<!nuestra )(?<!tengo una )(?:booking|reservation)", 2.0),
        (r"hacer (?:una|la) reserva\w*|make a (?:reservation|booking)|quiero (?:una|la) reserva|"
         r"(?<!mi )(?<!la )(?<!tengo una )reserva (?:para|por|de una|de un|for)|looking to book", 3.5),
        (r"me la quedo|me lo quedo|nos la quedamos|nos lo quedamos|la tomo|la tomamos|i will take|"
         r"we will take|take it|go ahead|confirmo|confirmamos|confirm|lock it in|sign me up|lets do it|"
         r"(?:si|dale|ok) reserva", 3.0),
        (rf"(?:quiero|quisiera|queremos|quisieramos|necesito|necesitamos|i want|i would like|we would like|"
         rf"i need|we need|we want) (?:una |la |el |a |an |the )?{_ROOM}", 2.0),
        (rf"(?:anota\w*|rentar|alquilar|rent|hold|guardame|guardanos|separame|separanos|dame|danos|give me|"
         rf"get|agarro|agarramos)(?: \w+){{0,2}} {_ROOM}|(?:nos quedamos|me quedo|will go|go) with (?:the |la |el )?"
         rf"{_ROOM}|(?:nos quedamos|me quedo) con (?:la |el )?{_ROOM}|anotame|anotanos|la quiero|lo quiero|"
         rf"como sigo|how do i proceed|next steps?", 3.0),
        # A bare request for a room, said politely, is a booking: "una habitación para mañana por favor".
        (rf"^(?:una |un |a |an |one )?{_ROOM}\b.*\b(?:por favor|porfa|please)", 3.0),
        (r"(?<!mi )(?<!la )(?<!nuestra )(?<!tengo una )(?<!tenemos una )reserva", 1.0),
    ],
}

# Cancellation-policy questions talk about cancelling without asking for it.
POLICY_PATTERNS: list[tuple[str, float]] = [
    (r"(?:politica|politicas|policy|condiciones|conditions|terms)(?: \w+){0,2} cancel\w*|"
     r"cancel\w* (?:policy|politica|conditions|terms)", 5.0),
    (r"cancel\w*(?: \w+){0,3} (?:gratis|gratuit\w*|sin (?:cargo|costo|penalidad|penalizacion|multa|coste)|"
     r"free|penalty|fee|charge|cargo|multa|con cuanta anticipacion|anticipacion|in advance|"
     r"hasta cuando|until when|how late|how far)|(?:free|gratuita|gratis) cancel\w*|"
     r"(?:se puede|can you|can one|is it possible to) cancel\w*\s*\?|"
     r"(?:what if|que pasa si|y si|en caso de que?|in case) (?:\w+ ){0,3}cancel\w*|"
     r"(?:si|if) (?:i |we |yo )?cancel\w*|happens if (?:\w+ )?cancel\w*|"
     r"reembolsable|refundable|non refundable|no reembolsable", 5.0),
]

TOPIC_PATTERNS: dict[str, list[tuple[str, float]]] = {
    "check_in_time": [
        (rf"{_TIME_Q}(?: \w+){{0,5}} (?:checkin|entrada|ingreso|ingresar|entrar|llegar|llegada|arrive|"
         rf"arrival)|checkin (?:time|hora|horario)|(?:hora|horario) de (?:entrada|ingreso|llegada|checkin)|"
         rf"early checkin|checkin (?:early|temprano)|(?:llegar|ingresar|entrar) (?:mas )?temprano|"
         rf"arrive early", 3.0),
        (r"checkin", 1.0),
    ],
    "check_out_time": [
        (rf"{_TIME_Q}(?: \w+){{0,5}} (?:checkout|salida|salir|dejar (?:la|el) (?:habitacion|cuarto)|"
         rf"desalojar|leave|vacate)|checkout (?:time|hora|horario)|(?:hora|horario) de (?:salida|checkout)",
         3.0),
        (r"checkout", 1.0),
    ],
    "address": [
        (r"direccion|ubicacion|ubicad\w*|donde (?:estan|queda|quedan|se encuentra|se encuentran|esta el hotel|"
         r"es el hotel|estas|es)|como (?:llego|llegar|llegamos|se llega|hago para llegar)|address|location|"
         r"located|where (?:are you|is the hotel|is it|is the property)|how (?:do i|do we|to|can i|can we) "
         r"get (?:there|to)|directions|google maps|maps|mapa|localizacion|where exactly", 3.0),
        (r"cerca de|near|lejos|far from|distance|distancia|how far", 1.0),
    ],
    "parking": [
        (r"estacionamiento|estacionar|parking|aparcamiento|aparcar|parqueadero|parqueo|cochera|garage|garaje|"
         r"car park|park|valet|dejar el (?:auto|coche|carro)|donde (?:dejo|estaciono)", 3.0),
    ],
    "wifi": [
        (r"wifi|internet|contrasena|clave|password|conexion|network|red", 3.0),
    ],
    "pets": [
        (r"mascota\w*|perro\w*|perrit\w*|perrhij\w*|gato|gatos|gatito\w*|animal\w*|pets?|petfriendly|dogs?|"
         r"cats?|puppy|puppies", 3.0),
    ],
    "breakfast": [
        (r"desayun\w*|breakfast|brunch|buffet|media pension|pension completa|half board", 3.0),
    ],
    "pool": [
        (r"piscina\w*|pileta\w*|alberca\w*|pool|swimming|nadar|swim", 3.0),
    ],
    "gym": [
        (r"gimnasio|gym|fitness|workout|pesas|ejercicio|exercise", 3.0),
    ],
    "restaurant": [
        (r"restaurante\w*|restaurant\w*|comer|cenar|almorzar|cena|almuerzo|comida\w*|food|dinner|lunch|eat|"
         r"roomservice|servicio a la habitacion|bar|menu|carta", 3.0),
    ],
    "airport_transfer": [
        (r"aeropuerto|airport|traslado\w*|transfer|transfers|shuttle|transporte|pick ?up|recoger|"
         r"buscarnos|buscarme|taxi|remis|uber|terminal", 3.0),
    ],
    "phone": [
        (r"telefono|numero de (?:telefono|contacto)|phone|phone number|contact number|llamarlos|llamarles|"
         r"llamar al hotel|call you|call the hotel|numero para llamar", 3.0),
    ],
    "payment": [
        (r"pago\w*|pagar|tarjeta\w*|efectivo|transferencia|credito|debito|paypal|mercadopago|cash|card|"
         r"credit|debit|pay|payment|deposit\w*|deposito|sena|anticipo|adelanto|cuotas|dolares|euros|"
         r"moneda|currency|factura|invoice|bizum|visa|mastercard|amex", 3.0),
    ],
    "spa": [(r"spa|masaje\w*|massage\w*|sauna|hammam", 3.0)],
    "laundry": [(r"lavanderia|laundry|lavar (?:la )?ropa|planchar|ironing|tintoreria", 3.0)],
    "luggage_storage": [
        (r"equipaje|valijas?|maletas?|luggage|baggage|bags|guardar (?:las )?(?:cosas|mochilas)", 3.0),
    ],
    "reception_hours": [
        (r"recepcion (?:24|abierta|toda la noche)|24 ?(?:h|hs|horas|hours)|24 7|front desk (?:open|hours)|"
         r"reception (?:open|hours)|(?:llegar|llegamos|arrive|arriving) (?:muy |very )?(?:tarde|late)", 3.0),
    ],
    "smoking": [(r"fumar|fumador\w*|fumo|smok\w*|cigarr\w*|vape|vapear", 3.0)],
    "accessibility": [
        (r"silla de ruedas|wheelchair|accesib\w*|accessib\w*|ascensor|elevator|lift|discapacidad|"
         r"disabled|movilidad reducida", 3.0),
    ],
    "kids": [
        (r"cuna|crib|cot|kids club|(?:aceptan|admiten|allow|permiten|accept|pueden ir) (?:\w+ )?"
         r"(?:ninos|nenes|chicos|children|kids|bebes|babies)", 3.0),
    ],
    "cancellation_policy": [],
}

# Generic hotel questions without a known topic.
GENERIC_HOTEL_INFO: list[tuple[str, float]] = [
    (r"(?:que )?servicios (?:tiene|tienen|del hotel|ofrecen|incluye)|services|facilities|instalaciones|"
     r"info\w* (?:del|sobre el|about the) hotel", 2.0),
]

# Words guests write correctly that the typo corrector must leave alone (they are close to lexicon words).
PROTECTED = frozenset(
    """
    para pero tiene tienen quiero somos hola casa cama vista costa nada nadie cosa cosas todo toda todos
    salio sale salen cara caro barato barata mejor peor noche noches dias semana mes meses ayer luego
    hotel hostel playa ciudad centro mar calle hora horas minutos cuando donde como este esta esto
    ese esa eso bien mal buen bueno buena gente amigo amiga amigos novia novio esposa esposo marido mujer
    hijo hija hijos hijas nene nena bebe familia pareja yo vos ustedes nosotros we they them their there
    where were here hear have give live love like make made take came come some same time times
    thing things think thank thanks want went what when then than that this these those
    please place price prices nice night nights right light fight eight weight late later
    room rooms book books look looks good food mood door floor flight fly vuelo viaje viajar
    tomorrow today tonight weekend week month year days hours stay stays star start stars
    michi partido pelicula capital francia clima weather london joke voting fox brown quick lazy
    manana pasadomanana finde lunes martes miercoles jueves viernes sabado domingo
    monday tuesday wednesday thursday friday saturday sunday
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
    january february march april june july august september october november december
    adultos adulto ninos nino personas persona people adults adult kids children guests guest
    chau gracias saludos porfa favor quien quienes vida sentido mundo tiempo trabajo cuenta cuento
    looking cooking seeing being going doing having taking making coming getting waiting living
    could would should there their theirs other others another mother father brother sister
    about above after again against always around because before below between both during each
    every first found from great group happen happens heard help here house just know known large
    last least leave less little long many more most much must never number often only open over
    part people place point right said same several since small some something still such sure
    tell than that them then these they thing think this those though three through today together
    under until very want ways well went what when where which while whole whom whose why will with
    without work world would write year years young your yours hora ahora algo alguno alguna antes
    aqui bajo bien cada casi cierto claro como contra cual cuales cuando cuanto debe decir dentro desde
    despues donde durante ella ellos entonces entre era eran eres esas esos estaba estado estamos
    estan estar este fue fueron gente gran grande hace hacer hacia hasta hay hemos hoy igual lado lejos
    luego lugar mientras mismo mucho muchos nada nadie nosotros nuestro nuevo nunca otra otro otros
    parte pasa pasar pero poco poder puede pueden puedo pues quiere quiero saber sea segun seguro ser
    siempre sido sino sobre solo somos son tambien tanto tener tengo tiene todavia todo toda tres usted
    vamos veces ver vez viene visa vino vive viven volver plata dinero pesos cosa clima chiste futbol
    """.split()
)


def compile_patterns(patterns: Iterable[tuple[str, float]]) -> list[Pattern]:
    return [(re.compile(rf"\b(?:{source})\b"), weight) for source, weight in patterns]


def vocabulary() -> set[str]:
    """Words the typo corrector may snap to: every literal word of four letters or more in the lexicon."""
    sources: list[str] = []
    for table in (INTENT_PATTERNS, TOPIC_PATTERNS):
        for patterns in table.values():
            sources.extend(source for source, _ in patterns)
    sources.extend(source for source, _ in POLICY_PATTERNS + GENERIC_HOTEL_INFO)
    words: set[str] = set()
    for source in sources:
        cleaned = re.sub(r"\\[a-zA-Z]|\(\?:|\{[^}]*\}|\[[^]]*\]", " ", source)
        words.update(re.findall(r"[a-z]{4,}", cleaned))
    return words | set(PROTECTED)
