"""Fault tests on the local stack (real Redis, moto, fakes), each asserting that no guest message is lost
or answered twice: Meta re-delivering webhooks, a PMS outage, Redis down, and the tenancy boundaries of
the admin API and of the state the functions keep. (The poison record -> DLQ -> redrive path is in
test_faults_e2e.py.)"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import boto3
import httpx
import pytest
import redis

from hotel_common.metrics import label_key
from hotel_common.signature import sign
from infra import topology
from scripts.fakes.meta_webhook import encode, interactive_webhook, text_webhook
from tests.e2e.conftest import RunningStack
from tests.e2e.isolated_stack import IsolatedStack, isolated_stack

pytestmark = pytest.mark.e2e

SOL, HARBOR = "100000000000001", "100000000000002"
GUEST_NAME = "Ana García"
MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
MONTHS_EN = "January February March April May June July August September October November December".split()
PMS_DOWN_ES = "no puedo consultar el sistema de reservas"
# Dialogs that need no PMS, so the dialog and the idempotency are what the re-delivery test measures.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("hola", "¿a qué hora es el check-in?", "gracias"),
    ("buenas tardes", "¿tienen wifi?", "muchas gracias"),
    ("buenos días", "¿admiten mascotas?", "hasta luego"),
    ("hola, buenas noches", "¿hay parking?", "gracias, adiós"),
)


def new_guest() -> str:
    return "34" + str(uuid.uuid4().int)[:9]


def shown(reply: dict[str, Any]) -> tuple[str, str]:
    """What the guest sees of a reply: its kind and its text."""
    payload = reply["payload"]
    if payload["type"] == "text":
        return "text", str(payload["text"]["body"])
    return str(payload["interactive"]["type"]), str(payload["interactive"]["body"]["text"])


def replies_by_guest(stack: RunningStack, guests: set[str]) -> dict[str, list[dict[str, Any]]]:
    by_guest: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reply in stack.sent():
        if str(reply["to"]) in guests:
            by_guest[str(reply["to"])].append(reply)
    return by_guest


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def sqs(stack: RunningStack) -> Any:
    return boto3.client("sqs", endpoint_url=stack.aws, region_name="us-east-1")


def queue_depths(stack: RunningStack) -> dict[str, int]:
    """Messages in every queue and DLQ, visible or in flight."""
    client = sqs(stack)
    depths = {}
    for queue in topology.QUEUES:
        for dlq in (False, True):
            name = topology.queue_physical_name("local", queue, dlq=dlq)
            url = client.get_queue_url(QueueName=name)["QueueUrl"]
            attributes = client.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            depths[name] = int(attributes["ApproximateNumberOfMessages"]) + int(
                attributes["ApproximateNumberOfMessagesNotVisible"]
            )
    return depths


def queues_drained(stack: RunningStack, dlq_before: dict[str, int]) -> Callable[[], bool]:
    """Every queue empty and every DLQ as it was, on three reads in a row (the queues are read one after
    the other, so a single read can miss a message moving from one queue to the next)."""
    streak = [0]

    def check() -> bool:
        depths = queue_depths(stack)
        streak[0] = streak[0] + 1 if all(depths[name] == dlq_before.get(name, 0) for name in depths) else 0
        return streak[0] >= 3

    return check


def dlq_baseline(stack: RunningStack) -> dict[str, int]:
    return {name: depth for name, depth in queue_depths(stack).items() if name.endswith("-dlq.fifo")}


def stay(months_ahead: int, day: int, nights: int = 2) -> tuple[date, date]:
    today = date.today()
    index = today.month - 1 + months_ahead
    check_in = date(today.year + index // 12, index % 12 + 1, day)
    return check_in, check_in + timedelta(days=nights)


def ask_availability_es(check_in: date, check_out: date) -> str:
    return f"hay habitaciones del {check_in.day} al {check_out.day} de {MONTHS_ES[check_in.month - 1]} para 2 personas?"


# -- Meta re-delivery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    guest: str
    index: int
    body: bytes
    client_ip: str


def reencoded(body: bytes) -> bytes:
    """The same event in other bytes (Meta re-sends it in another envelope): the SQS content dedup of the
    inbound queue cannot catch it, only the orchestrator's idempotency on the wamid can."""
    return json.dumps(json.loads(body), separators=(", ", ": "), ensure_ascii=False).encode()


