"""Builders of the events Lambda receives: API Gateway HTTP API (payload 2.0) and SQS batches."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any

REGION = "us-east-1"


class FakeContext:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:test-function"
    memory_limit_in_mb = 256
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "test"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def http_event(
    method: str,
    path: str,
    body: str | bytes | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    route_key: str | None = None,
    source_ip: str = "127.0.0.1",
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    if isinstance(body, dict):
        body = json.dumps(body)
    is_b64 = isinstance(body, bytes)
    encoded = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    return {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {k.lower(): v for k, v in (headers or {}).items()},
        "queryStringParameters": query,
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "test",
            "domainName": "test.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "test",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": "pytest",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key or f"{method} {path}",
            "stage": "$default",
            "time": "25/Nov/2026:07:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": encoded,
        "isBase64Encoded": is_b64,
    }


def sqs_record(
    body: str,
    *,
    message_id: str | None = None,
    group_id: str = "g1",
    attributes: dict[str, str] | None = None,
    queue: str = "queue.fifo",
    receive_count: int = 1,
) -> dict[str, Any]:
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "handle-" + uuid.uuid4().hex,
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(int(time.time() * 1000)),
            "SenderId": "000000000000",
            "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
            "MessageGroupId": group_id,
            "MessageDeduplicationId": hashlib.sha256(body.encode()).hexdigest(),
            "SequenceNumber": str(time.time_ns()),
        },
        "messageAttributes": {
            name: {"stringValue": value, "stringListValues": [], "binaryListValues": [], "dataType": "String"}
            for name, value in (attributes or {}).items()
        },
        "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:000000000000:{queue}",
        "awsRegion": REGION,
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
