"""Conventions shared by the producers and consumers of the queues."""

# Message attribute set on an inbound record whose body is a claim check: {"bucket", "key", "bytes"}
# pointing at the webhook body in S3, because the body was larger than an SQS message can hold.
CLAIM_CHECK_ATTRIBUTE = "payload_location"
