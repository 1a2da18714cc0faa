"""Names and tags a real service refuses are refused here too, through the official SDK.

Control characters (NUL, newline, DEL, C1) in names and tags are `invalid_arguments` with
`reason: format`; names over 255 characters (the SDKs' own rule for links and routing
policies), more than 50 tags and tags over 128 characters (peerlab's choice: no source states
them) with `reason: constraint` (crates/provider/src/naming.rs).
"""

import pytest
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
from scaleway.ipam.v1 import CustomResource, IpamV1API, Source
from scaleway_core.api import ScalewayException

from conftest import CONNECTION_DC2, POP_DC2, PRIVATE_NETWORK


@pytest.fixture
def api(profile):
    return InterlinkV1Beta1API(profile.client())


def refused(call):
    """The `(argument_name, reason)` pairs of the `invalid_arguments` 400 that `call` gets."""
    with pytest.raises(ScalewayException) as e:
        call()
    assert e.value.status_code == 400
    body = e.value.response.json()
    assert body["type"] == "invalid_arguments", body
    assert body["message"] == "invalid argument(s)"
    return [(d["argument_name"], d["reason"]) for d in body["details"]]


def new_link(api, vlan, name, tags=None):
    return api.create_link(
        name=name,
        pop_id=POP_DC2,
        bandwidth_mbps=100,
        connection_id=CONNECTION_DC2,
        vlan=vlan,
        tags=tags,
    )


def test_a_link_named_with_a_thousand_nuls_is_refused(api, vlan):
    assert refused(lambda: new_link(api, vlan, "\0" * 1000)) == [("name", "format")]
    assert refused(lambda: new_link(api, vlan, "a\nb")) == [("name", "format")]
    assert refused(lambda: new_link(api, vlan, "x" * 256)) == [("name", "constraint")]
    assert refused(lambda: new_link(api, vlan, "ok", tags=["fine", "bad\x7f"])) == [
        ("tags.1", "format")
    ]
    assert refused(lambda: new_link(api, vlan, "ok", tags=[str(i) for i in range(51)])) == [
        ("tags", "constraint")
    ]
    # None of them was created; at the limits a link is.
    link = new_link(api, vlan, "é" * 255, tags=["t" * 128] * 50)
    assert link.name == "é" * 255
    assert refused(lambda: api.update_link(link_id=link.id, name="\x00")) == [("name", "format")]
    assert refused(lambda: api.update_link(link_id=link.id, tags=["\x85"])) == [
        ("tags.0", "format")
    ]
    assert api.get_link(link_id=link.id).name == "é" * 255
    api.delete_link(link_id=link.id)


def test_routing_policies_refuse_the_same_names(api):
    assert refused(
        lambda: api.create_routing_policy(name="p\0", is_ipv6=False, tags=["\t"])
    ) == [("name", "format"), ("tags.0", "format")]
    policy = api.create_routing_policy(name="p" * 255, is_ipv6=False)
    assert refused(
        lambda: api.update_routing_policy(routing_policy_id=policy.id, name="p" * 256)
    ) == [("name", "constraint")]
    api.delete_routing_policy(routing_policy_id=policy.id)


def test_ipam_refuses_them_in_tags_and_resource_names(profile):
    ipam = IpamV1API(profile.client())
    source = Source(private_network_id=PRIVATE_NETWORK)
    assert refused(lambda: ipam.book_ip(source=source, is_ipv6=False, tags=["\0"])) == [
        ("tags.0", "format")
    ]
    ip = ipam.book_ip(source=source, is_ipv6=False, tags=["ok"])
    assert refused(lambda: ipam.update_ip(ip_id=ip.id, tags=["x" * 129])) == [
        ("tags.0", "constraint")
    ]
    vm = CustomResource(mac_address="02:00:00:00:0a:01", name="vm\x1b[31m")
    assert refused(lambda: ipam.attach_ip(ip_id=ip.id, resource=vm)) == [
        ("resource.name", "format")
    ]
    ipam.release_ip(ip_id=ip.id)
