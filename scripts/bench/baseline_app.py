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


def main() -> None:
    """Serves the baseline in a process of its own (as `make bench` does), so it shares no interpreter with
    the load or the local stack."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--queue-url", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    app = create_app(args.queue_url, args.secret, args.endpoint)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="error", access_log=False)


if __name__ == "__main__":
    main()
