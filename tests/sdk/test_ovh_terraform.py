"""terraform-provider-ovh's OVHcloud Connect resources, replayed call for call against a live
`peerlab serve`, as their Go code makes them (ovh/resource_ovhcloud_connect_pop_config.go,
…_pop_datacenter_config.go, …_pop_datacenter_extra_config.go and ovhcloud_connect_task.go):

- Create: `POST` the collection with the model's `ToCreate()` body (every field of the
  Terraform model, `null` where unset: `id`, `serviceName`, `status`…), decode the answer as an
  `OccTask` (`id`, `function`, `resourceId`, `status`), wait for the task, then `GET
  …/{task.resourceId}`.
- Wait (`waitForOccTask`): `GET /ovhCloudConnect/{sn}/task/{id}` after a 30 s delay, then at
  least every 5 s, while `todo` or `doing`, until `done`; any other status fails; 10 minutes at
  most. Here the 30 s and 5 s are moved on the task clock (the admin call), not waited.
- Read: `GET` the resource by its ID.
- Delete: `DELETE` the resource, decode the `OccTask`, wait for it; children before parents
  (Terraform's dependency order), then the next read is a 404 (the resource left the state).

The data sources' lists (with their trailing slash) are read too.
"""

import pytest
from ovh.exceptions import ResourceNotFoundError

from ovh_support import INTERFACE_A, SERVICE_A, in_vrack, ovh_server  # noqa: F401 (fixture)

PENDING = ("todo", "doing")


class Terraform:
    """The provider's calls, through the official client (signed, with `/auth/time`)."""

    def __init__(self, server):
        self.server = server
        self.client = server.client()
        self.calls = []

    def call(self, method, path, body=None):
        self.calls.append((method, path))
        return self.client.call(method, path, body)

    def wait_for_occ_task(self, service, task_id):
        """`waitForOccTask`: Delay 30 s, MinTimeout 5 s, Timeout 10 min."""
        endpoint = f"/ovhCloudConnect/{service}/task/{task_id}"
        waited = 30
        self.server.advance(30)
        while True:
            task = self.call("GET", endpoint)
            assert set(task) == {"function", "id", "resourceId", "status"}, task
            if task["status"] == "done":
                return task
            assert task["status"] in PENDING, f"unexpected state {task['status']!r}: {task}"
            assert waited < 600, f"task {task_id} not done after 10 minutes"
            self.server.advance(5)
            waited += 5

    def create(self, service, collection, to_create):
        """`Create`: POST, wait for the task, GET by `resourceId`."""
        task = self.call("POST", collection, to_create)
        assert set(task) == {"function", "id", "resourceId", "status"}, task
        assert isinstance(task["id"], int) and isinstance(task["resourceId"], int)
        self.wait_for_occ_task(service, task["id"])
        return self.call("GET", f"{collection}/{task['resourceId']}")

    def delete(self, service, path):
        """`Delete`: DELETE, wait for the task."""
        task = self.call("DELETE", path)
        assert set(task) == {"function", "id", "resourceId", "status"}, task
        done = self.wait_for_occ_task(service, task["id"])
        assert done["function"].startswith("del")
        with pytest.raises(ResourceNotFoundError):
            self.call("GET", path)


def pop_to_create(**fields):
    """`OvhcloudConnectPopConfigModel.ToCreate()` as Go marshals it."""
    body = dict.fromkeys(["customerBgpArea", "id", "interfaceId", "ovhBgpArea", "serviceName",
                          "status", "subnet", "type"])
    body.update(fields)
    return body


def datacenter_to_create(**fields):
    """`OvhcloudConnectPopDatacenterConfigModel.ToCreate()`."""
    body = dict.fromkeys(["popId", "datacenterId", "id", "ovhBgpArea", "serviceName", "status",
                          "subnet"])
    body.update(fields)
    return body


def extra_to_create(**fields):
    """`OvhcloudConnectPopDatacenterExtraConfigModel.ToCreate()`."""
    body = dict.fromkeys(["bgpNeighborArea", "bgpNeighborIp", "datacenterId", "popId", "id",
                          "nextHop", "serviceName", "status", "subnet", "type"])
    body.update(fields)
    return body


def test_the_three_resources_create_read_and_delete_as_terraform_does(ovh_server):
    tf = Terraform(ovh_server)
    in_vrack(ovh_server, tf.client)
    sn = SERVICE_A
    pops = f"/ovhCloudConnect/{sn}/config/pop"

    # ovh_ovhcloud_connect_pop_config
    pop = tf.create(sn, pops, pop_to_create(
        interfaceId=INTERFACE_A, type="l3", customerBgpArea=65001, ovhBgpArea=65501,
        subnet="192.0.2.0/30"))
    assert pop["status"] == "active"
    assert (pop["interfaceId"], pop["type"], pop["subnet"]) == (INTERFACE_A, "l3", "192.0.2.0/30")
    assert tf.call("GET", f"{pops}/{pop['id']}") == pop

    # ovh_ovhcloud_connect_pop_datacenter_config
    dcs = f"{pops}/{pop['id']}/datacenter"
    dc = tf.create(sn, dcs, datacenter_to_create(datacenterId=1, ovhBgpArea=65502,
                                                 subnet="10.10.0.0/28"))
    assert (dc["status"], dc["datacenterId"], dc["subnet"]) == ("active", 1, "10.10.0.0/28")
    assert tf.call("GET", f"{dcs}/{dc['id']}") == dc

    # ovh_ovhcloud_connect_pop_datacenter_extra_config (a BGP session, then a static route
    # elsewhere is refused: the two never share a datacenter configuration)
    extras = f"{dcs}/{dc['id']}/extra"
    extra = tf.create(sn, extras, extra_to_create(type="bgp", bgpNeighborArea=65100,
                                                  bgpNeighborIp="10.10.0.4"))
    assert (extra["status"], extra["type"], extra["bgpNeighborIp"]) == ("active", "bgp",
                                                                         "10.10.0.4")
    assert extra["nextHop"] is None and extra["subnet"] is None
    assert tf.call("GET", f"{extras}/{extra['id']}") == extra

    # The data sources: lists with a trailing slash, then each element.
    assert tf.call("GET", f"{pops}/") == [pop["id"]]
    assert tf.call("GET", f"{dcs}/") == [dc["id"]]
    assert tf.call("GET", f"{extras}/") == [extra["id"]]
    assert 1 in tf.call("GET", f"/ovhCloudConnect/{sn}/datacenter/")

    # terraform destroy: children first.
    tf.delete(sn, f"{extras}/{extra['id']}")
    tf.delete(sn, f"{dcs}/{dc['id']}")
    tf.delete(sn, f"{pops}/{pop['id']}")
    assert tf.call("GET", pops) == []
    assert ovh_server.runtime()["sessions"] == []


def test_a_task_in_error_fails_the_wait_as_terraform_does(ovh_server):
    """A creation whose resource is deleted before its task is done ends in `error`, which
    `waitForOccTask` reports ("unexpected state")."""
    tf = Terraform(ovh_server)
    in_vrack(ovh_server, tf.client)
    pops = f"/ovhCloudConnect/{SERVICE_A}/config/pop"
    task = tf.call("POST", pops, pop_to_create(interfaceId=INTERFACE_A, type="l2"))
    tf.call("DELETE", f"{pops}/{task['resourceId']}")
    with pytest.raises(AssertionError, match="unexpected state 'error'"):
        tf.wait_for_occ_task(SERVICE_A, task["id"])
