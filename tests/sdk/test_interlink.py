"""Scaleway InterLink v1beta1 through the official SDK (`scaleway.interlink.v1beta1`).

SDK methods covered: list_pops (filters, order_by, pagination), list_pops_all, get_pop, list_partners, get_partner,
list_dedicated_connections, get_dedicated_connection, create_routing_policy,
list_routing_policies, get_routing_policy, update_routing_policy, delete_routing_policy,
create_link, get_link, list_links, list_links_all, update_link, attach_routing_policy,
detach_routing_policy, set_routing_policy, enable_route_propagation,
disable_route_propagation, attach_vpc, detach_vpc, delete_link, wait_for_link (self-hosted
and hosted).
"""

import uuid

import pytest
import requests
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
from scaleway_core.api import ScalewayException, ValidationError
from scaleway_core.utils.waiter import WaitForOptions

from conftest import (
    CONNECTION_DC2,
    PARTNER_ACME,
    POP_DC2,
    POP_TH2,
    VPC,
    make_client,
)


@pytest.fixture
def api(profile):
    """The API as the profile's project: every test runs as the demo project and as a user's
    own random project (conftest's `profile`)."""
    return InterlinkV1Beta1API(profile.client())


@pytest.fixture
def other_client(profile):
    return profile.other_client()


def make_link(api, vlan, **kw):
    return api.create_link(
        name=kw.pop("name", f"link-{vlan}"),
        pop_id=POP_DC2,
        bandwidth_mbps=1000,
        connection_id=CONNECTION_DC2,
        vlan=vlan,
        **kw,
    )


def error_of(exc_info):
    e = exc_info.value
    return e.status_code, e.response.json()


def test_pops(api):
    pops = api.list_pops()
    assert pops.total_count == 2
    assert {p.id for p in pops.pops} == {POP_DC2, POP_TH2}
    assert len(api.list_pops_all()) == 2
    pop = api.get_pop(pop_id=POP_DC2)
    assert pop.name == "DC2"
    assert pop.region == "fr-par"
    assert api.list_pops(name="TH2").total_count == 1


def test_pagination_and_order(api):
    page = api.list_pops(page_size=1, page=2, order_by="name_asc")
    assert page.total_count == 2
    assert [p.name for p in page.pops] == ["TH2"]
    assert api.list_pops(page_size=1, page=3).pops == []
    names = [p.name for p in api.list_pops(order_by="name_desc").pops]
    assert names == ["TH2", "DC2"]
    with pytest.raises(ScalewayException) as e:
        api.list_pops(page_size=1000)
    status, body = error_of(e)
    assert status == 400
    assert body["details"][0]["argument_name"] == "page_size"


def test_partners(api):
    partners = api.list_partners()
    assert partners.total_count == 2
    assert api.get_partner(partner_id=PARTNER_ACME).name == "Acme Fabric"


def test_dedicated_connections(api, other_client):
    conns = api.list_dedicated_connections()
    assert conns.total_count == 2
    conn = api.get_dedicated_connection(connection_id=CONNECTION_DC2)
    assert conn.name == "demo-dc2-10g"
    assert conn.vlan_range.start == 1500 and conn.vlan_range.end == 3899
    assert api.list_dedicated_connections(pop_id=POP_DC2).total_count == 1
    other = InterlinkV1Beta1API(other_client)
    assert other.list_dedicated_connections().total_count == 0
    with pytest.raises(ScalewayException) as e:
        other.get_dedicated_connection(connection_id=CONNECTION_DC2)
    assert e.value.status_code == 404


