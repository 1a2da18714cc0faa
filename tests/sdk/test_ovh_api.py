"""OVHcloud Connect and vRack with the official `ovh` client: every endpoint, the task and
resource lifecycle on virtual time, OVH's signatures and error bodies.

Each test runs its own `peerlab serve` (`ovh_server`), tasks of 100 s, and moves the task
clock with the admin call instead of waiting.
"""

import hashlib
import time

import ovh
import pytest
import requests
from ovh.exceptions import (
    APIError,
    BadParametersError,
    InvalidCredential,
    InvalidKey,
    NotCredential,
    ResourceConflictError,
    ResourceNotFoundError,
)

from ovh_support import (  # noqa: F401 (fixtures)
    APPLICATION_KEY,
    APPLICATION_SECRET,
    CONSUMER_KEY,
    DATACENTERS,
    INTERFACE_A,
    INTERFACE_B,
    SERVICE_A,
    SERVICE_B,
    TASK_SECS,
    VRACK,
    VRACK_2,
    create,
    expect_error,
    in_vrack,
    l3_dc,
    l3_pop,
    occ,
    ovh_server,
)


# ---- auth ----------------------------------------------------------------------------------


def test_auth_time_is_unsigned_and_the_server_time(ovh_server):
    r = requests.get(f"{ovh_server.url}/1.0/auth/time", timeout=5)
    assert r.status_code == 200
    assert abs(r.json() - int(time.time())) < 60
    # The client uses it for its time delta.
    assert abs(ovh_server.client().time_delta) < 60


def test_a_bad_signature_is_403_invalid_signature(ovh_server):
    bad = ovh_server.client(application_secret="not-the-secret")
    body = expect_error(APIError, 403, bad.get, "/ovhCloudConnect")
    assert body["errorCode"] == "INVALID_SIGNATURE"


def test_unknown_keys_and_missing_credentials_are_403_with_their_error_code(ovh_server):
    body = expect_error(InvalidKey, 403, ovh_server.client(application_key="nope").get,
                        "/ovhCloudConnect")
    assert body["errorCode"] == "INVALID_KEY"
    body = expect_error(InvalidCredential, 403, ovh_server.client(consumer_key="nope").get,
                        "/ovhCloudConnect")
    assert body["errorCode"] == "INVALID_CREDENTIAL"
    r = requests.get(f"{ovh_server.url}/1.0/ovhCloudConnect",
                     headers={"X-Ovh-Application": APPLICATION_KEY}, timeout=5)
    assert r.status_code == 403 and r.json()["errorCode"] == "NOT_CREDENTIAL"
    with pytest.raises(NotCredential):
        ovh_server.client().call("GET", "/ovhCloudConnect", need_auth=False)


def sign(method, url, body, timestamp, secret=APPLICATION_SECRET):
    text = "+".join([secret, CONSUMER_KEY, method, url, body, str(timestamp)])
    return "$1$" + hashlib.sha1(text.encode()).hexdigest()


def test_a_stale_timestamp_is_403_query_time_out(ovh_server):
    url = f"{ovh_server.url}/1.0/ovhCloudConnect"
    for skew in (-1000, 1000):
        ts = int(time.time()) + skew
        r = requests.get(url, timeout=5, headers={
            "X-Ovh-Application": APPLICATION_KEY, "X-Ovh-Consumer": CONSUMER_KEY,
            "X-Ovh-Timestamp": str(ts), "X-Ovh-Signature": sign("GET", url, "", ts),
        })
        assert r.status_code == 403, r.text
        assert r.json()["errorCode"] == "QUERY_TIME_OUT"
        assert r.json()["class"]
    # The same request signed now passes: the signature is computed as the client does.
    ts = int(time.time())
    r = requests.get(url, timeout=5, headers={
        "X-Ovh-Application": APPLICATION_KEY, "X-Ovh-Consumer": CONSUMER_KEY,
        "X-Ovh-Timestamp": str(ts), "X-Ovh-Signature": sign("GET", url, "", ts),
    })
    assert r.status_code == 200, r.text


