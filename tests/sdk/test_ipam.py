"""Scaleway IPAM v1 through the official SDK (`scaleway.ipam.v1`).

SDK methods covered: book_ip, get_ip, update_ip, list_i_ps, list_i_ps_all, attach_ip,
detach_ip, move_ip, release_ip, release_ip_set.
"""

import pytest
from scaleway.ipam.v1 import CustomResource, IpamV1API, Source
from scaleway_core.api import ScalewayException

from conftest import PRIVATE_NETWORK


@pytest.fixture
def ipam(profile):
    """IPAM as the profile's project: as the demo project and as a user's own random project."""
    return IpamV1API(profile.client())


@pytest.fixture
def other_client(profile):
    return profile.other_client()


def test_ip_lifecycle(ipam):
    ip = ipam.book_ip(source=Source(private_network_id=PRIVATE_NETWORK), is_ipv6=False, tags=["sdk"])
    assert ip.address.startswith("172.16.")
    assert ip.source.private_network_id == PRIVATE_NETWORK
    assert ipam.get_ip(ip_id=ip.id).address == ip.address

    ip = ipam.update_ip(ip_id=ip.id, tags=["sdk", "updated"])
    assert ip.tags == ["sdk", "updated"]

    mine = ipam.list_i_ps(private_network_id=PRIVATE_NETWORK, tags=["updated"])
    assert [i.id for i in mine.ips] == [ip.id]
    assert ip.id in {i.id for i in ipam.list_i_ps(attached=False).ips}
    assert ip.id in {i.id for i in ipam.list_i_ps_all(private_network_id=PRIVATE_NETWORK)}

    vm1 = CustomResource(mac_address="02:00:00:00:00:01", name="vm1")
    vm2 = CustomResource(mac_address="02:00:00:00:00:02", name="vm2")
    ip = ipam.attach_ip(ip_id=ip.id, resource=vm1)
    assert ip.resource is not None and ip.resource.mac_address == "02:00:00:00:00:01"
    assert ip.id in {i.id for i in ipam.list_i_ps(attached=True).ips}
    assert [i.id for i in ipam.list_i_ps(mac_address="02:00:00:00:00:01").ips] == [ip.id]
    ip = ipam.move_ip(ip_id=ip.id, from_resource=vm1, to_resource=vm2)
    assert ip.resource.mac_address == "02:00:00:00:00:02"
    ip = ipam.detach_ip(ip_id=ip.id, resource=vm2)
    assert ip.resource is None

    ipam.release_ip(ip_id=ip.id)
    with pytest.raises(ScalewayException) as e:
        ipam.get_ip(ip_id=ip.id)
    assert e.value.status_code == 404


def test_ipv6_and_release_set(ipam):
    a = ipam.book_ip(source=Source(private_network_id=PRIVATE_NETWORK), is_ipv6=True)
    b = ipam.book_ip(source=Source(private_network_id=PRIVATE_NETWORK), is_ipv6=True)
    assert ":" in a.address
    ipam.release_ip_set(ip_ids=[a.id, b.id])
    for ip in (a, b):
        with pytest.raises(ScalewayException) as e:
            ipam.get_ip(ip_id=ip.id)
        assert e.value.status_code == 404


def test_other_project_sees_nothing(ipam, other_client):
    ip = ipam.book_ip(source=Source(private_network_id=PRIVATE_NETWORK), is_ipv6=False)
    other = IpamV1API(other_client)
    with pytest.raises(ScalewayException) as e:
        other.get_ip(ip_id=ip.id)
    assert e.value.status_code == 404
    assert ip.id not in {i.id for i in other.list_i_ps_all()}
    ipam.release_ip(ip_id=ip.id)
