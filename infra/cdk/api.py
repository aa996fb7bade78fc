"""The HTTP API: the topology's routes, per-route throttling, access logs, and the admin routes' authorizer."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import topology
from infra.cdk import nag
from infra.cdk.config import StageConfig, cid

ADMIN_PREFIX = "/admin"
WEBHOOK_PREFIX = "/webhooks/"
HEALTH_PREFIX = "/health"
METRICS_PATH = "/metrics"

# Why a route has no API Gateway authorizer, by path prefix. A route that matches none fails cdk-nag
# (AwsSolutions-APIG4) until someone decides how it is authenticated.
UNAUTHORIZED_BY_DESIGN = {
    WEBHOOK_PREFIX: "Meta calls the webhook without credentials: GET checks the verify token, POST the "
    "X-Hub-Signature-256 HMAC, both in the function.",
    ADMIN_PREFIX: "The function checks the bearer token against Secrets Manager (ADMIN_API_TOKEN_SECRET_ARN); "
    "`-c admin_auth=iam` adds an IAM authorizer in front.",
    HEALTH_PREFIX: "Health probes are public by design and return no data beyond up/down.",
    METRICS_PATH: "The function checks the admin bearer token (Secrets Manager) in production, as for /admin.",
}

ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}


def route_key(route: topology.Route) -> str:
    return f"{route.method} {route.path}"


def _route_id(route: topology.Route) -> str:
    words = re.findall(r"[A-Za-z0-9]+", f"{route.method.lower()} {route.path}")
    return "".join(w.capitalize() for w in words) + "Route"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigw.HttpApi(
            self,
            "HttpApi",
            api_name=config.name("api"),
            description=f"{config.stack_name}: WhatsApp webhook, admin and health routes",
            create_default_stage=False,
        )
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            detailed_metrics_enabled=True,
            throttle=apigw.ThrottleSettings(
                rate_limit=config.default_rate_per_second, burst_limit=config.default_burst
            ),
        )
        cfn_stage = self.stage.node.default_child
        assert isinstance(cfn_stage, apigw.CfnStage)
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn, format=json.dumps(ACCESS_LOG_FORMAT)
        )
        iam_authorizer = authorizers.HttpIamAuthorizer() if config.admin_auth == "iam" else None
        lambda_integrations = {
            name: integrations.HttpLambdaIntegration(f"{cid(name)}Integration", fn) for name, fn in functions.items()
        }
        route_settings: dict[str, dict[str, float | int]] = {}
        for spec in topology.ROUTES:
            admin = spec.path == ADMIN_PREFIX or spec.path.startswith(ADMIN_PREFIX + "/")
            route = apigw.HttpRoute(
                self,
                _route_id(spec),
                http_api=self.api,
                route_key=apigw.HttpRouteKey.with_(spec.path, apigw.HttpMethod[spec.method]),
                integration=lambda_integrations[spec.function],
                authorizer=iam_authorizer if admin else None,
            )
            # RouteSettings name route keys, which must exist before the stage refers to them.
            self.stage.node.add_dependency(route)
            route_settings[route_key(spec)] = {
                "ThrottlingRateLimit": spec.throttle_rate_per_second * config.throttle_scale,
                "ThrottlingBurstLimit": round(spec.throttle_burst * config.throttle_scale),
            }
            reason = next((why for prefix, why in UNAUTHORIZED_BY_DESIGN.items() if spec.path.startswith(prefix)), None)
            if reason and not (admin and iam_authorizer):
                nag.suppress(route, "APIG4", reason)
        cfn_stage.add_property_override("RouteSettings", route_settings)

    @property
    def url(self) -> str:
        """The API's base URL, ending in a slash."""
        return self.stage.url