def test_routing_policies(api):
    v4 = api.create_routing_policy(
        name="rp-sdk-v4",
        is_ipv6=False,
        tags=["sdk", "v4"],
        prefix_filter_in=["10.0.0.0/8"],
        prefix_filter_out=["172.16.0.0/22"],
    )
    assert v4.is_ipv6 is False
    assert v4.prefix_filter_in == ["10.0.0.0/8"]
    v6 = api.create_routing_policy(
        name="rp-sdk-v6",
        is_ipv6=True,
        tags=["sdk", "v6"],
        prefix_filter_in=["2001:db8::/32"],
    )
    assert v6.is_ipv6 is True
    assert api.get_routing_policy(routing_policy_id=v4.id).name == "rp-sdk-v4"
    names = {p.name for p in api.list_routing_policies(name="rp-sdk").routing_policies}
    assert {"rp-sdk-v4", "rp-sdk-v6"} <= names
    only_v6 = api.list_routing_policies(name="rp-sdk", ipv6=True).routing_policies
    assert [p.id for p in only_v6] == [v6.id]
    only_v4 = api.list_routing_policies(name="rp-sdk", ipv6=False).routing_policies
    assert [p.id for p in only_v4] == [v4.id]
    tagged = api.list_routing_policies(tags=["v6"]).routing_policies
    assert v6.id in {p.id for p in tagged} and v4.id not in {p.id for p in tagged}
    updated = api.update_routing_policy(routing_policy_id=v4.id, name="rp-sdk-v4b")
    assert updated.name == "rp-sdk-v4b"
    # A v4 policy refuses v6 prefixes.
    with pytest.raises(ScalewayException) as e:
        api.create_routing_policy(name="bad", is_ipv6=False, prefix_filter_in=["2001:db8::/32"])
    status, body = error_of(e)
    assert status == 400 and body["type"] == "invalid_arguments"
    scratch = api.create_routing_policy(name="rp-scratch", is_ipv6=False)
    api.delete_routing_policy(routing_policy_id=scratch.id)
    with pytest.raises(ScalewayException) as e:
        api.get_routing_policy(routing_policy_id=scratch.id)
    assert e.value.status_code == 404


def test_link_lifecycle(api, vlan):
    v4 = api.create_routing_policy(name="lc-v4", is_ipv6=False, prefix_filter_in=["10.0.0.0/8"])
    v4b = api.create_routing_policy(name="lc-v4b", is_ipv6=False, prefix_filter_in=["10.1.0.0/16"])
    v6 = api.create_routing_policy(name="lc-v6", is_ipv6=True, prefix_filter_in=["2001:db8::/32"])
    link = make_link(api, vlan, name="lc", tags=["sdk"], peer_asn=65001)
    assert link.vlan == vlan
    assert link.self_ is not None and link.self_.connection_id == CONNECTION_DC2
    assert link.scw_bgp_config.asn == 12876
    assert link.peer_bgp_config.asn == 65001
    assert link.bgp_v4_status == "disabled"

    link = api.wait_for_link(link_id=link.id)
    assert link.status != "configuring"
    assert api.get_link(link_id=link.id).id == link.id

    listed = api.list_links(name="lc", tags=["sdk"])
    assert link.id in {l.id for l in listed.links}
    assert link.id in {l.id for l in api.list_links_all(connection_id=CONNECTION_DC2)}
    assert api.list_links(kind="self_hosted", pop_id=POP_DC2).total_count >= 1

    link = api.update_link(link_id=link.id, name="lc2", tags=["sdk", "x"], peer_asn=65002)
    assert (link.name, link.tags, link.peer_bgp_config.asn) == ("lc2", ["sdk", "x"], 65002)

    link = api.attach_routing_policy(link_id=link.id, routing_policy_id=v4.id)
    assert link.routing_policy_v4_id == v4.id
    assert link.bgp_v4_status in ("down", "up")
    link = api.attach_routing_policy(link_id=link.id, routing_policy_id=v6.id)
    assert link.routing_policy_v6_id == v6.id
    assert api.list_links(routing_policy_id=v4.id).total_count == 1
    link = api.set_routing_policy(link_id=link.id, routing_policy_id=v4b.id)
    assert link.routing_policy_v4_id == v4b.id
    link = api.detach_routing_policy(link_id=link.id, routing_policy_id=v6.id)
    assert link.routing_policy_v6_id is None
    assert link.bgp_v6_status == "disabled"

    link = api.enable_route_propagation(link_id=link.id)
    assert link.enable_route_propagation is True
    link = api.disable_route_propagation(link_id=link.id)
    assert link.enable_route_propagation is False

    link = api.attach_vpc(link_id=link.id, vpc_id=VPC)
    assert link.vpc_id == VPC
    assert api.list_links(vpc_id=VPC).total_count >= 1
    link = api.detach_vpc(link_id=link.id)
    assert link.vpc_id is None

    deleted = api.delete_link(link_id=link.id)
    assert deleted.status == "deleted"
    with pytest.raises(ScalewayException) as e:
        api.get_link(link_id=link.id)
    assert e.value.status_code == 404


