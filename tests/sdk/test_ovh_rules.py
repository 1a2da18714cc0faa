"""The rules of OVHcloud Connect, each breach a 400 or 409 with OVH's error body, checked with
the official `ovh` client; and what the configurations make the engine run.
"""

from ovh.exceptions import BadParametersError, ResourceConflictError, ResourceNotFoundError

from ovh_support import (  # noqa: F401 (fixtures)
    create,
    INTERFACE_A,
    INTERFACE_B,
    SERVICE_A,
    SERVICE_B,
    VRACK,
    VRACK_2,
    expect_error,
    in_vrack,
    l3_dc,
    l3_pop,
    occ,
    ovh_server,
)

POPS = f"/ovhCloudConnect/{SERVICE_A}/config/pop"


def active_l3(server, client):
    """Service A in the vRack with an active l3 PoP and datacenter: (pop id, datacenter path)."""
    in_vrack(server, client)
    pop = l3_pop(client)
    dc = l3_dc(client, pop["id"])
    server.settle()
    return pop["id"], f"{POPS}/{pop['id']}/datacenter/{dc['id']}"


def test_a_service_must_be_in_a_vrack_before_any_pop_configuration(ovh_server, occ):
    body = expect_error(ResourceConflictError, 409, l3_pop, occ)
    assert "vRack" in body["message"]
    occ.post(f"/vrack/{VRACK}/ovhCloudConnect", ovhCloudConnect=SERVICE_A)
    # Still joining: still refused.
    expect_error(ResourceConflictError, 409, l3_pop, occ)
    ovh_server.settle()
    assert l3_pop(occ)["status"] == "init"


def test_l3_pop_takes_a_slash_30_and_both_areas(ovh_server, occ):
    in_vrack(ovh_server, occ)
    for subnet in ["192.0.2.0/29", "192.0.2.0/31", "192.0.2.1/30", "not-a-subnet"]:
        expect_error(BadParametersError, 400, l3_pop, occ, subnet=subnet)
    expect_error(BadParametersError, 400, occ.post, POPS, interfaceId=INTERFACE_A, type="l3",
                 ovhBgpArea=65501, subnet="192.0.2.0/30")
    expect_error(BadParametersError, 400, occ.post, POPS, interfaceId=INTERFACE_A, type="l3",
                 customerBgpArea=65001, subnet="192.0.2.0/30")
    expect_error(BadParametersError, 400, occ.post, POPS, interfaceId=INTERFACE_A, type="l3",
                 customerBgpArea=65001, ovhBgpArea=65501)
    expect_error(BadParametersError, 400, occ.post, POPS, interfaceId=INTERFACE_A, type="l2",
                 subnet="192.0.2.0/30")
    expect_error(ResourceNotFoundError, 404, l3_pop, occ, interface=INTERFACE_B)
    pop = l3_pop(occ)
    ovh_server.settle()
    # OVH on the first usable address, the customer on the second, with their areas.
    [session] = ovh_server.runtime()["sessions"]
    assert session["id"] == f"ovh-pop-{pop['id']}"
    assert (session["local"], session["peer"]) == ("192.0.2.1", "192.0.2.2")
    assert (session["local_asn"], session["peer_asn"]) == (65501, 65001)
    # One PoP configuration per interface.
    expect_error(ResourceConflictError, 409, l3_pop, occ, subnet="192.0.2.4/30")


def test_l3_datacenter_takes_a_slash_28_or_larger(ovh_server, occ):
    in_vrack(ovh_server, occ)
    pop = l3_pop(occ)
    for subnet in ["10.10.0.0/29", "10.10.0.0/30", "10.10.0.8/28"]:
        expect_error(BadParametersError, 400, l3_dc, occ, pop["id"], subnet=subnet)
    expect_error(BadParametersError, 400, occ.post, f"{POPS}/{pop['id']}/datacenter",
                 datacenterId=1, subnet="10.10.0.0/28")
    expect_error(ResourceNotFoundError, 404, l3_dc, occ, pop["id"], datacenter=42)
    assert l3_dc(occ, pop["id"], subnet="10.10.0.0/24")["subnet"] == "10.10.0.0/24"
    # One configuration per datacenter, no overlapping subnet.
    expect_error(ResourceConflictError, 409, l3_dc, occ, pop["id"], subnet="10.20.0.0/28")
    expect_error(ResourceConflictError, 409, l3_dc, occ, pop["id"], datacenter=2,
                 subnet="10.10.0.16/28")
    ovh_server.settle()
    # The datacenter runs a VRRP gateway on its first usable address; its subnet is announced.
    runtime = ovh_server.runtime()
    [vrrp] = runtime["vrrpGroups"]
    assert (vrrp["subnet"], vrrp["virtual_address"], vrrp["state"]) == (
        "10.10.0.0/24", "10.10.0.1", "master")
    # The data plane's VRRP elects router A (priority 200, 10.10.0.2) over B (100, 10.10.0.3),
    # once Master_Down_Interval (3 s + skew) has passed since the configuration became active.
    assert vrrp["master"] is None or vrrp["master"] == "A"
    ovh_server.advance(5)
    [vrrp] = ovh_server.runtime()["vrrpGroups"]
    assert vrrp["master"] == "A"
    assert [(r["name"], r["address"], r["priority"], r["state"]) for r in vrrp["routers"]] == [
        ("A", "10.10.0.2", 200, "master"), ("B", "10.10.0.3", 100, "backup")]
    assert runtime["sessions"][0]["announce"] == ["10.10.0.0/24"]


