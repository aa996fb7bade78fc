"""The original monolith's shape, as a baseline: a minimal FastAPI app that checks the signature and
sends the body to SQS, served by uvicorn. `make bench` compares our webhook path against it."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import boto3
from fastapi import FastAPI, Request, Response

from hotel_common.signature import verify


def create_app(queue_url: str, app_secret: str, endpoint: str) -> FastAPI:
    sqs: Any = boto3.client("sqs", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))
    app = FastAPI()

    @app.post("/webhooks/whatsapp")
    async def receive(request: Request) -> Response:
        body = await request.body()
        if not verify(body, request.headers.get("x-hub-signature-256"), app_secret):
            return Response(status_code=401)
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=body.decode(),
            MessageGroupId="baseline",
            MessageDeduplicationId=hashlib.sha256(body).hexdigest(),
        )
        return Response("EVENT_RECEIVED")

    return app
