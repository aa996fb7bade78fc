"""The operator dashboard: one server-rendered HTML page (no script, every value escaped)."""

from __future__ import annotations

from html import escape

from hotel_common.tenancy.models import Identifier, Tenant, mask_identifier

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left}
th{background:#f3f3f3}.inactive{color:#999}.note{color:#a60}
"""


def render(tenants: list[tuple[Tenant, list[Identifier]]], counts: dict[str, int] | None, generated_at: str) -> str:
    rows = "\n".join(_row(tenant, identifiers, counts) for tenant, identifiers in tenants)
    total = sum(counts.values()) if counts else 0
    note = (
        '<p class="note" id="counts-unavailable">Message counts unavailable (metrics store unreachable).</p>'
        if counts is None
        else f'<p id="messages-total">Messages normalized, all tenants: {total}</p>'
    )
    active = sum(1 for tenant, _ in tenants if tenant.active)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agente-hotel: tenants</title>
<style>{_STYLE}</style></head>
<body>
<h1>Tenants</h1>
<p id="summary">{len(tenants)} tenants, {active} active. Generated {escape(generated_at)}.</p>
{note}
<table id="tenants">
<thead><tr><th>Tenant</th><th>Name</th><th>Status</th><th>Language</th><th>Timezone</th>
<th>Identifiers</th><th>Messages</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def _row(tenant: Tenant, identifiers: list[Identifier], counts: dict[str, int] | None) -> str:
    # Guest phones and e-mails are masked like in the logs; business numbers are the hotel's own.
    shown = ", ".join(
        escape(i.identifier if i.kind in ("phone_number_id", "display_phone") else mask_identifier(i.identifier))
        + f" <small>({escape(i.kind)})</small>"
        for i in sorted(identifiers, key=lambda i: i.identifier)
    )
    count = "n/a" if counts is None else str(counts.get(tenant.tenant_id, 0))
    css = "" if tenant.active else ' class="inactive"'
    return (
        f'<tr{css} data-tenant="{escape(tenant.tenant_id)}"><td>{escape(tenant.tenant_id)}</td>'
        f"<td>{escape(tenant.name)}</td><td>{escape(tenant.status)}</td><td>{escape(tenant.language)}</td>"
        f'<td>{escape(tenant.timezone)}</td><td>{shown}</td><td class="messages">{count}</td></tr>'
    )
