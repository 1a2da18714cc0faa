"""Every operation of OVH's published schema (`ovhCloudConnect.json`, `vrack.json`) against a
live `peerlab serve`, through the official `ovh` client.

- An operation peerlab emulates answers 2xx with the schema's `responseType` (Task, id list,
  object, void): every property of the model, of its type, `null` only where `canBeNull`,
  enums within their values, nothing more (`ovh_schema.validate`).
- A creation answers an `ovhcloudconnect.Task` whose `resourceId` names the new resource, which
  is there under that ID, `active`, once the task is `done`; a deletion's task leaves a 404.
- An operation it does not emulate answers OVH's `403 NOT_GRANTED_CALL`, and is listed in
  `docs/ovh.md`, whose tables together are exactly the schema's operations.
"""

import re
from pathlib import Path

import pytest

import ovh_schema
from ovh_support import (
    INTERFACE_A,
    INTERFACE_B,
    SERVICE_A,
    SERVICE_B,
    VRACK,
    VRACK_2,
    Server,
    create,
    in_vrack,
    l3_dc,
    l3_pop,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "ovh.md"
# A third service, in no vRack: the vRack link and unlink are walked with it.
SERVICE_C = "0c0c0000-0000-4000-8000-0000000000c1"
INTERFACE_C = 9003
CONFIG = f"""
[[ovh_connect.services]]
uuid = "{SERVICE_C}"
pop = "Paris - TH2"
bandwidth = "1G"
description = "schema walk"
interfaces = [{{ id = {INTERFACE_C} }}]
"""


def documented():
    """The operations `docs/ovh.md` lists, as `{"emulated": set, "not emulated": set}`."""
    tables = {"emulated": set(), "not emulated": set()}
    current = None
    for line in DOC.read_text().splitlines():
        heading = re.match(r"^#+ (.*)$", line)
        if heading:
            title = heading.group(1).lower()
            current = ("not emulated" if "not emulated" in title
                       else "emulated" if "emulated" in title else None)
            continue
        row = re.match(r"^\| `(GET|POST|PUT|DELETE)` \| `(/[^`]+)` \|", line)
        if row and current:
            tables[current].add((row.group(1), row.group(2)))
    return tables


class Walk:
    """The live world the walk reads and changes: service A configured (the reads), service B
    in vRack 2 (the creations and deletions), service C in no vRack (link and unlink)."""

    def __init__(self, server):
        self.server = server
        self.occ = server.client()
        occ = self.occ
        self.vrack_task = occ.post(f"/vrack/{VRACK}/ovhCloudConnect", ovhCloudConnect=SERVICE_A)
        server.settle()
        in_vrack(server, occ, SERVICE_B, VRACK_2)
        self.pop = l3_pop(occ)["id"]
        self.dc = l3_dc(occ, self.pop)["id"]
        dcs = f"/ovhCloudConnect/{SERVICE_A}/config/pop/{self.pop}/datacenter"
        self.extra = create(occ, f"{dcs}/{self.dc}/extra", type="network",
                            nextHop="10.10.0.5", subnet="172.20.0.0/16")["id"]
        # A second datacenter with a `bgp` extra: both extra types are read.
        self.dc_bgp = l3_dc(occ, self.pop, datacenter=2, subnet="10.10.1.0/28")["id"]
        self.extra_bgp = create(occ, f"{dcs}/{self.dc_bgp}/extra", type="bgp",
                                bgpNeighborArea=65100, bgpNeighborIp="10.10.1.4")["id"]
        self.task = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task")[0]
        server.settle()
        # Made by the walk's creations.
        self.created = {}

    def path(self, method, template):
        """`template` with its parameters filled: reads on service A, writes on B and C."""
        occ_path = template.startswith("/ovhCloudConnect")
        writes = method in ("POST", "DELETE") and occ_path
        values = {
            "serviceName": (SERVICE_B if writes else SERVICE_A) if occ_path else VRACK,
            "popId": self.created.get("pop", self.pop) if writes else self.pop,
            "datacenterId": self.created.get("datacenter", self.dc) if writes else self.dc,
            "extraId": self.created.get("extra", self.extra) if writes else self.extra,
            "taskId": self.vrack_task["id"],
            "ovhCloudConnect": SERVICE_C if method == "DELETE" else SERVICE_A,
        }
        by_parent = {
            "interface": INTERFACE_B if writes else INTERFACE_A,
            "datacenter": 1,
            "task": self.task,
        }
        parts = template.split("/")
        for i, part in enumerate(parts):
            if part.startswith("{"):
                name = part[1:-1]
                if name in values:
                    parts[i] = str(values[name])
                else:
                    parts[i] = str(by_parent.get(parts[i - 1], 1))
        return "/".join(parts)

    def body(self, method, template):
        """The request body of an emulated write."""
        return {
            ("PUT", "/ovhCloudConnect/{serviceName}"): {"description": "schema walk"},
            ("POST", "/ovhCloudConnect/{serviceName}/config/pop"): {
                "interfaceId": INTERFACE_B, "type": "l3", "customerBgpArea": 65010,
                "ovhBgpArea": 65510, "subnet": "192.0.2.8/30"},
            ("POST", "/ovhCloudConnect/{serviceName}/config/pop/{popId}/datacenter"): {
                "datacenterId": 1, "ovhBgpArea": 65511, "subnet": "10.30.0.0/28"},
            ("POST", "/ovhCloudConnect/{serviceName}/config/pop/{popId}/datacenter/"
                     "{datacenterId}/extra"): {
                "type": "bgp", "bgpNeighborArea": 65100, "bgpNeighborIp": "10.30.0.4"},
            ("POST", "/vrack/{serviceName}/ovhCloudConnect"): {"ovhCloudConnect": SERVICE_C},
        }.get((method, template))


def order(op):
    """Reads first, then creations parent first, then deletions child first."""
    method, path, _ = op
    rank = {"GET": 0, "PUT": 1, "POST": 2, "DELETE": 3}[method]
    depth = path.count("/")
    return (rank, -depth if method == "DELETE" else 0)


@pytest.fixture
def walk(tmp_path):
    config = tmp_path / "peerlab.toml"
    config.write_text(CONFIG)
    server = Server(["--config", str(config)])
    try:
        yield Walk(server)
    finally:
        server.stop()


def test_the_docs_list_every_operation_of_the_schema_once():
    schema = ovh_schema.load()
    ops = {(m, p) for m, p, _ in ovh_schema.operations(schema)}
    tables = documented()
    assert not tables["emulated"] & tables["not emulated"]
    assert tables["emulated"] | tables["not emulated"] == ops


def test_every_operation_answers_as_the_published_schema_says(walk):
    schema = ovh_schema.load()
    not_emulated = documented()["not emulated"]
    occ, server = walk.occ, walk.server
    problems, emulated = [], 0
    for method, template, response_type in sorted(ovh_schema.operations(schema), key=order):
        path = walk.path(method, template)
        r = occ.raw_call(method, path, walk.body(method, template))
        what = f"{method} {template} ({path})"
        if (method, template) in not_emulated:
            body = r.json()
            if r.status_code != 403 or body.get("errorCode") != "NOT_GRANTED_CALL":
                problems.append(f"{what}: not emulated, yet {r.status_code} {r.text}")
            continue
        emulated += 1
        if not 200 <= r.status_code < 300:
            problems.append(f"{what}: {r.status_code} {r.text}")
            continue
        answer = r.json()
        problems += [f"{what}: {p}" for p in ovh_schema.validate(schema, response_type, answer)]
        if response_type == "ovhcloudconnect.Task" and method in ("POST", "DELETE"):
            problems += check_task(walk, schema, method, template, path, answer)
        elif response_type == "vrack.Task":
            server.settle()
    # The other extra type, read too.
    extra = occ.get(f"/ovhCloudConnect/{SERVICE_A}/config/pop/{walk.pop}/datacenter/"
                    f"{walk.dc_bgp}/extra/{walk.extra_bgp}")
    problems += ovh_schema.validate(schema, "ovhcloudconnect.DatacenterExtraConfig", extra)
    assert extra["type"] == "bgp" and extra["nextHop"] is None
    assert not problems, "\n".join(problems)
    assert emulated == len(ovh_schema.operations(schema)) - len(not_emulated)


def check_task(walk, schema, method, template, path, task):
    """A task of a configuration or an interface: done after the delay, and the resource it
    names there (created) or gone (deleted)."""
    occ, server = walk.occ, walk.server
    problems = []
    server.settle()
    done = occ.get(f"/ovhCloudConnect/{SERVICE_B}/task/{task['id']}")
    if done["status"] != "done" or done["resourceId"] != task["resourceId"]:
        problems.append(f"{method} {template}: task {done}")
    kinds = {"config/pop": ("pop", "ovhcloudconnect.PopConfig"),
             "datacenter": ("datacenter", "ovhcloudconnect.DatacenterConfig"),
             "extra": ("extra", "ovhcloudconnect.DatacenterExtraConfig")}
    last = template.rstrip("/").split("/")
    key = "config/pop" if template.endswith("config/pop") else last[-1]
    if method == "POST" and key in kinds:
        kind, model = kinds[key]
        walk.created[kind] = task["resourceId"]
        resource = occ.get(f"{path}/{task['resourceId']}")
        problems += [f"{template}/{{id}}: {p}" for p in ovh_schema.validate(schema, model, resource)]
        if resource["status"] != "active" or resource["id"] != task["resourceId"]:
            problems.append(f"{template}: resource {resource} after task {done}")
    if method == "DELETE":
        r = occ.raw_call("GET", path)
        if r.status_code != 404:
            problems.append(f"{method} {template}: still {r.status_code} after task {done}")
    return problems
