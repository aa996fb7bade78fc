"""What must differ between dev and prod, and what must not."""

from __future__ import annotations

from infra import topology
from infra.cdk.config import STAGES
from tests.infra.conftest import Synthesized


def _tables(synth: Synthesized) -> list[dict]:
    return list(synth.of_type("AWS::DynamoDB::GlobalTable").values())


def test_prod_tables_are_deletion_protected_and_retained(dev: Synthesized, prod: Synthesized) -> None:
    for table in _tables(prod):
        assert table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
    for table in _tables(dev):
        assert table["Properties"]["Replicas"][0].get("DeletionProtectionEnabled", False) is False
        assert table["DeletionPolicy"] == "Delete"


def test_prod_keeps_logs_longer(dev: Synthesized, prod: Synthesized) -> None:
    def retention(synth: Synthesized) -> set[int]:
        return {g["Properties"]["RetentionInDays"] for g in synth.of_type("AWS::Logs::LogGroup").values()}

    assert retention(dev) == {14}
    assert retention(prod) == {365}


def test_prod_retains_queues_secrets_and_buckets(dev: Synthesized, prod: Synthesized) -> None:
    for resource_type in ("AWS::SQS::Queue", "AWS::SecretsManager::Secret", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        assert {r["DeletionPolicy"] for r in prod.of_type(resource_type).values()} == {"Retain"}, resource_type
        assert {r["DeletionPolicy"] for r in dev.of_type(resource_type).values()} == {"Delete"}, resource_type


def test_prod_redis_is_multi_az_and_snapshotted_dev_is_one_node(dev: Synthesized, prod: Synthesized) -> None:
    (prod_redis,) = prod.of_type("AWS::ElastiCache::ReplicationGroup").values()
    (dev_redis,) = dev.of_type("AWS::ElastiCache::ReplicationGroup").values()
    assert prod_redis["Properties"]["MultiAZEnabled"] is True
    assert prod_redis["Properties"]["NumCacheClusters"] > 1
    assert prod_redis["DeletionPolicy"] == "Snapshot"
    assert dev_redis["Properties"]["NumCacheClusters"] == 1
    assert dev_redis["DeletionPolicy"] == "Delete"


def test_prod_stack_has_termination_protection(dev: Synthesized, prod: Synthesized) -> None:
    assert prod.stack.termination_protection is True
    assert dev.stack.termination_protection is False


def test_prod_runs_as_production(dev: Synthesized, prod: Synthesized) -> None:
    assert STAGES["prod"].environment == "production"
    assert STAGES["dev"].environment == "development"
    for synth in (dev, prod):
        for function in synth.of_type("AWS::Lambda::Function").values():
            assert function["Properties"]["Environment"]["Variables"]["ENVIRONMENT"] == STAGES[synth.stage].environment


def test_names_carry_the_stage(dev: Synthesized, prod: Synthesized) -> None:
    for synth in (dev, prod):
        names = {f["Properties"]["FunctionName"] for f in synth.of_type("AWS::Lambda::Function").values()}
        assert all(n.startswith(f"{topology.APP}-{synth.stage}-") for n in names)


def test_snap_start_on_published_versions_in_staging_and_prod_not_dev(
    dev: Synthesized, staging: Synthesized, prod: Synthesized
) -> None:
    assert (STAGES["dev"].snap_start, STAGES["staging"].snap_start, STAGES["prod"].snap_start) == (False, True, True)
    assert staging.validation_error is None, staging.validation_error  # cdk-nag clean on staging too
    for synth, expected in (
        (dev, None),
        (staging, {"ApplyOn": "PublishedVersions"}),
        (prod, {"ApplyOn": "PublishedVersions"}),
    ):
        for function in synth.of_type("AWS::Lambda::Function").values():
            assert function["Properties"].get("SnapStart") == expected, (
                synth.stage,
                function["Properties"]["FunctionName"],
            )


def test_nothing_conflicts_with_snap_start(staging: Synthesized, prod: Synthesized) -> None:
    """SnapStart excludes provisioned concurrency, EFS and ephemeral storage above 512 MB, and needs a
    runtime that supports it. CDK checks the runtime, EFS and storage at synth, but provisioned concurrency
    would only fail at deploy time."""
    for synth in (staging, prod):
        for function in synth.of_type("AWS::Lambda::Function").values():
            props = function["Properties"]
            assert props["Runtime"] == "python3.12"
            assert "FileSystemConfigs" not in props
            assert props.get("EphemeralStorage", {"Size": 512})["Size"] <= 512
        for resource_type in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
            for resource in synth.of_type(resource_type).values():
                assert "ProvisionedConcurrencyConfig" not in resource["Properties"], resource_type
