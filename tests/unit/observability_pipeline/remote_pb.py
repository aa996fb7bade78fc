"""The remote write 1.0 messages (prometheus/prompb/remote.proto, types.proto) built with the official
protobuf runtime from a descriptor, so the tests decode our hand-written bytes with an independent parser."""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto


def _messages() -> dict[str, Any]:
    proto = descriptor_pb2.FileDescriptorProto(name="agente_test_remote.proto", package="prometheus", syntax="proto3")

    def message(name: str, *fields: tuple[str, int, int, int, str]) -> None:
        msg = proto.message_type.add(name=name)
        for field_name, number, kind, label, type_name in fields:
            field = msg.field.add(name=field_name, number=number, type=kind, label=label)  # type: ignore[arg-type]
            if type_name:
                field.type_name = type_name

    one, many = _F.LABEL_OPTIONAL, _F.LABEL_REPEATED
    message("Label", ("name", 1, _F.TYPE_STRING, one, ""), ("value", 2, _F.TYPE_STRING, one, ""))
    message("Sample", ("value", 1, _F.TYPE_DOUBLE, one, ""), ("timestamp", 2, _F.TYPE_INT64, one, ""))
    message(
        "TimeSeries",
        ("labels", 1, _F.TYPE_MESSAGE, many, ".prometheus.Label"),
        ("samples", 2, _F.TYPE_MESSAGE, many, ".prometheus.Sample"),
    )
    message("WriteRequest", ("timeseries", 1, _F.TYPE_MESSAGE, many, ".prometheus.TimeSeries"))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"prometheus.{name}"))
        for name in ("WriteRequest", "TimeSeries", "Label", "Sample")
    }


MESSAGES = _messages()


def decode(body: bytes) -> list[tuple[list[tuple[str, str]], list[tuple[float, int]]]]:
    """Uncompressed WriteRequest bytes → [(labels in wire order, samples in wire order)]."""
    request = MESSAGES["WriteRequest"]()
    request.ParseFromString(body)
    return [
        ([(label.name, label.value) for label in ts.labels], [(s.value, s.timestamp) for s in ts.samples])
        for ts in request.timeseries
    ]
