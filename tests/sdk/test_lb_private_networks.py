"""Scaleway Load Balancer through the official SDK: private networks and their IPAM addresses,
for both `LbV1ZonedAPI` and `LbV1API`, on a `peerlab serve` of their own whose configuration
adds a VPC of nine private networks (10.20.N.0/24) to the demo.

SDK methods covered here (each for both classes): attach_private_network,
detach_private_network, list_lb_private_networks, list_lb_private_networks_all; and the rules
they bring: the IPAM record (`resource.type = lb_server`), static addresses inside the subnet,
at most eight networks, servers of a private LB on its networks only.
"""

import time
import uuid

import pytest
from scaleway.ipam.v1 import IpamV1API, Source
from scaleway.lb.v1 import PrivateNetworkIpamConfig, PrivateNetworkStaticConfig

from conftest import DEMO_PROJECT, DEMO_TOKEN, OTHER_PROJECT, OTHER_TOKEN, PRIVATE_NETWORK, start_serve
from lb_support import backend, error_of, lb_client, make_api, ready_lb

KINDS = ["zoned", "regional"]


def pn_id(n: int) -> str:
    """The ID the catalogue gives `pn<n>` of VPC `lbvpc` (set explicitly in the config)."""
    return f"5ca1e000-4b00-4000-8000-{n:012x}"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    config = tmp_path_factory.mktemp("lb") / "lb.toml"
    nets = ",\n".join(
        f'  {{ id = "{pn_id(n)}", name = "pn{n}", subnets = ["10.20.{n}.0/24", "fd20:0:0:{n}::/64"] }}'
        for n in range(9)
    )
    config.write_text(f'[[vpcs]]\nname = "lbvpc"\nproject = "demo"\nprivate_networks = [\n{nets}\n]\n')
    with start_serve(["--config", str(config)]) as url:
        yield url


@pytest.fixture(params=KINDS)
def api(request, own_server):
    return make_api(request.param, lb_client(own_server, DEMO_TOKEN, DEMO_PROJECT))


@pytest.fixture
def ipam(own_server):
    return IpamV1API(lb_client(own_server, DEMO_TOKEN, DEMO_PROJECT))


@pytest.fixture
def private_lb(api):
    lb = ready_lb(api, assign_flexible_ip=False)
    yield lb
    api.delete_lb(lb_id=lb.id, release_ip=True)


def lb_ips(ipam, lb_id):
    return ipam.list_i_ps(resource_id=lb_id, resource_type="lb_server").ips


def test_attach_gives_an_ipam_address_and_detach_takes_it(api, ipam, private_lb):
    pn = api.attach_private_network(lb_id=private_lb.id, private_network_id=PRIVATE_NETWORK)
    assert pn.status == "pending" and pn.private_network_id == PRIVATE_NETWORK
    assert pn.lb.id == private_lb.id and pn.lb.private_network_count == 1
    assert pn.dhcp_config is not None and pn.ipam_ids == []
    ips = lb_ips(ipam, private_lb.id)
    assert len(ips) == 1
    ip = ips[0]
    assert ip.address.startswith("172.16.") and ip.address.endswith("/22")
    assert ip.resource.type_ == "lb_server" and ip.resource.id == private_lb.id
    assert ip.resource.name == private_lb.name
    assert ip.resource.mac_address.startswith("02:00:00:")
    assert ip.resource.mac_address == ip.resource.mac_address.upper(), "as recorded"
    time.sleep(0.5)
    listed = api.list_lb_private_networks(lb_id=private_lb.id)
    assert listed.total_count == 1
    ready = listed.private_network[0]
    assert ready.status == "ready" and ready.ipam_ids == [ip.id] and ready.dhcp_config.ip_id == ip.id
    assert [p.private_network_id for p in api.list_lb_private_networks_all(lb_id=private_lb.id)] == [PRIVATE_NETWORK]

    # The private LB's servers must be on its network.
    backend(api, private_lb.id, servers=["172.16.1.10"])
    status, body = error_of(backend, api, private_lb.id, servers=["192.0.2.10"])
    assert status == 400 and body["details"][0]["argument_name"] == "server_ip.0"
    assert "not reachable" in body["details"][0]["help_message"]

    assert api.detach_private_network(lb_id=private_lb.id, private_network_id=PRIVATE_NETWORK) is None
    assert lb_ips(ipam, private_lb.id) == []
    time.sleep(0.5)
    assert api.list_lb_private_networks(lb_id=private_lb.id).total_count == 0
    status, body = error_of(api.detach_private_network, lb_id=private_lb.id, private_network_id=PRIVATE_NETWORK)
    assert (status, body) == (404, {"message": "privateNetwork not Found"})