def test_the_body_and_query_are_signed(ovh_server):
    url = f"{ovh_server.url}/1.0/ovhCloudConnect/{SERVICE_A}"
    ts = int(time.time())
    signed_body = '{"description":"x"}'
    r = requests.put(url, data='{"description":"y"}', timeout=5, headers={
        "X-Ovh-Application": APPLICATION_KEY, "X-Ovh-Consumer": CONSUMER_KEY,
        "X-Ovh-Timestamp": str(ts), "X-Ovh-Signature": sign("PUT", url, signed_body, ts),
        "Content-Type": "application/json",
    })
    assert r.status_code == 403 and r.json()["errorCode"] == "INVALID_SIGNATURE"
    # A query string the client adds is part of what it signs.
    assert ovh_server.client().get("/vrack", foo="bar") == [VRACK, VRACK_2]


def test_the_demo_credentials_also_work(ovh_server):
    demo = ovh_server.client(
        application_key="peerlabdemoappkey",
        application_secret="peerlabdemoapplicationsecret0001",
        consumer_key="peerlabdemoconsumerkey0000000001",
    )
    assert demo.get("/ovhCloudConnect") == [SERVICE_A, SERVICE_B]


def test_errors_are_ovh_json_and_never_5xx(ovh_server, occ):
    body = expect_error(ResourceNotFoundError, 404, occ.get, "/ovhCloudConnect/nope")
    assert body["class"] == "Client::NotFound"
    expect_error(ResourceNotFoundError, 404, occ.get, "/ovhCloudConnect/nope/nothing/here")
    expect_error(BadParametersError, 400, occ.get, f"/ovhCloudConnect/{SERVICE_A}/interface/x")
    expect_error(BadParametersError, 400, occ.post, f"/ovhCloudConnect/{SERVICE_A}/config/pop",
                 interfaceId="x", type="l9")
    expect_error(BadParametersError, 400, occ.post, f"/vrack/{VRACK}/ovhCloudConnect")
    # Garbage of every kind: a JSON answer, never a 5xx.
    garbage = [
        ("POST", f"/1.0/ovhCloudConnect/{SERVICE_A}/config/pop", "{not json"),
        ("POST", f"/1.0/ovhCloudConnect/{SERVICE_A}/config/pop", "[1,2]"),
        ("POST", f"/1.0/ovhCloudConnect/{SERVICE_A}/config/pop/1/datacenter", "null"),
        ("DELETE", f"/1.0/ovhCloudConnect/{SERVICE_A}/config/pop/99999999999999999999999", ""),
        ("PATCH", f"/1.0/ovhCloudConnect/{SERVICE_A}", ""),
        ("GET", "/1.0/vrack/%00/task/1", ""),
    ]
    for method, path, data in garbage:
        url = f"{ovh_server.url}{path}"
        ts = int(time.time())
        r = requests.request(method, url, data=data, timeout=5, headers={
            "X-Ovh-Application": APPLICATION_KEY, "X-Ovh-Consumer": CONSUMER_KEY,
            "X-Ovh-Timestamp": str(ts), "X-Ovh-Signature": sign(method, url, data, ts),
        })
        assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text)
        assert "message" in r.json(), r.text


# ---- services, interfaces, datacenters -----------------------------------------------------


def test_services_list_get_update(occ):
    assert occ.get("/ovhCloudConnect") == [SERVICE_A, SERVICE_B]
    s = occ.get(f"/ovhCloudConnect/{SERVICE_A}")
    assert s["uuid"] == SERVICE_A
    assert s["interfaceList"] == [INTERFACE_A]
    assert s["portQuantity"] == "1"
    assert s["vrack"] is None
    assert s["status"] == "active"
    assert set(s) == {"bandwidth", "description", "iam", "interfaceList", "pop", "portQuantity",
                      "product", "provider", "status", "uuid", "vrack"}
    assert s["bandwidth"] == "1g"
    assert s["iam"]["urn"] == f"urn:v1:eu:resource:ovhCloudConnect:{SERVICE_A}"
    assert occ.put(f"/ovhCloudConnect/{SERVICE_A}", description="prod link") is None
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}")["description"] == "prod link"
    expect_error(ResourceNotFoundError, 404, occ.put, "/ovhCloudConnect/nope", description="x")