def test_hosted_link_goes_active(api):
    # Acme Fabric approves by itself after 2 s and provisions in 3 s (demo catalogue).
    link = api.create_link(
        name="hosted", pop_id=POP_DC2, bandwidth_mbps=1000, partner_id=PARTNER_ACME
    )
    assert link.status == "requested"
    assert link.partner is not None and link.partner.partner_id == PARTNER_ACME
    assert link.self_ is None
    assert [l.id for l in api.list_links(pairing_key=link.partner.pairing_key).links] == [link.id]
    assert link.id in {l.id for l in api.list_links(kind="hosted", partner_id=PARTNER_ACME).links}
    link = api.wait_for_link(
        link_id=link.id,
        options=WaitForOptions(
            stop=lambda l: l.status not in ("requested", "provisioning"),
            timeout=30,
            min_delay=1,
            max_delay=1,
        ),
    )
    assert link.status in ("active", "all_down", "limited_connectivity", "ready")
    assert api.delete_link(link_id=link.id).status == "deleted"


def test_bad_uuid_is_400(api):
    # The SDK only checks that path parameters are not empty: the server must refuse.
    with pytest.raises(ScalewayException) as e:
        api.get_link(link_id="not-a-uuid")
    status, body = error_of(e)
    assert status == 400
    assert body["type"] == "invalid_arguments"
    assert body["details"][0]["argument_name"] == "link_id"
    with pytest.raises(ScalewayException) as e:
        api.list_links(pop_id="nope")
    status, body = error_of(e)
    assert status == 400
    assert body["details"][0]["argument_name"] == "pop_id"


def test_unknown_link_is_404(api):
    missing = str(uuid.uuid4())
    with pytest.raises(ScalewayException) as e:
        api.get_link(link_id=missing)
    status, body = error_of(e)
    assert status == 404
    assert body["type"] == "not_found"
    assert body["resource"] == "link"
    assert body["resource_id"] == missing


def test_vlan_taken_is_invalid_arguments(api, vlan):
    make_link(api, vlan)
    with pytest.raises(ScalewayException) as e:
        make_link(api, vlan, name="again")
    status, body = error_of(e)
    assert status == 400
    assert body["type"] == "invalid_arguments"
    assert body["details"][0]["argument_name"] == "vlan"


def test_no_token_is_401(profile):
    server = profile.url
    client = make_client(server, "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001")
    with pytest.raises(ScalewayException) as e:
        InterlinkV1Beta1API(client).list_links()
    status, body = error_of(e)
    assert status == 401
    assert body["type"] == "denied_authentication"
    r = requests.get(f"{server}/interlink/v1beta1/regions/fr-par/links")
    assert r.status_code == 401
    assert r.json()["type"] == "denied_authentication"


def test_other_projects_link_is_404(api, other_client, vlan):
    link = make_link(api, vlan)
    other = InterlinkV1Beta1API(other_client)
    with pytest.raises(ScalewayException) as e:
        other.get_link(link_id=link.id)
    assert e.value.status_code == 404
    assert link.id not in {l.id for l in other.list_links_all()}
    with pytest.raises(ScalewayException) as e:
        other.delete_link(link_id=link.id)
    assert e.value.status_code == 404