def test_next_hop_and_bgp_neighbor_must_lie_inside_the_datacenter_subnet(ovh_server, occ):
    _, dc = active_l3(ovh_server, occ)
    for hop in ["10.99.0.5", "10.10.0.16", "10.10.0.0", "10.10.0.15", "10.10.0.1"]:
        expect_error(BadParametersError, 400, occ.post, f"{dc}/extra", type="network",
                     nextHop=hop, subnet="172.20.0.0/16")
    for ip in ["10.99.0.4", "10.10.0.15"]:
        expect_error(BadParametersError, 400, occ.post, f"{dc}/extra", type="bgp",
                     bgpNeighborArea=65100, bgpNeighborIp=ip)
    expect_error(BadParametersError, 400, occ.post, f"{dc}/extra", type="bgp",
                 bgpNeighborIp="10.10.0.4")
    expect_error(BadParametersError, 400, occ.post, f"{dc}/extra", type="network",
                 nextHop="10.10.0.5")
    assert create(occ, f"{dc}/extra", type="network", nextHop="10.10.0.5",
                    subnet="172.20.0.0/16")["status"] == "init"


def test_static_routes_and_bgp_never_in_the_same_datacenter_configuration(ovh_server, occ):
    _, dc = active_l3(ovh_server, occ)
    route = create(occ, f"{dc}/extra", type="network", nextHop="10.10.0.5", subnet="172.20.0.0/16")
    body = expect_error(ResourceConflictError, 409, occ.post, f"{dc}/extra", type="bgp",
                        bgpNeighborArea=65100, bgpNeighborIp="10.10.0.4")
    assert "same datacenter" in body["message"]
    ovh_server.settle()
    runtime = ovh_server.runtime()
    assert runtime["staticRoutes"] == [
        {"extra_id": route["id"], "prefix": "172.20.0.0/16", "next_hop": "10.10.0.5"}]
    assert "172.20.0.0/16" in runtime["sessions"][0]["announce"]
    # Replace it by a BGP session: allowed once the route is gone; VRRP goes off.
    occ.delete(f"{dc}/extra/{route['id']}")
    expect_error(ResourceConflictError, 409, occ.post, f"{dc}/extra", type="bgp",
                 bgpNeighborArea=65100, bgpNeighborIp="10.10.0.4")
    ovh_server.settle()
    bgp = create(occ, f"{dc}/extra", type="bgp", bgpNeighborArea=65100, bgpNeighborIp="10.10.0.4")
    expect_error(ResourceConflictError, 409, occ.post, f"{dc}/extra", type="network",
                 nextHop="10.10.0.5", subnet="172.20.0.0/16")
    ovh_server.settle()
    runtime = ovh_server.runtime()
    assert runtime["vrrpGroups"][0]["state"] == "off"
    assert runtime["vrrpGroups"][0]["master"] is None
    assert [r["state"] for r in runtime["vrrpGroups"][0]["routers"]] == ["initialize"] * 2
    extra_session = [s for s in runtime["sessions"] if s["id"] == f"ovh-extra-{bgp['id']}"]
    assert extra_session and extra_session[0]["peer"] == "10.10.0.4"
    assert extra_session[0]["local"] == "10.10.0.1"
    assert extra_session[0]["peer_asn"] == 65100


def test_extras_exist_only_on_l3(ovh_server, occ):
    in_vrack(ovh_server, occ)
    pop = create(occ, POPS, interfaceId=INTERFACE_A, type="l2")
    expect_error(BadParametersError, 400, l3_dc, occ, pop["id"])
    dc = create(occ, f"{POPS}/{pop['id']}/datacenter", datacenterId=1)
    assert dc["status"] == "init" and dc["subnet"] is None and dc["ovhBgpArea"] is None
    expect_error(BadParametersError, 400, occ.post,
                 f"{POPS}/{pop['id']}/datacenter/{dc['id']}/extra", type="bgp",
                 bgpNeighborArea=65100, bgpNeighborIp="10.10.0.4")


