"""Queues, dead-letter queues, redrive, event source mappings and DLQ alarms."""

from __future__ import annotations

import json

import pytest

from infra import topology
from tests.infra.conftest import Synthesized


@pytest.mark.parametrize("queue", topology.QUEUES, ids=lambda q: q.name)
def test_queue_is_fifo_with_a_fifo_dlq_and_the_topology_redrive(synth: Synthesized, queue: topology.Queue) -> None:
    dlq_id = synth.logical_id("AWS::SQS::Queue", QueueName=topology.queue_physical_name(synth.stage, queue, dlq=True))
    queue_id = synth.logical_id("AWS::SQS::Queue", QueueName=topology.queue_physical_name(synth.stage, queue))
    props = synth.resources[queue_id]["Properties"]
    dlq = synth.resources[dlq_id]["Properties"]
    assert queue.fifo and props["FifoQueue"] is True and dlq["FifoQueue"] is True
    assert props["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": queue.max_receive_count,
    }
    assert props["VisibilityTimeout"] == queue.visibility_timeout_seconds
    assert props["MessageRetentionPeriod"] == queue.retention_seconds
    assert dlq["MessageRetentionPeriod"] == queue.dlq_retention_seconds
    assert props["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("source", topology.EVENT_SOURCES, ids=lambda s: f"{s.queue}->{s.function}")
def test_event_source_mapping_reports_batch_item_failures(synth: Synthesized, source: topology.EventSource) -> None:
    queue = topology.queue(source.queue)
    queue_id = synth.logical_id("AWS::SQS::Queue", QueueName=topology.queue_physical_name(synth.stage, queue))
    function_id = synth.function_id(source.function)
    mapping = synth.logical_id("AWS::Lambda::EventSourceMapping", EventSourceArn={"Fn::GetAtt": [queue_id, "Arn"]})
    props = synth.resources[mapping]["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BatchSize"] == source.batch_size
    consumer_timeout = synth.resources[function_id]["Properties"]["Timeout"]
    visibility = synth.resources[queue_id]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * consumer_timeout


@pytest.mark.parametrize("source", topology.EVENT_SOURCES, ids=lambda s: f"{s.queue}->{s.function}")
def test_event_source_mapping_invokes_the_live_alias(synth: Synthesized, source: topology.EventSource) -> None:
    queue = topology.queue(source.queue)
    queue_id = synth.logical_id("AWS::SQS::Queue", QueueName=topology.queue_physical_name(synth.stage, queue))
    mapping = synth.logical_id("AWS::Lambda::EventSourceMapping", EventSourceArn={"Fn::GetAtt": [queue_id, "Arn"]})
    target = synth.resources[mapping]["Properties"]["FunctionName"]
    # `<function name>:live`, the name taken from the alias's ARN: a qualified name, not $LATEST.
    parts = target["Fn::Join"][1]
    assert parts[-1] == ":live"
    assert {"Ref": synth.alias_id(source.function)} in parts[0]["Fn::Select"][1]["Fn::Split"]
    assert synth.function_id(source.function) not in json.dumps(target)


@pytest.mark.parametrize("queue", topology.QUEUES, ids=lambda q: q.name)
def test_dlq_depth_alarm_notifies_the_alarm_topic(synth: Synthesized, queue: topology.Queue) -> None:
    dlq_name = topology.queue_physical_name(synth.stage, queue, dlq=True)
    dlq_id = synth.logical_id("AWS::SQS::Queue", QueueName=dlq_name)
    alarm_id = synth.logical_id(
        "AWS::CloudWatch::Alarm", AlarmName=topology.physical_name(synth.stage, f"{queue.dlq_name}-depth")
    )
    alarm = synth.resources[alarm_id]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    (topic_id,) = synth.of_type("AWS::SNS::Topic")
    assert alarm["AlarmActions"] == [{"Ref": topic_id}]
