"""Tables, buckets, secrets and Redis."""

from __future__ import annotations

import pytest

from infra import topology
from infra.cdk.config import SECRETS, STAGES
from tests.infra.conftest import Synthesized


@pytest.mark.parametrize("table", topology.TABLES, ids=lambda t: t.name)
def test_table_is_on_demand_with_pitr_ttl_and_indexes(synth: Synthesized, table: topology.Table) -> None:
    table_id = synth.logical_id("AWS::DynamoDB::GlobalTable", TableName=topology.physical_name(synth.stage, table.name))
    props = synth.resources[table_id]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    keys = [{"AttributeName": table.partition_key, "KeyType": "HASH"}]
    if table.sort_key:
        keys.append({"AttributeName": table.sort_key, "KeyType": "RANGE"})
    assert props["KeySchema"] == keys
    (replica,) = props["Replicas"]
    assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    if table.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {"AttributeName": table.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props
    assert [i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])] == [i.name for i in table.indexes]


def test_the_idempotency_table_expires_its_records(synth: Synthesized) -> None:
    assert topology.table("idempotency").ttl_attribute
    synth.template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "TableName": topology.physical_name(synth.stage, "idempotency"),
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": topology.table("idempotency").ttl_attribute},
        },
    )


@pytest.mark.parametrize("bucket", topology.BUCKETS, ids=lambda b: b.name)
def test_bucket_is_private_encrypted_logged_and_expiring(synth: Synthesized, bucket: topology.Bucket) -> None:
    buckets = [
        b["Properties"]
        for b in synth.of_type("AWS::S3::Bucket").values()
        if "LoggingConfiguration" in b["Properties"]
        and b["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == f"{bucket.name}/"
    ]
    (props,) = buckets
    assert props["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    if bucket.expire_after_days:
        assert props["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == bucket.expire_after_days


def test_secrets_exist_for_whatsapp_admin_token_and_each_seed_tenant(synth: Synthesized) -> None:
    config = STAGES[synth.stage]
    names = {s["Properties"]["Name"] for s in synth.of_type("AWS::SecretsManager::Secret").values()}
    expected = {config.secret_name(s.logical) for s in SECRETS if not s.per_tenant}
    expected |= {config.secret_name(f"{s.logical}/{t}") for s in SECRETS if s.per_tenant for t in config.seed_tenants}
    expected.add(config.secret_name("redis-auth"))
    assert names == expected


def test_redis_encrypts_in_transit_and_at_rest_with_auth(synth: Synthesized) -> None:
    (group,) = synth.of_type("AWS::ElastiCache::ReplicationGroup").values()
    props = group["Properties"]
    assert props["TransitEncryptionEnabled"] is True
    assert props["TransitEncryptionMode"] == "required"
    assert props["AtRestEncryptionEnabled"] is True
    assert "{{resolve:secretsmanager:" in str(props["AuthToken"])
    assert props["Port"] != 6379
    (ingress,) = synth.of_type("AWS::EC2::SecurityGroupIngress").values()
    assert ingress["Properties"]["FromPort"] == props["Port"]
    assert "SourceSecurityGroupId" in ingress["Properties"], "only the functions' security group reaches Redis"


def test_vpc_endpoints_keep_aws_calls_off_the_nat(synth: Synthesized) -> None:
    services = set()
    for endpoint in synth.of_type("AWS::EC2::VPCEndpoint").values():
        name = endpoint["Properties"]["ServiceName"]
        services.add(name if isinstance(name, str) else name["Fn::Join"][1][-1])
    flattened = " ".join(sorted(services))
    for service in ("sqs", "secretsmanager", "dynamodb", "s3", "lambda", "aps-workspaces"):
        assert f".{service}" in flattened, f"no endpoint for {service}: {flattened}"