async def post(client: httpx.AsyncClient, stack: RunningStack, body: bytes, client_ip: str) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": sign(body, stack.app_secret),
        "X-Forwarded-For": client_ip,
    }
    for _ in range(5):  # a transport hiccup under load is retried like Meta retries; a status is final
        try:
            return (await client.post(stack.webhook, content=body, headers=headers)).status_code
        except httpx.TransportError:
            await asyncio.sleep(0.2)
    return 0


@dataclass
class Delivery:
    """A run of guests, each sending its script in order; `copies[(guest, i)]` lists the extra deliveries
    of message i as (mode, bytes) with mode `concurrent` (raced with the first delivery) or `later`."""

    messages: dict[str, list[Message]]
    copies: dict[tuple[str, int], list[tuple[str, bytes]]]

    @property
    def deliveries(self) -> int:
        return sum(len(m) for m in self.messages.values()) + sum(len(c) for c in self.copies.values())


def plan(scripts: list[tuple[str, ...]], duplicate_share: float, seed: int) -> Delivery:
    rng = random.Random(seed)
    run = uuid.uuid4().int % 200 + 20
    messages: dict[str, list[Message]] = {}
    for n, script in enumerate(scripts):
        guest = new_guest()
        # A client address per guest keeps every client far below the webhook's 120 POST/min.
        ip = f"10.{run}.{n // 250}.{n % 250 + 1}"
        messages[guest] = [
            Message(guest, i, encode(text_webhook(text, guest_wa_id=guest, guest_name=GUEST_NAME)), ip)
            for i, text in enumerate(script)
        ]
    every = [m for ms in messages.values() for m in ms]
    copies: dict[tuple[str, int], list[tuple[str, bytes]]] = {}
    for k, m in enumerate(rng.sample(every, round(len(every) * duplicate_share))):
        mode = "concurrent" if k % 2 == 0 else "later"
        # Identical bytes (as Meta re-sends) and re-encoded ones, in both modes.
        copies[(m.guest, m.index)] = [
            (mode, m.body if (k // 2 + j) % 2 == 0 else reencoded(m.body)) for j in range(rng.choice((1, 2)))
        ]
    return Delivery(messages, copies)


async def deliver_all(stack: RunningStack, delivery: Delivery, concurrency: int = 12) -> list[int]:
    gate = asyncio.Semaphore(concurrency)
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def one(body: bytes, ip: str) -> None:
            async with gate:
                statuses.append(await post(client, stack, body, ip))

        async def guest_script(messages: list[Message]) -> None:
            # In order per guest, like Meta: a message's deliveries (raced) finish before the next message.
            for m in messages:
                raced = [body for mode, body in delivery.copies.get((m.guest, m.index), []) if mode == "concurrent"]
                await asyncio.gather(one(m.body, m.client_ip), *(one(body, m.client_ip) for body in raced))

        await asyncio.gather(*(guest_script(ms) for ms in delivery.messages.values()))
        later = [
            (body, delivery.messages[guest][index].client_ip)
            for (guest, index), copies in delivery.copies.items()
            for mode, body in copies
            if mode == "later"
        ]
        random.Random(7).shuffle(later)
        await asyncio.gather(*(one(body, ip) for body, ip in later))
    return statuses


def replies_reach(stack: RunningStack, guests: set[str], total: int, timeout: float) -> bool:
    return wait_until(lambda: sum(map(len, replies_by_guest(stack, guests).values())) >= total, timeout=timeout)


def test_meta_redelivery_yields_exactly_the_replies_of_a_single_delivery(local_stack: RunningStack) -> None:
    dlq_before = dlq_baseline(local_stack)
    # The run without duplicates: what one delivery of each script yields, per guest.
    baseline = plan(list(SCRIPTS), duplicate_share=0.0, seed=1)
    statuses = asyncio.run(deliver_all(local_stack, baseline))
    assert set(statuses) == {200}, Counter(statuses)
    baseline_guests = list(baseline.messages)
    assert replies_reach(local_stack, set(baseline_guests), sum(map(len, SCRIPTS)), timeout=60)
    assert wait_until(queues_drained(local_stack, dlq_before), timeout=30)
    by_guest = replies_by_guest(local_stack, set(baseline_guests))
    expected = {script: [shown(r) for r in by_guest[g]] for script, g in zip(SCRIPTS, baseline_guests, strict=True)}
    assert all(len(expected[script]) == len(script) for script in SCRIPTS), expected  # one reply per message

    # 300 guest messages (100 guests x 3), 30% of them delivered 2-3 times, raced or later.
    scripts = [SCRIPTS[n % len(SCRIPTS)] for n in range(100)]
    run = plan(scripts, duplicate_share=0.3, seed=2)
    assert sum(map(len, run.messages.values())) == 300 and len(run.copies) == 90
    assert {mode for copies in run.copies.values() for mode, _ in copies} == {"concurrent", "later"}
    statuses = asyncio.run(deliver_all(local_stack, run))
    assert len(statuses) == run.deliveries and set(statuses) == {200}, Counter(statuses)

    guests = set(run.messages)
    script_of = dict(zip(run.messages, scripts, strict=True))
    assert replies_reach(local_stack, guests, sum(len(expected[s]) for s in scripts), timeout=150)
    # Nothing left anywhere that could still turn into a late second reply, and nothing dead-lettered.
    assert wait_until(queues_drained(local_stack, dlq_before), timeout=60), queue_depths(local_stack)
    # Meta retrying once more, after every reply went out: 30 messages again, re-encoded.
    again = Delivery({}, {})
    for guest, i in random.Random(3).sample(
        sorted((g, i) for g, ms in run.messages.items() for i in range(len(ms))), 30
    ):
        m = run.messages[guest][i]
        again.messages[f"{guest}:{i}"] = [Message(guest, i, reencoded(m.body), m.client_ip)]
    statuses = asyncio.run(deliver_all(local_stack, again))
    assert set(statuses) == {200}, Counter(statuses)
    assert wait_until(queues_drained(local_stack, dlq_before), timeout=60), queue_depths(local_stack)
    by_guest = replies_by_guest(local_stack, guests)
    wrong = {
        guest: [shown(r) for r in by_guest.get(guest, [])]
        for guest in guests
        if [shown(r) for r in by_guest.get(guest, [])] != expected[script_of[guest]]
    }
    assert not wrong, f"{len(wrong)} guests differ from a single delivery, e.g. {next(iter(wrong.items()))}"


# -- the isolated stack: PMS outage, state kept per tenant, Redis down ----------------------------------------

BREAKER_COOLDOWN_SECONDS = 2.0


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IsolatedStack]:
    extra = {"PMS_BREAKER_COOLDOWN_SECONDS": str(BREAKER_COOLDOWN_SECONDS)}
    with isolated_stack(tmp_path_factory.mktemp("isolated-stack"), extra) as stack:
        yield stack


class Chat:
    """Guests of one hotel talking to a stack, each message answered before the guest's next one."""

    def __init__(self, stack: RunningStack, phone_number_id: str = SOL) -> None:
        self.stack, self.phone_number_id = stack, phone_number_id
        self.http = httpx.Client(timeout=10)
        self.ip = f"10.{uuid.uuid4().int % 200 + 20}.9.{uuid.uuid4().int % 250 + 1}"

    def send(self, payload: dict[str, Any]) -> None:
        body = encode(payload)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, self.stack.app_secret),
            "X-Forwarded-For": self.ip,
        }
        response = self.http.post(self.stack.webhook, content=body, headers=headers)
        assert response.status_code == 200, response.text

    def text(self, guest: str, text: str) -> None:
        self.send(text_webhook(text, guest_wa_id=guest, guest_name=GUEST_NAME, phone_number_id=self.phone_number_id))

    def choose(self, guest: str, reply_id: str, title: str) -> None:
        self.send(
            interactive_webhook(
                reply_id, title, guest_wa_id=guest, guest_name=GUEST_NAME, phone_number_id=self.phone_number_id
            )
        )

    def replies(self, guest: str, count: int, timeout: float = 40) -> list[dict[str, Any]]:
        replies = self.stack.wait_for_replies(guest, count, timeout=timeout)
        assert len(replies) == count, f"{guest}: expected {count} replies, got {[shown(r) for r in replies]}"
        return replies


