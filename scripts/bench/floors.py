"""What each function's cold path costs in the libraries the project must use, with none of our code: the
floor under its cold init. Each floor is a script for a fresh interpreter, run the way a function's sample
is (same packages, same environment, same endpoints): it imports what the function's first invocation
needs (Powertools, pydantic, botocore, redis, limits, httpx, FastAPI) and makes the same kinds of calls
once (an SQS send, a DynamoDB read, a Redis round trip, a Graph or QloApps request). A function's cold init
minus its floor is what our code adds; a floor above the target is a target no code of ours can meet.

Floors write only where nobody reads: a queue of their own, keys under `bench:floor:`, a fake guest.
"""

from __future__ import annotations

# Every floor sees `event` (the function's sample event), `p` (FloorParams as a dict) and `os`.
POWERTOOLS_HTTP = """
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
logger = Logger(service="floor")
app = APIGatewayHttpResolver()
"""
RATE_LIMIT = """
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
limiter = MovingWindowRateLimiter(storage_from_string(os.environ["REDIS_URL"], socket_timeout=0.5))
assert limiter.hit(parse("1000/minute"), "bench:floor", os.urandom(8).hex())
"""
BOTOCORE = """
import botocore.session
session = botocore.session.get_session()
"""
PYDANTIC_MODEL = """
from pydantic import BaseModel
class Payload(BaseModel):
    id: str
    kind: str = "text"
    body: str = ""
"""
REDIS = """
import redis
r = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=0.5)
r.pipeline(transaction=False).get("bench:floor:read").incr("bench:floor:count").execute()
"""
BATCH = """
import json
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
logger = Logger(service="floor")
records = []
def record_handler(record):
    records.append(Payload(id=record.message_id, body=record.body))
"""