def test_interfaces_light_status_lock_and_unlock(ovh_server, occ):
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/interface") == [INTERFACE_A]
    i = occ.get(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}")
    light = ("incomingLightStatus", "outgoingLightStatus", "interfaceStatus", "status")
    assert [i[k] for k in light] == ["up", "up", "up", "enabled"], i
    assert i["id"] == INTERFACE_A and i["incomingLightValue"] is None
    expect_error(ResourceNotFoundError, 404, occ.get,
                 f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_B}")
    expect_error(ResourceConflictError, 409, occ.post,
                 f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}/unlock")
    task = occ.post(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}/lock")
    assert task["function"] == "lockInterface"
    assert task["resourceId"] == INTERFACE_A
    assert task["status"] == "todo"
    ovh_server.settle()
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{task['id']}")["status"] == "done"
    i = occ.get(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}")
    # A locked port sends no light.
    assert [i[k] for k in light] == ["up", "down", "down", "disabled"], i
    task = occ.post(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}/unlock")
    assert task["function"] == "unlockInterface"
    ovh_server.settle()
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}")["status"] == "enabled"


def test_available_datacenters(occ):
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/datacenter") == sorted(DATACENTERS)
    for id, name in DATACENTERS.items():
        assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/datacenter/{id}") == {
            "available": True, "id": id, "name": name}
    expect_error(ResourceNotFoundError, 404, occ.get, f"/ovhCloudConnect/{SERVICE_A}/datacenter/42")


# ---- vRack ---------------------------------------------------------------------------------


def test_vrack_link_list_get_unlink_and_tasks(ovh_server, occ):
    assert occ.get("/vrack") == [VRACK, VRACK_2]
    assert occ.get(f"/vrack/{VRACK}")["name"] == VRACK
    allowed = occ.get(f"/vrack/{VRACK}/allowedServices")
    assert allowed["ovhCloudConnect"] == [SERVICE_A, SERVICE_B]
    assert allowed["dedicatedServer"] == []
    task = occ.post(f"/vrack/{VRACK}/ovhCloudConnect", ovhCloudConnect=SERVICE_A)
    assert task["status"] == "todo"
    assert task["serviceName"] == VRACK
    assert task["targetDomain"] == SERVICE_A
    assert occ.get(f"/vrack/{VRACK}/task") == [task["id"]]
    assert occ.get(f"/vrack/{VRACK}/allowedServices")["ovhCloudConnect"] == [SERVICE_B]
    # Half-way: doing; then done, and the service is in the vRack.
    ovh_server.advance(TASK_SECS // 2)
    assert occ.get(f"/vrack/{VRACK}/task/{task['id']}")["status"] == "doing"
    assert occ.get(f"/vrack/{VRACK}/ovhCloudConnect") == []
    ovh_server.advance(TASK_SECS // 2)
    assert occ.get(f"/vrack/{VRACK}/task/{task['id']}")["status"] == "done"
    assert occ.get(f"/vrack/{VRACK}/ovhCloudConnect") == [SERVICE_A]
    assert occ.get(f"/vrack/{VRACK}/ovhCloudConnect/{SERVICE_A}") == {
        "ovhCloudConnect": SERVICE_A, "vrack": VRACK}
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}")["vrack"] == VRACK
    service_task = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{task['id']}")
    assert service_task["function"] == "addVrack"
    expect_error(ResourceConflictError, 409, occ.post, f"/vrack/{VRACK_2}/ovhCloudConnect",
                 ovhCloudConnect=SERVICE_A)
    expect_error(ResourceNotFoundError, 404, occ.get, f"/vrack/{VRACK_2}/ovhCloudConnect/{SERVICE_A}")
    expect_error(ResourceNotFoundError, 404, occ.post, "/vrack/pn-nope/ovhCloudConnect",
                 ovhCloudConnect=SERVICE_B)
    expect_error(ResourceNotFoundError, 404, occ.post, f"/vrack/{VRACK}/ovhCloudConnect",
                 ovhCloudConnect="nope")
    task = occ.delete(f"/vrack/{VRACK}/ovhCloudConnect/{SERVICE_A}")
    assert task["function"] == "removeOvhCloudConnectFromVrack"
    ovh_server.settle()
    assert occ.get(f"/vrack/{VRACK}/ovhCloudConnect") == []
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}")["vrack"] is None