def breaker_record(stack: RunningStack, tenant_id: str) -> dict[str, str]:
    raw = redis.Redis.from_url(stack.redis_url, decode_responses=True).hgetall(f"breaker:pms:{tenant_id}")
    return {str(k): str(v) for k, v in raw.items()}


def breaker_gauge(stack: RunningStack, tenant_id: str) -> float | None:
    value = redis.Redis.from_url(stack.redis_url).hget(
        "metrics:pms_circuit_breaker_state", label_key({"tenant_id": tenant_id})
    )
    return float(value) if value is not None else None


def qloapps_faults(stack: RunningStack, faults: dict[str, Any] | None) -> None:
    if faults is None:
        httpx.delete(f"{stack.qloapps}/_faults", timeout=5).raise_for_status()
    else:
        httpx.post(f"{stack.qloapps}/_faults", json=faults, timeout=5).raise_for_status()


def test_pms_outage_degrades_opens_the_breaker_and_recovers(isolated: IsolatedStack) -> None:
    dlq_before = dlq_baseline(isolated)
    chat = Chat(isolated)
    check_in, check_out = stay(7, 11)  # dates nobody asked for: no cached answer to fall back on
    question = ask_availability_es(check_in, check_out)
    guests = [new_guest() for _ in range(8)]
    qloapps_faults(isolated, {"down": True})
    try:
        for guest in guests:
            chat.text(guest, question)
        during = {guest: shown(chat.replies(guest, 1)[0]) for guest in guests}
        assert all(PMS_DOWN_ES in text for _kind, text in during.values()), during
        assert all(kind == "button" for kind, _text in during.values())
        # The shared breaker is open (8 failing questions > the threshold of 5), and its gauge says so.
        assert breaker_record(isolated, "hotel-sol")["s"] == "open"
        # One breaker per tenant: the other hotel's guests (none asked) still reach their PMS.
        assert breaker_record(isolated, "harbor-view").get("s", "closed") == "closed"
        assert wait_until(lambda: breaker_gauge(isolated, "hotel-sol") == 1.0, timeout=10)
    finally:
        qloapps_faults(isolated, None)

    # After the cool-down, one guest's "retry" is the half-open trial; it succeeds and closes the breaker.
    opened_at = float(breaker_record(isolated, "hotel-sol")["o"])
    assert wait_until(lambda: time.time() > opened_at + BREAKER_COOLDOWN_SECONDS + 0.2, timeout=10)
    first, *others = guests
    chat.choose(first, "retry", "Reintentar")
    kind, text = shown(chat.replies(first, 2)[-1])
    assert PMS_DOWN_ES not in text and kind == "list", text
    assert breaker_record(isolated, "hotel-sol").get("s") == "closed"
    assert wait_until(lambda: breaker_gauge(isolated, "hotel-sol") == 0.0, timeout=10)
    for guest in others:
        chat.choose(guest, "retry", "Reintentar")
    after = {guest: shown(chat.replies(guest, 2)[-1]) for guest in others}
    assert all(kind == "list" and PMS_DOWN_ES not in text for kind, text in after.values()), after
    # Every message answered exactly once: two replies per guest and nothing left in or beside a queue.
    assert wait_until(queues_drained(isolated, dlq_before), timeout=30)
    assert {guest: len(isolated.sent(guest)) for guest in guests} == dict.fromkeys(guests, 2)