def test_static_and_ipam_addressing(api, ipam, private_lb):
    status, body = error_of(
        api.attach_private_network,
        lb_id=private_lb.id,
        private_network_id=pn_id(0),
        static_config=PrivateNetworkStaticConfig(ip_address=["192.168.1.1/25"]),
    )
    assert status == 400 and body["details"][0]["argument_name"] == "static_config.ip_address"
    pn = api.attach_private_network(
        lb_id=private_lb.id, private_network_id=pn_id(0), static_config=PrivateNetworkStaticConfig(ip_address=["10.20.0.100"])
    )
    assert pn.static_config.ip_address == ["10.20.0.100"] and pn.ipam_ids == []
    assert [i.address for i in lb_ips(ipam, private_lb.id)] == ["10.20.0.100/24"]

    booked = ipam.book_ip(source=Source(private_network_id=pn_id(1)), is_ipv6=False, address="10.20.1.50")
    pn = api.attach_private_network(lb_id=private_lb.id, private_network_id=pn_id(1), ipam_ids=[booked.id])
    assert pn.private_network_id == pn_id(1)
    assert ipam.get_ip(ip_id=booked.id).resource.id == private_lb.id
    api.detach_private_network(lb_id=private_lb.id, private_network_id=pn_id(1))
    assert ipam.get_ip(ip_id=booked.id).resource is None, "an ipam_ids address is detached, not released"
    ipam.release_ip(ip_id=booked.id)

    pn = api.attach_private_network(lb_id=private_lb.id, private_network_id=pn_id(2), ipam_config=PrivateNetworkIpamConfig())
    assert pn.ipam_config is not None and pn.dhcp_config is None


def test_at_most_eight_networks(api, private_lb):
    for n in range(8):
        api.attach_private_network(lb_id=private_lb.id, private_network_id=pn_id(n))
    status, body = error_of(api.attach_private_network, lb_id=private_lb.id, private_network_id=pn_id(8))
    assert status == 403 and body["type"] == "quotas_exceeded"
    assert body["details"] == [{"current": 8, "quota": 8, "resource": "lb_private_networks"}]
    status, body = error_of(api.attach_private_network, lb_id=private_lb.id, private_network_id=pn_id(0))
    assert status == 409
    assert api.get_lb(lb_id=private_lb.id).private_network_count == 8
    page = api.list_lb_private_networks(lb_id=private_lb.id, page=2, page_size=5, order_by="created_at_desc")
    assert page.total_count == 8 and len(page.private_network) == 3
    assert page.private_network[-1].private_network_id == pn_id(0)


def test_unknown_and_foreign_networks(own_server, api, private_lb):
    status, body = error_of(api.attach_private_network, lb_id=private_lb.id, private_network_id=str(uuid.uuid4()))
    assert (status, body) == (404, {"message": "privateNetwork not Found"})
    other = make_api("zoned", lb_client(own_server, OTHER_TOKEN, OTHER_PROJECT))
    status, body = error_of(other.attach_private_network, lb_id=private_lb.id, private_network_id=PRIVATE_NETWORK)
    assert (status, body) == (404, {"message": "lbs not Found"})
    status, _ = error_of(other.list_lb_private_networks, lb_id=private_lb.id)
    assert status == 404


def test_deleting_the_lb_releases_its_addresses(api, ipam):
    lb = ready_lb(api, assign_flexible_ip=False)
    api.attach_private_network(lb_id=lb.id, private_network_id=pn_id(3))
    assert len(lb_ips(ipam, lb.id)) == 1
    api.delete_lb(lb_id=lb.id, release_ip=True)
    assert lb_ips(ipam, lb.id) == []