# ---- configuration -------------------------------------------------------------------------


def test_pop_datacenter_extra_endpoints_and_lifecycle(ovh_server, occ):
    in_vrack(ovh_server, occ)
    base = f"/ovhCloudConnect/{SERVICE_A}/config/pop"
    task = occ.post(base, interfaceId=INTERFACE_A, type="l3", customerBgpArea=65001,
                    ovhBgpArea=65501, subnet="192.0.2.0/30")
    assert task == {"function": "addPopConfiguration", "id": task["id"],
                    "resourceId": task["resourceId"], "status": "todo"}
    pop = occ.get(f"{base}/{task['resourceId']}")
    assert pop == {"customerBgpArea": 65001, "id": task["resourceId"], "interfaceId": INTERFACE_A,
                   "ovhBgpArea": 65501, "status": "init", "subnet": "192.0.2.0/30", "type": "l3"}
    assert occ.get(base) == [pop["id"]]
    tasks = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task")
    task = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{tasks[-1]}")
    assert task == {"function": "addPopConfiguration", "id": tasks[-1],
                    "resourceId": pop["id"], "status": "todo"}
    ovh_server.settle()
    assert occ.get(f"{base}/{pop['id']}")["status"] == "active"
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{tasks[-1]}")["status"] == "done"
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}")["product"] == "l3"

    dc = l3_dc(occ, pop["id"])
    assert dc == {"datacenterId": 1, "id": dc["id"], "ovhBgpArea": 65502, "status": "init",
                  "subnet": "10.10.0.0/28"}
    assert occ.get(f"{base}/{pop['id']}/datacenter") == [dc["id"]]
    ovh_server.settle()
    dc_path = f"{base}/{pop['id']}/datacenter/{dc['id']}"
    assert occ.get(dc_path)["status"] == "active"
    # Configured in the service's vRack: no longer available for a new configuration.
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/datacenter/1")["available"] is False
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/datacenter/2")["available"] is True

    extra = create(occ, f"{dc_path}/extra", type="network", nextHop="10.10.0.5",
                     subnet="172.20.0.0/16")
    assert extra == {"bgpNeighborArea": None, "bgpNeighborIp": None, "id": extra["id"],
                     "nextHop": "10.10.0.5", "status": "init", "subnet": "172.20.0.0/16",
                     "type": "network"}
    assert occ.get(f"{dc_path}/extra") == [extra["id"]]
    ovh_server.settle()
    assert occ.get(f"{dc_path}/extra/{extra['id']}")["status"] == "active"

    # Delete the extra: toDelete, then gone.
    task = occ.delete(f"{dc_path}/extra/{extra['id']}")
    assert task["function"] == "delDatacenterExtraConfiguration"
    assert occ.get(f"{dc_path}/extra/{extra['id']}")["status"] == "toDelete"
    expect_error(ResourceConflictError, 409, occ.delete, f"{dc_path}/extra/{extra['id']}")
    ovh_server.settle()
    expect_error(ResourceNotFoundError, 404, occ.get, f"{dc_path}/extra/{extra['id']}")
    assert occ.get(f"{dc_path}/extra") == []

    # Delete the datacenter configuration, then the PoP configuration.
    task = occ.delete(dc_path)
    assert task["function"] == "delDatacenterConfiguration"
    assert occ.get(dc_path)["status"] == "toDelete"
    ovh_server.settle()
    expect_error(ResourceNotFoundError, 404, occ.get, dc_path)
    task = occ.delete(f"{base}/{pop['id']}")
    assert task["function"] == "delPopConfiguration"
    ovh_server.settle()
    assert occ.get(base) == []
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{task['id']}")["status"] == "done"


