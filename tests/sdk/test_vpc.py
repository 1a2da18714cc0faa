"""Scaleway VPC v2 through the official SDK (`scaleway.vpc.v2`), and the terraform flow that
creates its VPC through the API before attaching a link to it.

SDK methods covered: create_vpc, get_vpc, update_vpc, delete_vpc, list_vp_cs, list_vp_cs_all,
enable_routing, enable_custom_routes_propagation, create_private_network,
get_private_network, update_private_network, delete_private_network, list_private_networks,
list_private_networks_all, enable_dhcp, list_subnets, list_subnets_all, create_route,
get_route, update_route, delete_route, get_acl; and, answered with the live API's
`501 unimplemented endpoint`: set_acl, the VPC connector, ingress rule and Object Storage
private access methods, and AddSubnets/DeleteSubnets (no longer in the SDK: sent raw).
The route table (`GET /routes-with-nexthop`, the Go SDK's RoutesWithNexthopAPI) is read raw.
What the VPC API makes is used by the other APIs as the catalogue's VPC is: a link attaches to
it, IPAM books in it, a Load Balancer attaches to it, `trace` sees it, `--state` keeps it.
"""

import pytest
import requests
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
from scaleway.ipam.v1 import IpamV1API, Source
from scaleway.vpc.v2 import AclRule, Action, AclRuleProtocol, VpcV2API
from scaleway_core.api import ScalewayException

from conftest import CONNECTION_DC2, POP_DC2, PRIVATE_NETWORK, VPC

ADMIN_TOKEN = "5ca1e000-0000-4000-8000-e000000000ad"
UNIMPLEMENTED = {"message": "unimplemented endpoint"}


@pytest.fixture
def api(profile):
    """The VPC API as the profile's project: as the demo project and as a user's own random
    project (conftest's `profile`)."""
    return VpcV2API(profile.client())


@pytest.fixture
def other(profile):
    """The `other` project's VPC API on the same server."""
    return VpcV2API(profile.other_client())


def error_of(exc_info):
    e = exc_info.value
    return e.status_code, e.response.json()


def raw(profile, method, path, body=None, token=None):
    """A request the SDK cannot make, as the profile's project."""
    r = requests.request(
        method,
        f"{profile.url}/vpc/v2/regions/fr-par{path}",
        headers={"X-Auth-Token": token or profile.token},
        json=body,
        timeout=10,
    )
    return r.status_code, (r.json() if r.content else None)


def test_vpc_lifecycle(api, profile):
    vpc = api.create_vpc(name="sdk-vpc", tags=["sdk"], enable_routing=False, enable_transitivity=False)
    # Every new VPC routes, whatever enable_routing says, as the live API answers.
    assert vpc.routing_enabled and vpc.custom_routes_propagation_enabled
    assert not vpc.is_default and vpc.private_network_count == 0
    assert vpc.project_id == profile.project and vpc.region == "fr-par"
    assert vpc.created_at is not None and vpc.created_at == vpc.updated_at
    assert api.get_vpc(vpc_id=vpc.id) == vpc

    updated = api.update_vpc(vpc_id=vpc.id, name="sdk-vpc-2", tags=["sdk", "updated"])
    assert (updated.name, updated.tags) == ("sdk-vpc-2", ["sdk", "updated"])
    assert updated.updated_at > vpc.updated_at

    listed = api.list_vp_cs(name="sdk-vpc-2")
    assert [v.id for v in listed.vpcs] == [vpc.id] and listed.total_count == 1
    assert vpc.id in {v.id for v in api.list_vp_cs_all(tags=["updated"])}
    assert VPC in {v.id for v in api.list_vp_cs_all()}
    assert api.list_vp_cs(is_default=True).total_count == 0
    page = api.list_vp_cs(page=1, page_size=1, order_by="created_at_desc")
    assert page.total_count >= 2 and len(page.vpcs) == 1
    assert api.list_vp_cs(page=999).vpcs == []

    assert api.enable_routing(vpc_id=vpc.id).routing_enabled
    assert api.enable_custom_routes_propagation(vpc_id=vpc.id).custom_routes_propagation_enabled
    acl = api.get_acl(vpc_id=vpc.id, is_ipv6=False)
    assert (acl.rules, acl.default_policy) == ([], Action.ACCEPT)

    api.delete_vpc(vpc_id=vpc.id)
    with pytest.raises(ScalewayException) as e:
        api.get_vpc(vpc_id=vpc.id)
    assert error_of(e) == (
        404,
        {"message": "resource is not found", "resource": "vpc", "resource_id": vpc.id, "type": "not_found"},
    )


