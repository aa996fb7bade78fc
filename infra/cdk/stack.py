"""One stack per stage, composed of a construct per capability, all driven by infra/topology.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra import topology
from infra.cdk.alerts import AlarmTopic
from infra.cdk.api import WEBHOOK_PREFIX, Api
from infra.cdk.cache import Cache
from infra.cdk.config import StageConfig, cid
from infra.cdk.data import Data
from infra.cdk.functions import Functions, RemoteWrite
from infra.cdk.messaging import Messaging
from infra.cdk.network import Network
from infra.cdk.observability import Observability
from infra.cdk.schedules import Schedules


class HotelStack(Stack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        bundle: bool,
        live_versions: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            config.stack_name,
            description=f"{topology.APP} ({config.stage}): WhatsApp concierge for hotels, built from infra/topology.py",
            termination_protection=config.deletion_protection,
            **kwargs,
        )
        topology.validate()
        Tags.of(self).add("app", topology.APP)
        Tags.of(self).add("stage", config.stage)

        alarms = AlarmTopic(self, "Alarms", config=config)
        network = Network(self, "Network", config=config) if any(f.uses_redis for f in topology.FUNCTIONS) else None
        cache = Cache(self, "Cache", config=config, network=network) if network else None
        data = Data(self, "Data", config=config)
        messaging = Messaging(self, "Messaging", config=config, alarm_topic=alarms.topic)
        observability = Observability(self, "Observability", config=config, alarm_topic=alarms.topic)
        functions = Functions(
            self,
            "Functions",
            config=config,
            bundle=bundle,
            data=data,
            messaging=messaging,
            network=network,
            cache=cache,
            remote_write=RemoteWrite(observability.remote_write_url, observability.workspace.attr_arn),
            live_versions=live_versions,
        )
        # Every caller goes through the `live` aliases (never $LATEST), so a canary can split their traffic.
        messaging.connect(functions.aliases)
        api = Api(self, "Api", config=config, functions=functions.aliases)
        Schedules(self, "Schedules", config=config, functions=functions.aliases)

        # What an operator needs after `cdk deploy` (printed by the CLI and by `make deploy`).
        CfnOutput(self, "ApiUrl", value=api.url, description="HTTP API base URL")
        for path in sorted({r.path for r in topology.ROUTES if r.path.startswith(WEBHOOK_PREFIX)}):
            CfnOutput(
                self,
                f"{cid(path.rsplit('/', 1)[-1])}WebhookUrl",
                value=f"{api.url.rstrip('/')}{path}",
                description="Callback URL to paste in Meta's console (WhatsApp > Configuration > Webhook)",
            )
        for name, queue in messaging.queues.items():
            CfnOutput(self, f"{cid(name)}QueueUrl", value=queue.queue_url)
            CfnOutput(self, f"{cid(name)}DlqUrl", value=messaging.dlqs[name].queue_url)
        CfnOutput(self, "PrometheusRemoteWriteUrl", value=observability.remote_write_url)
        CfnOutput(self, "AlarmTopicArn", value=alarms.topic.topic_arn)
        for logical, secret in data.secrets.items():
            CfnOutput(self, f"{cid(logical)}SecretArn", value=secret.secret_arn)
        if observability.grafana is not None:
            CfnOutput(self, "GrafanaUrl", value=f"https://{observability.grafana.attr_endpoint}")