def conversation_item(stack: RunningStack, tenant_id: str, guest: str) -> dict[str, Any]:
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws, region_name="us-east-1")
    table = topology.physical_name("local", "conversations")
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": f"{tenant_id}#{guest}"}}, ConsistentRead=True)
    assert "Item" in item, f"no conversation {tenant_id}#{guest}"
    return {k: v.get("S", v.get("N")) for k, v in item["Item"].items()}


def test_one_guest_of_two_hotels_keeps_two_conversations_and_caches(isolated: IsolatedStack) -> None:
    # On the isolated stack, before its Redis is broken: that Redis is this module's alone, so no other
    # session's FLUSHDB of the shared e2e database empties it between the writes and the reads below, and
    # no container is in its cache pause after a Redis error.
    guest = new_guest()
    sol, harbor = Chat(isolated, SOL), Chat(isolated, HARBOR)
    sol_in, sol_out = stay(9, 4, nights=3)
    harbor_in, harbor_out = stay(10, 20, nights=2)
    month_es, month_en = MONTHS_ES[sol_in.month - 1], MONTHS_EN[harbor_in.month - 1]

    sol.text(guest, f"quiero reservar una habitación del {sol_in.day} al {sol_out.day} de {month_es}")
    assert "¿Cuántas personas" in shown(sol.replies(guest, 1)[-1])[1]
    # The same number, another hotel: Harbor View does not continue Hotel Sol's booking.
    harbor.text(guest, "we are 2")
    kind, text = shown(harbor.replies(guest, 2)[-1])
    assert kind != "list" and "Hotel Sol" not in text, text
    # Hotel Sol's booking dialog is where the guest left it.
    sol.text(guest, "somos 2")
    kind, text = shown(sol.replies(guest, 3)[-1])
    assert kind == "list", text
    harbor.text(guest, f"any rooms from {month_en} {harbor_in.day} to {harbor_out.day} for 2 adults?")
    kind, text = shown(harbor.replies(guest, 4)[-1])
    assert kind == "list" and "Hotel Sol" not in text, text

    # DynamoDB: one item per tenant + guest, each holding only its own hotel's dialog.
    sol_item, harbor_item = (
        conversation_item(isolated, "hotel-sol", guest),
        conversation_item(isolated, "harbor-view", guest),
    )
    assert sol_in.isoformat() in sol_item["state"] and harbor_in.isoformat() not in sol_item["state"]
    assert harbor_in.isoformat() in harbor_item["state"] and sol_in.isoformat() not in harbor_item["state"]
    # Redis: the conversation cache holds the same two items under keys carrying the tenant id.
    r = redis.Redis.from_url(isolated.redis_url, decode_responses=True)
    cached = {str(key): json.loads(str(r.get(key))) for key in r.scan_iter(match=f"conversation:*{guest}")}
    assert {key.rsplit(":", 1)[1] for key in cached} == {f"hotel-sol#{guest}", f"harbor-view#{guest}"}
    for key, item in cached.items():
        truth = sol_item if key.endswith(f"hotel-sol#{guest}") else harbor_item
        assert item["pk"] == key.rsplit(":", 1)[1] and item["state"] == truth["state"]
    # The PMS cache: each stay's answer under its own tenant's tag and PMS hotel (1 = Sol, 2 = Harbor).
    for tenant_id, hotel_id, check_in, check_out in (
        ("hotel-sol", 1, sol_in, sol_out),
        ("harbor-view", 2, harbor_in, harbor_out),
    ):
        keys = [str(k) for k in r.scan_iter(match=f"pms:*:c:avail:*:{check_in}:{check_out}:*")]
        assert keys, f"no cached availability for {tenant_id}"
        assert all(k.startswith(f"pms:{{{tenant_id}}}:c:avail:{hotel_id}:") for k in keys), keys