def test_private_network_with_subnets(api):
    vpc = api.create_vpc(name="sdk-pn-vpc", enable_routing=True, enable_transitivity=False)
    pn = api.create_private_network(
        name="sdk-pn",
        vpc_id=vpc.id,
        subnets=["172.16.32.0/22", "fd46:78ab:30b8:177c::/64"],
        default_route_propagation_enabled=False,
        tags=["sdk"],
    )
    assert [s.subnet for s in pn.subnets] == ["172.16.32.0/22", "fd46:78ab:30b8:177c::/64"]
    assert all(s.private_network_id == pn.id and s.vpc_id == vpc.id for s in pn.subnets)
    assert pn.dhcp_enabled and pn.vpc_id == vpc.id
    # Without subnets, one of each family is chosen, clear of the VPC's.
    auto = api.create_private_network(name="sdk-auto", vpc_id=vpc.id, default_route_propagation_enabled=False)
    families = sorted(":" in s.subnet for s in auto.subnets)
    assert families == [False, True]
    assert auto.subnets[0].subnet != "172.16.32.0/22"
    assert api.get_vpc(vpc_id=vpc.id).private_network_count == 2

    assert api.get_private_network(private_network_id=pn.id) == pn
    updated = api.update_private_network(
        private_network_id=pn.id, name="sdk-pn-2", tags=["x"], default_route_propagation_enabled=True
    )
    assert (updated.name, updated.tags, updated.default_route_propagation_enabled) == ("sdk-pn-2", ["x"], True)
    assert updated.subnets == pn.subnets
    assert api.enable_dhcp(private_network_id=pn.id).dhcp_enabled

    mine = api.list_private_networks(vpc_id=vpc.id, order_by="name_desc")
    assert [p.name for p in mine.private_networks] == ["sdk-pn-2", "sdk-auto"]
    assert {p.id for p in api.list_private_networks_all(tags=["x"])} == {pn.id}
    assert api.list_private_networks(private_network_ids=[auto.id]).total_count == 1
    subnets = api.list_subnets(vpc_id=vpc.id)
    assert subnets.total_count == 4
    assert {s.id for s in api.list_subnets_all(subnet_ids=[pn.subnets[0].id])} == {pn.subnets[0].id}

    for p in (pn, auto):
        api.delete_private_network(private_network_id=p.id)
    with pytest.raises(ScalewayException) as e:
        api.get_private_network(private_network_id=pn.id)
    assert error_of(e)[0] == 404 and error_of(e)[1]["resource"] == "private_network"
    api.delete_vpc(vpc_id=vpc.id)


def test_subnets_cannot_be_added_or_deleted_as_on_the_live_api(api, profile):
    """AddSubnets/DeleteSubnets answer 501 on the live API (scaleway-sdk-go issue 3094); the SDKs
    dropped them, so they are sent raw, as the older SDKs and @scaleway/sdk-vpc still do."""
    for method in ("POST", "DELETE"):
        status, body = raw(profile, method, f"/private-networks/{PRIVATE_NETWORK}/subnets", {"subnets": ["10.9.0.0/24"]})
        assert (status, body) == (501, UNIMPLEMENTED)
    status, _ = raw(profile, "POST", f"/private-networks/{PRIVATE_NETWORK}/subnets", {}, token="nope")
    assert status == 401


