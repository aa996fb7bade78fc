from __future__ import annotations

from functions.tenant_admin.dashboard import render
from hotel_common.tenancy.models import Identifier, Tenant


def test_values_are_escaped_and_guest_identifiers_masked() -> None:
    tenant = Tenant(tenant_id="evil-inn", name="<script>alert(1)</script>")
    identifiers = [
        Identifier(identifier="100000000000003", tenant_id="evil-inn", kind="phone_number_id"),
        Identifier(identifier="34611222333", tenant_id="evil-inn", kind="phone"),
    ]
    html = render([(tenant, identifiers)], {"evil-inn": 7}, "now")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "100000000000003" in html  # the hotel's own number is shown
    assert "34611222333" not in html  # a guest's phone is not
    assert '<td class="messages">7</td>' in html


def test_unreadable_counts_are_said_not_shown_as_zero() -> None:
    html = render([(Tenant(tenant_id="abc", name="A"), [])], None, "now")
    assert 'id="counts-unavailable"' in html
    assert '<td class="messages">n/a</td>' in html