def test_deleting_a_parent_deletes_its_children_as_one_task(ovh_server, occ):
    in_vrack(ovh_server, occ)
    base = f"/ovhCloudConnect/{SERVICE_A}/config/pop"
    pop = l3_pop(occ)
    dc = l3_dc(occ, pop["id"])
    ovh_server.settle()
    dc_path = f"{base}/{pop['id']}/datacenter/{dc['id']}"
    bgp = create(occ, f"{dc_path}/extra", type="bgp", bgpNeighborArea=65100,
                   bgpNeighborIp="10.10.0.4")
    ovh_server.settle()
    before = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task")
    task = occ.delete(f"{base}/{pop['id']}")
    after = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task")
    assert after == before + [task["id"]], "one task"
    assert occ.get(f"{base}/{pop['id']}")["status"] == "toDelete"
    assert occ.get(dc_path)["status"] == "toDelete"
    assert occ.get(f"{dc_path}/extra/{bgp['id']}")["status"] == "toDelete"
    ovh_server.settle()
    assert occ.get(base) == []
    assert ovh_server.runtime()["sessions"] == []
    assert ovh_server.runtime()["vrrpGroups"] == []


def test_a_task_whose_resource_vanished_ends_in_error(ovh_server, occ):
    in_vrack(ovh_server, occ)
    pop = l3_pop(occ)
    made = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task")[-1]
    occ.delete(f"/ovhCloudConnect/{SERVICE_A}/config/pop/{pop['id']}")
    ovh_server.settle()
    assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{made}")["status"] == "error"


def test_unlinking_a_configured_service_is_a_conflict(ovh_server, occ):
    in_vrack(ovh_server, occ)
    l3_pop(occ)
    expect_error(ResourceConflictError, 409, occ.delete,
                 f"/vrack/{VRACK}/ovhCloudConnect/{SERVICE_A}")


def test_the_task_clock_survives_extreme_moves(ovh_server, occ):
    task = occ.post(f"/vrack/{VRACK}/ovhCloudConnect", ovhCloudConnect=SERVICE_A)
    ovh_server.advance(2**64 - 1)
    ovh_server.advance(2**64 - 1)
    assert occ.get(f"/vrack/{VRACK}/task/{task['id']}")["status"] == "done"
    r = requests.post(f"{ovh_server.url}/peerlab/v1/admin/ovh/advance-clock",
                      json={"seconds": -1}, timeout=5,
                      headers={"X-Auth-Token": "5ca1e000-0000-4000-8000-e000000000ad"})
    assert r.status_code == 400, r.text
    # Signatures still use the wall clock.
    assert occ.get("/ovhCloudConnect") == [SERVICE_A, SERVICE_B]


def test_services_vracks_datacenters_and_credentials_from_the_config(tmp_path):
    from ovh_support import Server

    config = tmp_path / "peerlab.toml"
    config.write_text("""
[[ovh_connect.credentials]]
application_key = "cfgapp"
application_secret = "cfgsecret"
consumer_key = "cfgconsumer"

[[ovh_connect.services]]
uuid = "11111111-2222-4333-8444-555555555555"
pop = "Frankfurt - FR5"
bandwidth = "10G"
description = "from the config"
vrack = "pn-900"
interfaces = [{ id = 7001 }, { id = 7002 }]

[[ovh_connect.datacenters]]
id = 40
name = "LIM"
region = "eu-central-lim"
""")
    server = Server(["--config", str(config)])
    try:
        occ = server.client(application_key="cfgapp", application_secret="cfgsecret",
                            consumer_key="cfgconsumer")
        uuid = "11111111-2222-4333-8444-555555555555"
        assert uuid in occ.get("/ovhCloudConnect")
        s = occ.get(f"/ovhCloudConnect/{uuid}")
        assert (s["pop"], s["bandwidth"], s["portQuantity"], s["vrack"]) == (
            "Frankfurt - FR5", "10g", "2", "pn-900")
        assert occ.get(f"/ovhCloudConnect/{uuid}/interface") == [7001, 7002]
        assert "pn-900" in occ.get("/vrack")
        assert occ.get("/vrack/pn-900/ovhCloudConnect") == [uuid]
        assert 40 in occ.get(f"/ovhCloudConnect/{uuid}/datacenter")
        # Already in its vRack: it can be configured at once.
        pop = create(occ, f"/ovhCloudConnect/{uuid}/config/pop", interfaceId=7002, type="l2")
        assert pop["status"] == "init"
    finally:
        server.stop()
