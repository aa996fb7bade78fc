"""Shared code of every agente-hotel function, shipped as the Lambda layer `hotel_common`."""
