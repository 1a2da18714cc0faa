"""The emulator's admin calls: a partner approving or refusing a hosted link.

`Example Carrier` (demo catalogue) waits for an admin decision; the calls take the catalogue's
admin token, a project token gets 403 and no token 401.
"""

import requests
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
from scaleway_core.utils.waiter import WaitForOptions

from conftest import POP_TH2

ADMIN_TOKEN = "5ca1e000-0000-4000-8000-e000000000ad"
PARTNER_EXAMPLE_CARRIER = "5ca1e000-0000-4000-8000-b00000000002"


def admin_call(server, link_id, action, token=ADMIN_TOKEN, body=None):
    headers = {"X-Auth-Token": token} if token else {}
    return requests.post(
        f"{server}/peerlab/v1/admin/links/{link_id}/{action}",
        json=body or {},
        headers=headers,
        timeout=5,
    )


def hosted_link(api, name):
    link = api.create_link(
        name=name, pop_id=POP_TH2, bandwidth_mbps=100, partner_id=PARTNER_EXAMPLE_CARRIER
    )
    assert link.status == "requested"
    return link


def test_admin_approval_takes_a_hosted_link_into_service(server, client):
    api = InterlinkV1Beta1API(client)
    link = hosted_link(api, "approved")
    # Nobody approved it: it stays requested.
    assert api.get_link(link_id=link.id).status == "requested"

    assert admin_call(server, link.id, "approve", token=None).status_code == 401
    denied = admin_call(server, link.id, "approve", token=client.secret_key)
    assert denied.status_code == 403
    assert denied.json()["type"] == "permissions_denied"

    approved = admin_call(server, link.id, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] in ("provisioning", "ready", "active", "all_down")
    link = api.wait_for_link(
        link_id=link.id,
        options=WaitForOptions(
            stop=lambda l: l.status not in ("requested", "provisioning"),
            timeout=30,
            min_delay=1,
            max_delay=1,
        ),
    )
    assert link.status in ("ready", "active", "all_down", "limited_connectivity")
    assert api.delete_link(link_id=link.id).status == "deleted"


def test_admin_refusal(server, client):
    api = InterlinkV1Beta1API(client)
    link = hosted_link(api, "refused")
    refused = admin_call(server, link.id, "refuse", body={"reason": "no capacity"})
    assert refused.status_code == 200, refused.text
    assert api.get_link(link_id=link.id).status == "refused"
    # An unknown link is 404 with the resource named.
    missing = admin_call(server, "5ca1e000-0000-4000-8000-ffffffffffff", "approve")
    assert missing.status_code == 404
    assert missing.json()["resource"] == "link"
    assert api.delete_link(link_id=link.id).status == "deleted"