def test_calls_not_served_answer_501(api):
    calls = [
        lambda: api.set_acl(
            vpc_id=VPC,
            is_ipv6=False,
            default_policy=Action.DROP,
            rules=[
                AclRule(
                    protocol=AclRuleProtocol.TCP, source="10.0.0.0/8", src_port_low=0, src_port_high=0,
                    destination="172.16.0.0/22", dst_port_low=22, dst_port_high=22, action=Action.ACCEPT,
                )
            ],
        ),
        lambda: api.list_vpc_connectors(),
        lambda: api.create_vpc_connector(vpc_id=VPC, target_vpc_id=VPC),
        lambda: api.list_ingress_rules(),
        lambda: api.enable_object_storage_private_access(vpc_id=VPC),
    ]
    for call in calls:
        with pytest.raises(ScalewayException) as e:
            call()
        assert error_of(e) == (501, UNIMPLEMENTED)


def test_routes(api, profile):
    vpc = api.create_vpc(name="sdk-route-vpc", enable_routing=True, enable_transitivity=False)
    pn = api.create_private_network(name="sdk-route-pn", vpc_id=vpc.id, subnets=["10.77.0.0/24"],
                                    default_route_propagation_enabled=False)
    route = api.create_route(description="", vpc_id=vpc.id, destination="192.168.42.0/24",
                             nexthop_private_network_id=pn.id, tags=["sdk"])
    assert route.description == "Custom route" and route.type_ == "custom"
    assert not route.is_read_only and route.nexthop_private_network_id == pn.id
    assert api.get_route(route_id=route.id) == route
    updated = api.update_route(route_id=route.id, description="to the VPN", destination="192.168.43.0/24")
    assert (updated.description, updated.destination) == ("to the VPN", "192.168.43.0/24")

    status, table = raw(profile, "GET", f"/routes-with-nexthop?vpc_id={vpc.id}&order_by=created_at_asc")
    assert status == 200 and table["total_count"] == 3
    managed = [r["route"] for r in table["routes"] if r["route"]["is_read_only"]]
    assert {r["destination"] for r in managed} == {s.subnet for s in pn.subnets}
    assert all(r["id"] == "" and r["type"] == "subnet" and r["tags"] == ["MANAGED"] for r in managed)

    # The network cannot go while the route goes through it.
    with pytest.raises(ScalewayException) as e:
        api.delete_private_network(private_network_id=pn.id)
    assert error_of(e)[0] == 412
    api.delete_route(route_id=route.id)
    with pytest.raises(ScalewayException) as e:
        api.get_route(route_id=route.id)
    # The live API's 404 for a route names no resource.
    assert error_of(e) == (
        404,
        {"message": "resource is not found", "resource": "unknown", "resource_id": "", "type": "not_found"},
    )
    api.delete_private_network(private_network_id=pn.id)
    api.delete_vpc(vpc_id=vpc.id)


def test_errors(api, profile):
    with pytest.raises(ScalewayException) as e:
        api.create_vpc(name="\0" * 1000, enable_routing=True, enable_transitivity=False)
    status, body = error_of(e)
    assert (status, body["type"], body["details"][0]["argument_name"]) == (400, "invalid_arguments", "name")
    with pytest.raises(ScalewayException) as e:
        api.create_private_network(name="no-vpc", default_route_propagation_enabled=False)
    status, body = error_of(e)
    assert (status, body["details"][0]["argument_name"], body["details"][0]["reason"]) == (400, "vpc_id", "required")
    with pytest.raises(ScalewayException) as e:
        api.create_private_network(name="bad", vpc_id=VPC, subnets=["8.8.8.0/24"],
                                   default_route_propagation_enabled=False)
    assert error_of(e)[1]["details"][0]["argument_name"] == "subnets.0"
    # A VPC with a private network, and a network with an IP booked, are in use.
    with pytest.raises(ScalewayException) as e:
        api.delete_vpc(vpc_id=VPC)
    status, body = error_of(e)
    assert (status, body["type"], body["precondition"]) == (412, "precondition_failed", "resource_still_in_use")
    ipam = IpamV1API(profile.client())
    ip = ipam.book_ip(source=Source(private_network_id=PRIVATE_NETWORK), is_ipv6=False)
    try:
        with pytest.raises(ScalewayException) as e:
            api.delete_private_network(private_network_id=PRIVATE_NETWORK)
        assert error_of(e)[1]["help_message"] == "Private Network must be empty to be deleted"
    finally:
        ipam.release_ip(ip_id=ip.id)


