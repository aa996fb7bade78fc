"""Spanish or English, from word evidence. Deterministic and cheap: counts function words and domain words
typical of each language on the accent-free text; Spanish-only characters (ñ, ¿, ¡, accents) count for
Spanish. Ties and messages without evidence (emoji only, a date, a number) are Spanish, the original
system's default."""

from __future__ import annotations

import re

from functions.orchestrator.nlu.text import strip_accents

_ES = frozenset(
    """
    a al algo alguien alguna alguno algun aca ahi alla andan aqui bueno buena buenas buenos buen como con
    cual cuales cuando cuanto cuanta cuantos cuantas de del desde donde el ella ellos en entre es esa ese
    eso esta este esto estoy estan gracias hay hasta hola holi la las le les lo los mas me mi mis mucho
    muchas muchos muy nada ni no nos nosotros o otra otro para pero poco por porque puedo puede pueden
    podemos que quiero quisiera queremos se si sin sobre somos son su sus tambien tengo tiene tienen tenes
    tienes todo tu un una uno unos unas usted ustedes va vamos y ya yo hacer ser estar habitacion
    habitaciones cuarto cuartos reserva reservar reservacion cancelar disponibilidad precio precios noche
    noches manana hoy finde semana dia dias persona personas adultos ninos desayuno estacionamiento
    che onda dale vos sos quiubo porfa favor chau adios saludos tal pileta alberca cochera mascotas
    salida entrada llegada hora horario queria gustaria necesito necesitamos tenemos habra tendran
    dejar llevar aceptan pagar tarjeta efectivo ubicacion direccion ahora luego despues pasame
    """.split()
)
_EN = frozenset(
    """
    i you we they he she it my our your the a an is are was were be been do does did have has had
    will would can could should shall may might what when where which who whom how why this that these
    those there here and or but if of on in at to for from with by about up out any some no not yes
    please thanks thank hi hello hey morning evening afternoon night nights room rooms book booking
    reservation cancel available availability price prices much many how people person adults kids
    tonight tomorrow today weekend week next guys want need like get got just me us u ur pls thx
    bye goodbye see later cheers take care breakfast pool gym dogs pets allowed time address
    free included per anyone anything something someone talk speak human agent help would like im
    whats thats dont cant wont ill id its hello howdy hiya password representative ty thx blah haha lol
    hmm sing song joke weather who won game fox quick brown told tell say said know think make take give
    go going come coming stay staying early much more less cheap expensive bed beds bathroom
    pool dog dogs cat pets allowed smoking car airport transfer cash card pay payment front desk
    manager human person real
    """.split()
)
# Words spelled the same in both languages are no evidence.
_SHARED = _ES & _EN
_ES_ONLY = _ES - _SHARED
_EN_ONLY = _EN - _SHARED
_ES_CHARS = re.compile(r"[ñáéíóúü¿¡]", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
# English terms Spanish-speaking guests use as they are.
_LOANWORDS = re.compile(r"\b(?:late )?check\s*-?\s*(?:in|out)s?\b|\bwi\s*-?\s*fi\b|\b(?:ok|okay|parking|spa|suite)\b")


def detect_language(text: str) -> str:
    """Return "es" or "en"; "es" when unsure."""
    words = [re.sub(r"([a-z])\1{2,}", r"\1", w) for w in _WORD.findall(_LOANWORDS.sub(" ", strip_accents(text)))]
    es = sum(1.0 for w in words if w in _ES_ONLY)
    en = sum(1.0 for w in words if w in _EN_ONLY)
    es += 1.5 * len(_ES_CHARS.findall(text))
    return "en" if en > es else "es"