def test_switching_between_l2_and_l3_requires_deleting_the_configuration_first(ovh_server, occ):
    in_vrack(ovh_server, occ)
    pop = create(occ, POPS, interfaceId=INTERFACE_A, type="l2")
    ovh_server.settle()
    body = expect_error(ResourceConflictError, 409, l3_pop, occ)
    assert "deleting the configuration first" in body["message"]
    occ.delete(f"{POPS}/{pop['id']}")
    expect_error(ResourceConflictError, 409, l3_pop, occ)
    ovh_server.settle()
    assert l3_pop(occ)["type"] == "l3"


def test_datacenters_inherit_from_an_existing_configuration_in_the_same_vrack(ovh_server, occ):
    pop_a, dc_path = active_l3(ovh_server, occ)
    dc_id = int(dc_path.rsplit("/", 1)[1])
    in_vrack(ovh_server, occ, service=SERVICE_B)
    pop_b = l3_pop(occ, service=SERVICE_B, interface=INTERFACE_B, subnet="192.0.2.4/30",
                   customer=65003)
    pops_b = f"/ovhCloudConnect/{SERVICE_B}/config/pop"
    assert occ.get(f"{pops_b}/{pop_b['id']}/datacenter") == [dc_id]
    inherited = occ.get(f"{pops_b}/{pop_b['id']}/datacenter/{dc_id}")
    assert inherited["subnet"] == "10.10.0.0/28"
    ovh_server.settle()
    sessions = ovh_server.runtime()["sessions"]
    assert len(sessions) == 2
    assert all(s["announce"] == ["10.10.0.0/28"] for s in sessions)
    # Deleting A's PoP configuration leaves the shared datacenter configuration to B.
    occ.delete(f"{POPS}/{pop_a}")
    ovh_server.settle()
    assert occ.get(f"{pops_b}/{pop_b['id']}/datacenter/{dc_id}")["status"] == "active"
    # A /30 that overlaps one in the vRack is refused.
    expect_error(ResourceConflictError, 409, l3_pop, occ, subnet="192.0.2.4/30")


def test_a_service_in_another_vrack_inherits_nothing(ovh_server, occ):
    active_l3(ovh_server, occ)
    in_vrack(ovh_server, occ, service=SERVICE_B, vrack=VRACK_2)
    pop_b = l3_pop(occ, service=SERVICE_B, interface=INTERFACE_B)
    assert occ.get(f"/ovhCloudConnect/{SERVICE_B}/config/pop/{pop_b['id']}/datacenter") == []


def test_a_locked_interface_carries_no_session(ovh_server, occ):
    active_l3(ovh_server, occ)
    assert len(ovh_server.runtime()["sessions"]) == 1
    occ.post(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}/lock")
    ovh_server.settle()
    assert ovh_server.runtime()["sessions"] == []
    occ.post(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}/unlock")
    ovh_server.settle()
    assert len(ovh_server.runtime()["sessions"]) == 1


def test_admin_vrrp_crashes_stops_and_starts_a_router(ovh_server, occ):
    import requests

    from ovh_support import ADMIN_TOKEN

    active_l3(ovh_server, occ)
    ovh_server.advance(5)
    [vrrp] = ovh_server.runtime()["vrrpGroups"]
    assert vrrp["master"] == "A"
    dc_id = vrrp["datacenter_config_id"]

    def act(router, action, dc=dc_id):
        return requests.post(
            f"{ovh_server.url}/peerlab/v1/admin/ovh/vrrp",
            json={"datacenterConfigId": dc, "router": router, "action": action},
            headers={"X-Auth-Token": ADMIN_TOKEN},
            timeout=5,
        )

    # A crashes: nobody is master until B's Master_Down_Interval has passed.
    r = act("A", "crash")
    assert r.status_code == 200, r.text
    assert r.json()["master"] is None
    assert [(x["name"], x["running"]) for x in r.json()["routers"]] == [
        ("A", False), ("B", True)]
    ovh_server.advance(5)
    assert ovh_server.runtime()["vrrpGroups"][0]["master"] == "B"
    # A comes back and preempts.
    assert act("A", "start").json()["master"] == "B"
    ovh_server.advance(5)
    assert ovh_server.runtime()["vrrpGroups"][0]["master"] == "A"
    # A clean stop hands over too.
    act("A", "stop")
    ovh_server.advance(2)
    assert ovh_server.runtime()["vrrpGroups"][0]["master"] == "B"
    # Only A and B, only known gateways, only the three actions; no token, no call.
    assert act("C", "crash").status_code == 400
    assert act("A", "reboot").status_code == 400
    assert act("A", "crash", dc=dc_id + 100).status_code == 404
    r = requests.post(f"{ovh_server.url}/peerlab/v1/admin/ovh/vrrp", timeout=5,
                      json={"datacenterConfigId": dc_id, "router": "A", "action": "start"})
    assert r.status_code in (401, 403), r.text