def test_other_project_sees_nothing(api, other):
    vpc = api.create_vpc(name="sdk-mine", enable_routing=True, enable_transitivity=False)
    pn = api.create_private_network(name="sdk-mine-pn", vpc_id=vpc.id, default_route_propagation_enabled=False)
    for call in (
        lambda: other.get_vpc(vpc_id=vpc.id),
        lambda: other.get_private_network(private_network_id=pn.id),
        lambda: other.delete_vpc(vpc_id=vpc.id),
        lambda: other.update_private_network(private_network_id=pn.id, name="theirs"),
        lambda: other.create_private_network(name="in-theirs", vpc_id=vpc.id, default_route_propagation_enabled=False),
    ):
        with pytest.raises(ScalewayException) as e:
            call()
        assert error_of(e)[0] == 404
    assert vpc.id not in {v.id for v in other.list_vp_cs_all()}
    assert pn.id not in {p.id for p in other.list_private_networks_all()}
    assert not {s.private_network_id for s in other.list_subnets_all()} & {pn.id}
    api.delete_private_network(private_network_id=pn.id)
    api.delete_vpc(vpc_id=vpc.id)


def test_the_terraform_flow_a_vpc_made_through_the_api_is_real(api, profile, vlan):
    """terraform-provider-scaleway's InterLink test creates its VPC through the VPC API, then
    attaches a link to it. Here: VPC and private network through the API, a link attached to
    the VPC, an IPAM address in the network, and `trace` sees the VPC's VRF and the network."""
    vpc = api.create_vpc(name="tf-test-interlink-vpc", tags=[], enable_routing=False, enable_transitivity=False)
    pn = api.create_private_network(name="tf-pn", vpc_id=vpc.id, subnets=["10.42.0.0/24"],
                                    default_route_propagation_enabled=False)
    interlink = InterlinkV1Beta1API(profile.client())
    link = interlink.create_link(name="tf-test-interlink-link-vpc", pop_id=POP_DC2, bandwidth_mbps=1000,
                                 connection_id=CONNECTION_DC2, vlan=vlan)
    link = interlink.attach_vpc(link_id=link.id, vpc_id=vpc.id)
    assert link.vpc_id == vpc.id
    ipam = IpamV1API(profile.client())
    ip = ipam.book_ip(source=Source(private_network_id=pn.id), is_ipv6=False)
    assert ip.address == "10.42.0.2/24"
    assert {i.id for i in ipam.list_i_ps_all(vpc_id=vpc.id, private_network_id=pn.id)} == {ip.id}

    scw = link.scw_bgp_config.ipv4.split("/")[0]

    def trace(to):
        r = requests.get(f"{profile.url}/peerlab/v1/trace", params={"from": scw, "to": to},
                         headers={"X-Auth-Token": ADMIN_TOKEN}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    # From Scaleway's side of the link, in the new VPC's VRF: the network's gateway answers...
    gateway = trace("10.42.0.1")
    assert gateway["reachable"], gateway
    assert 'VRF "tf-test-interlink-vpc"' in gateway["packets"][0]["text"]
    # ...and the booked address is on the network's segment (nothing holds it yet).
    booked = trace("10.42.0.2")
    text = booked["packets"][0]["text"]
    assert "10.42.0.0/24 (connected)" in text and "out tf-test-interlink-vpc/tf-pn" in text, text
    # The demo VPC is another routing domain.
    assert trace("172.16.0.1")["packets"][0]["reason"] == "no_route"

    # Torn down in terraform's order: the VPC is in use until the link lets go of it.
    ipam.release_ip(ip_id=ip.id)
    api.delete_private_network(private_network_id=pn.id)
    with pytest.raises(ScalewayException) as e:
        api.delete_vpc(vpc_id=vpc.id)
    assert error_of(e)[0] == 412
    interlink.detach_vpc(link_id=link.id)
    interlink.delete_link(link_id=link.id)
    api.delete_vpc(vpc_id=vpc.id)
    with pytest.raises(ScalewayException) as e:
        api.get_vpc(vpc_id=vpc.id)
    assert error_of(e)[0] == 404


def test_what_the_vpc_api_made_survives_a_kill(tmp_path):
    """`serve --state`: a VPC, its private network and a route made through the API come back
    after SIGKILL, and the network is still bookable."""
    from conftest import DEMO_PROJECT, DEMO_TOKEN, ServeProcess, make_client

    state = tmp_path / "state"
    first = ServeProcess(["--state", str(state)])
    try:
        api = VpcV2API(make_client(first.url, DEMO_TOKEN, DEMO_PROJECT))
        vpc = api.create_vpc(name="kept", enable_routing=True, enable_transitivity=False, tags=["k"])
        pn = api.create_private_network(name="kept-pn", vpc_id=vpc.id, subnets=["10.50.0.0/24"],
                                        default_route_propagation_enabled=True)
        route = api.create_route(description="kept route", vpc_id=vpc.id, destination="10.60.0.0/16",
                                 nexthop_private_network_id=pn.id)
        vpc = api.get_vpc(vpc_id=vpc.id)
    finally:
        first.kill()
    second = ServeProcess(["--state", str(state)])
    try:
        client = make_client(second.url, DEMO_TOKEN, DEMO_PROJECT)
        api = VpcV2API(client)
        assert api.get_vpc(vpc_id=vpc.id) == vpc
        assert api.get_private_network(private_network_id=pn.id) == pn
        assert api.get_route(route_id=route.id) == route
        ip = IpamV1API(client).book_ip(source=Source(private_network_id=pn.id), is_ipv6=False)
        assert ip.address == "10.50.0.2/24"
    finally:
        second.stop()


def test_a_load_balancer_attaches_to_a_network_made_here(api, profile):
    """The LB API's `attach_private_network` on a private network made through the VPC API: the
    LB gets an address of its subnet, and the network is in use until the LB lets go."""
    import time

    from lb_support import lb_client, make_api, ready_lb

    vpc = api.create_vpc(name="sdk-lb-vpc", enable_routing=True, enable_transitivity=False)
    pn = api.create_private_network(name="sdk-lb-pn", vpc_id=vpc.id, subnets=["10.66.0.0/24"],
                                    default_route_propagation_enabled=False)
    client = lb_client(profile.url, profile.token, profile.project)
    lbs = make_api("zoned", client)
    lb = ready_lb(lbs, assign_flexible_ip=False)
    try:
        attached = lbs.attach_private_network(lb_id=lb.id, private_network_id=pn.id)
        assert attached.private_network_id == pn.id
        ips = IpamV1API(client).list_i_ps(resource_id=lb.id, resource_type="lb_server").ips
        assert [ip.address for ip in ips] == ["10.66.0.2/24"]
        with pytest.raises(ScalewayException) as e:
            api.delete_private_network(private_network_id=pn.id)
        assert error_of(e)[1]["help_message"] == "Private Network must be empty to be deleted"
        lbs.detach_private_network(lb_id=lb.id, private_network_id=pn.id)
        time.sleep(0.5)
    finally:
        lbs.delete_lb(lb_id=lb.id, release_ip=True)
    api.delete_private_network(private_network_id=pn.id)
    api.delete_vpc(vpc_id=vpc.id)