FAIL_OPEN_LOG = "rate limit storage unavailable; failing open"


def greet_during_outage(stack: IsolatedStack, chat: Chat, outage: Callable[[], None], back: Callable[[], None]) -> None:
    """Greetings sent while Redis is unusable: each accepted (the limiter fails open and says so), each
    answered while Redis is still out (Redis holds caches, never the only copy of anything), and after
    Redis is back none is answered a second time and nothing waits in a queue or a DLQ."""
    dlq_before = dlq_baseline(stack)
    logged_before = stack.logs().count(FAIL_OPEN_LOG)
    before = [new_guest() for _ in range(3)]
    during = [new_guest() for _ in range(12)]
    for guest in before:  # warm containers holding Redis connections that are about to break
        chat.text(guest, "hola")
    for guest in before:
        chat.replies(guest, 1)

    outage()
    try:
        for guest in during:
            chat.text(guest, "hola")  # 200, asserted in send
        # Every one of those POSTs skipped the limit and logged it (the counter's own flush to Redis fails).
        assert wait_until(lambda: stack.logs().count(FAIL_OPEN_LOG) - logged_before >= len(during), timeout=20)
        assert wait_until(lambda: all(stack.sent(g) for g in during), timeout=60), [
            g for g in during if not stack.sent(g)
        ]
    finally:
        back()

    assert wait_until(queues_drained(stack, dlq_before), timeout=60), queue_depths(stack)
    everyone = [*before, *during]
    assert {g: len(stack.sent(g)) for g in everyone} == dict.fromkeys(everyone, 1)
    # With Redis back the limiter counts again (after its few seconds of backoff) instead of failing open,
    # and guests are answered.
    def limiter_counts_again() -> bool:
        logged = stack.logs().count(FAIL_OPEN_LOG)
        late = new_guest()
        chat.text(late, "hola")
        chat.replies(late, 1)
        return stack.logs().count(FAIL_OPEN_LOG) == logged

    assert wait_until(limiter_counts_again, timeout=30)


def test_redis_down_the_webhook_fails_open_and_no_message_is_lost(isolated: IsolatedStack) -> None:
    def back() -> None:
        if not isolated.redis_up():
            isolated.start_redis()

    greet_during_outage(isolated, Chat(isolated), isolated.stop_redis, back)


