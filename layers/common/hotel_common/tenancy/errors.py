"""Domain refusals of the tenant store; `code` is the HTTP status the admin API answers with."""

from __future__ import annotations


class TenantStoreError(Exception):
    """A domain refusal of the store; `code` maps to the HTTP status in the admin API."""

    code = 400


class TenantNotFound(TenantStoreError):
    code = 404


class IdentifierNotFound(TenantStoreError):
    code = 404


class TenantExists(TenantStoreError):
    code = 409


class IdentifierTaken(TenantStoreError):
    code = 409