FLOORS: dict[str, str] = {
    "webhook POST text message": POWERTOOLS_HTTP
    + RATE_LIMIT
    + BOTOCORE
    + """
import hashlib, hmac
@app.post("/webhooks/whatsapp")
def receive():
    body = app.current_event.body.encode()
    hmac.compare_digest(hmac.new(b"secret", body, hashlib.sha256).hexdigest(), "0" * 64)
    sqs = session.create_client("sqs")
    sqs.send_message(QueueUrl=p["queue_url"], MessageBody=body.decode(), MessageGroupId="floor",
                     MessageDeduplicationId=os.urandom(8).hex())
    return Response(200, "text/plain", "EVENT_RECEIVED")
assert app.resolve(event, None)["statusCode"] == 200
""",
    "webhook GET verify": POWERTOOLS_HTTP
    + RATE_LIMIT
    + """
@app.get("/webhooks/whatsapp")
def verify():
    return Response(200, "text/plain", app.current_event.query_string_parameters["hub.challenge"])
assert app.resolve(event, None)["statusCode"] == 200
""",
    "normalizer": PYDANTIC_MODEL
    + BATCH
    + BOTOCORE
    + REDIS
    + """
response = process_partial_response(event=event, record_handler=record_handler,
                                    processor=SqsFifoPartialProcessor(), context=None)
assert response == {"batchItemFailures": []}
dynamodb = session.create_client("dynamodb")
dynamodb.get_item(TableName=p["tenants_table"], Key={"pk": {"S": "TENANT#hotel-sol"}, "sk": {"S": "META"}})
sqs = session.create_client("sqs")
sqs.send_message_batch(QueueUrl=p["queue_url"], Entries=[
    {"Id": str(i), "MessageBody": m.model_dump_json(), "MessageGroupId": "floor",
     "MessageDeduplicationId": os.urandom(8).hex()} for i, m in enumerate(records)])
""",
    "orchestrator": PYDANTIC_MODEL
    + BATCH
    + REDIS
    + BOTOCORE
    + """
import httpx
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function)
dynamodb = session.create_client("dynamodb")
persistence = DynamoDBPersistenceLayer(table_name=p["idempotency_table"], boto3_client=dynamodb)
graph = httpx.Client(base_url=os.environ["WHATSAPP_API_BASE_URL"], timeout=5)
@idempotent_function(data_keyword_argument="message", persistence_store=persistence,
                     config=IdempotencyConfig(event_key_jmespath="id"))
def answer(message):
    dynamodb.get_item(TableName=p["conversations_table"], Key={"pk": {"S": "floor#" + message["id"]}})
    phone = os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "100000000000001")
    token = os.environ.get("WHATSAPP_ACCESS_TOKEN", "local-access-token")
    sent = graph.post(f"/v25.0/{phone}/messages", headers={"Authorization": "Bearer " + token},
                      json={"messaging_product": "whatsapp", "to": p["guest"], "type": "text",
                            "text": {"body": "hola"}})
    sent.raise_for_status()
    return {"sent": True}
def record_handler(record):
    answer(message=Payload(id=os.urandom(8).hex(), body=record.body).model_dump())
response = process_partial_response(event=event, record_handler=record_handler,
                                    processor=SqsFifoPartialProcessor(), context=None)
assert response == {"batchItemFailures": []}, response
""",
    "pms_proxy": REDIS
    + BOTOCORE
    + """
import httpx
from pydantic import BaseModel
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parameters import SecretsProvider
logger = Logger(service="floor")
class Query(BaseModel):
    date_from: str
    date_to: str
    adults: int
query = Query.model_validate(event["params"])
tenant = session.create_client("dynamodb").get_item(
    TableName=p["tenants_table"], Key={"pk": {"S": "TENANT#hotel-sol"}, "sk": {"S": "META"}})
key = SecretsProvider(boto3_client=session.create_client("secretsmanager")).get(p["pms_secret"])
answer = httpx.Client(timeout=4).get(p["qloapps_url"] + "/api/hotel_room_types", auth=(key, ""),
    params={"display": "full", "filter[id_hotel]": "[1]", "output_format": "JSON"})
assert answer.status_code == 200, answer.status_code
r.set("bench:floor:cache", answer.content, ex=60)
""",
    "tenant_admin": REDIS
    + RATE_LIMIT
    + BOTOCORE
    + """
from fastapi import Depends, FastAPI, Header, HTTPException
from mangum import Mangum
from pydantic import BaseModel
from aws_lambda_powertools import Logger
logger = Logger(service="floor")
class TenantOut(BaseModel):
    tenant_id: str
dynamodb = session.create_client("dynamodb")
def token(authorization: str = Header("")):
    if not authorization.startswith("Bearer "):
        raise HTTPException(401)
api = FastAPI()
@api.get("/admin/tenants", dependencies=[Depends(token)])
def tenants() -> list[TenantOut]:
    items = dynamodb.query(TableName=p["tenants_table"], IndexName="tenant_list",
                           KeyConditionExpression="gsi1pk = :p", ExpressionAttributeValues={":p": {"S": "TENANT"}})
    return [TenantOut(tenant_id=item["gsi1sk"]["S"]) for item in items["Items"]]
assert Mangum(api, lifespan="off")(event, None)["statusCode"] == 200
""",
    "health": POWERTOOLS_HTTP
    + """
@app.get("/health/live")
def live():
    return Response(200, "application/json", '{"status": "alive"}')
assert app.resolve(event, None)["statusCode"] == 200
""",
    "metrics_exporter": REDIS
    + """
import cramjam, httpx
from aws_lambda_powertools import Logger
logger = Logger(service="floor")
series = r.hgetall("bench:floor:series")
answer = httpx.Client(timeout=5).post(p["remote_write_url"], content=bytes(cramjam.snappy.compress_raw(b"x" * 64)),
    headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
assert answer.status_code < 300, answer.status_code
""",
}

DRIVER = r"""
import json, os, sys, time
sys.path[:0] = json.loads(sys.argv[1])
code, event, p = sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
t0 = time.perf_counter()
exec(compile(code, "<floor>", "exec"), {"event": event, "p": p, "os": os})
print(json.dumps({"total_ms": (time.perf_counter() - t0) * 1000}))
"""