def test_list_all_helpers_and_wait_for_dedicated_connection(api):
    # The *_all helpers walk every page; with page_size 1 they need several requests.
    partners = api.list_partners_all(page_size=1)
    assert {p.id for p in partners} == {p.id for p in api.list_partners().partners}
    assert len(partners) >= 2
    connections = api.list_dedicated_connections_all(page_size=1)
    assert CONNECTION_DC2 in {c.id for c in connections}
    assert len(connections) >= 2
    created = [
        api.create_routing_policy(name=f"all-{i}", is_ipv6=False, prefix_filter_in=["10.0.0.0/8"])
        for i in range(3)
    ]
    policies = api.list_routing_policies_all(page_size=1)
    assert {p.id for p in created} <= {p.id for p in policies}
    # A demo dedicated connection is active: the waiter returns it at once.
    connection = api.wait_for_dedicated_connection(connection_id=CONNECTION_DC2)
    assert connection.id == CONNECTION_DC2
    assert connection.status == "active"
    for p in created:
        api.delete_routing_policy(routing_policy_id=p.id)


def test_empty_path_parameter_is_refused_by_the_sdk(api):
    # The SDK checks path parameters before sending anything.
    with pytest.raises(ValueError):
        api.get_link(link_id="")


def test_error_classes_are_those_the_real_service_gives(api, profile, vlan):
    """Each refused call raises the SDK's `ScalewayException` with the status and standard body
    (`type`) that InterLink sends, never the SDK's `ValidationError`.

    `ValidationError` is the SDK's class for the legacy body `{"message": "Validation Error",
    "fields": {…}}` that only Scaleway's older APIs (instance v1) send (scaleway-sdk-go documents
    `fields` as "only used by instance API"). InterLink v1beta1 and IPAM v1 answer bad arguments
    with the standard `invalid_arguments` body, so a script that catches `ValidationError`
    against the real InterLink never sees one, and must not see one here either.
    """
    policy = api.create_routing_policy(name="in-use", is_ipv6=False, prefix_filter_in=["10.0.0.0/8"])
    make_link(api, vlan, routing_policy_v4_id=policy.id)
    anonymous = InterlinkV1Beta1API(
        make_client(profile.url, "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001")
    )
    cases = [
        ("malformed UUID", lambda: api.get_link(link_id="not-a-uuid"), 400, "invalid_arguments", "link_id"),
        (
            "malformed CIDR",
            lambda: api.create_routing_policy(name="bad", is_ipv6=False, prefix_filter_in=["10.0.0.0/33"]),
            400,
            "invalid_arguments",
            "prefix_filter_in.0",
        ),
        ("unknown enum", lambda: api.list_links(order_by="sideways"), 400, "invalid_arguments", "order_by"),
        (
            "bandwidth not offered",
            lambda: api.create_link(
                name="odd-bandwidth",
                pop_id=POP_DC2,
                bandwidth_mbps=3,
                connection_id=CONNECTION_DC2,
                vlan=vlan + 1,
            ),
            400,
            "invalid_arguments",
            "bandwidth_mbps",
        ),
        ("unknown link", lambda: api.get_link(link_id=str(uuid.uuid4())), 404, "not_found", None),
        ("policy in use", lambda: api.delete_routing_policy(routing_policy_id=policy.id), 412, "precondition_failed", None),
        ("unknown token", lambda: anonymous.list_links(), 401, "denied_authentication", None),
    ]
    for what, call, status, kind, argument in cases:
        with pytest.raises(ScalewayException) as e:
            call()
        assert type(e.value) is ScalewayException, f"{what}: {type(e.value).__name__}"
        assert not isinstance(e.value, ValidationError), what
        assert e.value.status_code == status, what
        body = e.value.response.json()
        assert body["type"] == kind, what
        assert body["message"] != "Validation Error" and "fields" not in body, what
        if argument:
            assert argument in {d["argument_name"] for d in body["details"]}, f"{what}: {body}"