def test_redis_hung_the_webhook_fails_open_and_no_message_is_lost(isolated: IsolatedStack) -> None:
    # A hung node (accepts, never answers) costs every caller its timeout instead of a refused connect.
    pid = isolated.redis_pid()
    greet_during_outage(isolated, Chat(isolated), lambda: isolated.pause_redis(pid), lambda: isolated.resume_redis(pid))


# -- tenancy: the admin API ---------------------------------------------------------------------------------

ADMIN_ROUTES = [r for r in topology.ROUTES if r.function == "tenant_admin"]


def admin_ip() -> str:
    # The admin API limits requests per client; each test speaks from its own address.
    return f"10.{uuid.uuid4().int % 200 + 20}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def admin(stack: RunningStack, ip: str, token: str | None = None) -> httpx.Client:
    headers = {"X-Forwarded-For": ip}
    if token is not None:
        headers["Authorization"] = token
    return httpx.Client(base_url=stack.api, headers=headers, timeout=10)


def right_token(stack: RunningStack) -> str:
    return f"Bearer {stack.env.get('ADMIN_API_TOKEN', 'local-admin-token')}"


def test_the_admin_api_refuses_every_route_without_the_right_token(local_stack: RunningStack) -> None:
    intruder_id = f"intruder-{uuid.uuid4().hex[:6]}"
    bodies = {
        ("POST", "/admin/tenants"): {"tenant_id": intruder_id, "name": "Intruso", "language": "es"},
        ("PATCH", "/admin/tenants/{tenant_id}"): {"name": "Hijacked"},
        ("POST", "/admin/tenants/{tenant_id}/identifiers"): {"identifier": "34699999999", "kind": "display_phone"},
    }
    right = right_token(local_stack)
    wrong_tokens = [None, "Bearer not-the-token", right.replace("Bearer", "Basic"), right[:-1], right + "x"]
    refused = []
    for token in wrong_tokens:  # one client address per token: the admin limit is 30 requests a minute
        with admin(local_stack, admin_ip(), token) as client:
            for route in ADMIN_ROUTES:
                path = route.path.format(tenant_id="hotel-sol", identifier="100000000000001")
                response = client.request(route.method, path, json=bodies.get((route.method, route.path)))
                refused.append((route.method, route.path, token, response.status_code))
    assert {status for *_, status in refused} == {401}, [r for r in refused if r[-1] != 401]

    with admin(local_stack, admin_ip(), right) as client:
        sol = client.get("/admin/tenants/hotel-sol").json()
        assert sol["name"] == "Hotel Sol de Mayo"
        assert "100000000000001" in {i["identifier"] for i in sol["identifiers"]}
        assert "34699999999" not in {i["identifier"] for i in sol["identifiers"]}
        assert client.get(f"/admin/tenants/{intruder_id}").status_code == 404


def test_another_tenants_identifiers_are_refused(local_stack: RunningStack) -> None:
    ip = admin_ip()
    suffix = uuid.uuid4().hex[:6]
    other = f"e2e-other-{suffix}"
    with admin(local_stack, ip, right_token(local_stack)) as client:
        created = client.post("/admin/tenants", json={"tenant_id": other, "name": f"Otro {suffix}", "language": "es"})
        assert created.status_code == 201, created.text
        for identifier, kind in (("100000000000001", "phone_number_id"), ("+34 600 000 001", "display_phone")):
            claimed = client.post(f"/admin/tenants/{other}/identifiers", json={"identifier": identifier, "kind": kind})
            assert claimed.status_code == 409, claimed.text
        # hotel-sol's number cannot be released through another tenant's path.
        assert client.delete(f"/admin/tenants/{other}/identifiers/100000000000001").status_code == 404
        assert client.get(f"/admin/tenants/{other}").json()["identifiers"] == []
        assert "100000000000001" in {
            i["identifier"] for i in client.get("/admin/tenants/hotel-sol").json()["identifiers"]
        }
        assert client.patch("/admin/tenants/no-such-hotel", json={"name": "x"}).status_code == 404
    # And the number still routes to its hotel.
    guest = new_guest()
    Chat(local_stack).text(guest, "hola")
    (reply,) = Chat(local_stack).replies(guest, 1)
    assert "Hotel Sol de Mayo" in shown(reply)[1] and f"Otro {suffix}" not in shown(reply)[1]
