"""The AWS CDK app of agente-hotel: one stack per stage, built from `infra/topology.py`."""
