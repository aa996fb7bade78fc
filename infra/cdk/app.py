"""Entry point of the CDK app (cdk.json: `python -m infra.cdk.app`).

npx cdk synth -c stage=dev|staging|prod [-c bundle=false] [-c grafana=true] [-c alarm_email=…]
    [-c 'live_versions={"webhook": "7"}']   (keep `live` on published versions; `make deploy CANARY=1`)
"""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.cdk import nag
from infra.cdk.config import bundle_enabled, live_versions, stage_config
from infra.cdk.stack import HotelStack


def build(app: cdk.App) -> HotelStack:
    """The stage's stack on `app`, with cdk-nag's AwsSolutions checks attached (they run at synth)."""
    context = app.node.try_get_context
    stack = HotelStack(
        app,
        config=stage_config(context),
        bundle=bundle_enabled(context),
        live_versions=live_versions(context),
        # Account/region from the CLI's credentials when it has them; environment-agnostic otherwise
        # (offline synth), which the template supports since no lookup is made.
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    nag.enable(app)
    return stack


def main() -> None:
    app = cdk.App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
