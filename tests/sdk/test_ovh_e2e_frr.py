"""End to end with the official `ovh` client and real FRR routers in network namespaces.

Two veth pairs join the root namespace, where `peerlab serve` runs, to a customer namespace at
the PoP and to a customer namespace in the datacenter. `serve`'s config binds the demo service's
interface 9001 to the first root end (which then carries OVH's 100.66.79.1/30) and datacenter
RBX of vRack `pn-100001` to the second (a port of the datacenter's bridge: the gateway
100.66.80.1/28 is held by OVH's VRRP master there, or by the bridge while a `bgp` extra turns
VRRP off). FRR's bgpd
runs in each namespace (no zebra: IPv4 only): AS 65001 on 100.66.79.2/30 announcing
10.70.0.0/16 at the PoP, AS 65100 on 100.66.80.4/28 announcing 10.71.0.0/16 in the datacenter.

Through the client: the service joins the vRack, gets an l3 PoP configuration
(100.66.79.0/30, OVH AS 65501, customer AS 65001), a datacenter configuration (100.66.80.0/28,
OVH AS 65502) and a `network` extra (172.21.0.0/16 via 100.66.80.5). Checked:
- the interface's `incomingLightStatus` is `down` until the customer's end is up, then `up`;
- the PoP session comes up (FRR Established, `up` in peerlab's OVH state), and FRR learns the
  datacenter subnet and the static route's prefix; deleting the extra withdraws the prefix;
- a `bgp` extra toward 100.66.80.4 (AS 65100) brings up a session with the datacenter's FRR
  and turns the VRRP gateway off, and each router learns the other's prefix through OVH, with
  its AS_PATH as relayed through both OVH instances (`65501 65502 65100` at the PoP);
- deleting the PoP configuration takes both sessions and both addresses away.
A second test runs one customer AS on both sides: each FRR drops the other's relayed prefix (its
own AS is in the path) until `allowas-in`.

Needs root, iproute2 and FRR: fails, never skips, without them. The namespaces, the veth pairs,
the daemons and `serve` are removed whatever happens.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ovh_support import INTERFACE_A, SERVICE_A, VRACK, Server, create

BGPD = Path("/usr/lib/frr/bgpd")
VTYSH = Path("/usr/bin/vtysh")
TAG = f"{os.getpid() % 0xFFFF:x}"
OVH_POP = "100.66.79.1"
CUSTOMER_POP = "100.66.79.2"
GATEWAY = "100.66.80.1"
CUSTOMER_DC = "100.66.80.4"


def run(*args):
    out = subprocess.run(args, capture_output=True, text=True)
    assert out.returncode == 0, f"{args}: {out.stderr}"
    return out.stdout


def eventually(what, check, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


class Wire:
    """A namespace and a veth pair whose `host` end stays in the root namespace."""

    def __init__(self, stack, label):
        if shutil.which("ip") is None:
            pytest.fail("ip is missing: install iproute2", pytrace=False)
        self.ns = f"peerlab-{label}-{TAG}"
        self.host = f"{label}{TAG}h"
        self.peer = f"{label}{TAG}p"
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
        subprocess.run(["ip", "link", "del", self.host], capture_output=True)
        run("ip", "netns", "add", self.ns)
        stack.callback(lambda: subprocess.run(["ip", "netns", "del", self.ns], capture_output=True))
        run("ip", "link", "add", self.host, "type", "veth", "peer", "name", self.peer,
            "netns", self.ns)
        stack.callback(lambda: subprocess.run(["ip", "link", "del", self.host],
                                              capture_output=True))
        run("ip", "-n", self.ns, "link", "set", "lo", "up")

    def up(self, address):
        """Puts `address` on the namespace end and brings it up."""
        run("ip", "-n", self.ns, "addr", "add", address, "dev", self.peer)
        run("ip", "-n", self.ns, "link", "set", self.peer, "up")

    def host_has(self, address):
        return f" {address} " in run("ip", "-o", "addr", "show", "dev", self.host)

    def bridge(self):
        """The bridge the host end is a port of, if any."""
        words = run("ip", "-o", "link", "show", "dev", self.host).split()
        return words[words.index("master") + 1] if "master" in words else None

    def bridge_has(self, address):
        bridge = self.bridge()
        return bridge is not None and f" {address} " in run("ip", "-o", "addr", "show", "dev", bridge)

    def answers(self, address):
        """Whether `address` answers a ping from the namespace end."""
        out = subprocess.run(["ip", "netns", "exec", self.ns, "ping", "-c1", "-W1", address],
                             capture_output=True)
        return out.returncode == 0


class Bgpd:
    """FRR's bgpd in a namespace, as a customer router with one neighbour (OVH)."""

    def __init__(self, stack, wire, asn, router_id, neighbour, neighbour_asn, announce,
                 neighbour_options=()):
        for tool in (BGPD, VTYSH):
            if not tool.exists():
                pytest.fail(f"{tool} is missing: install frr", pytrace=False)
        self.neighbour = neighbour
        self.dir = Path(tempfile.mkdtemp(prefix="peerlab-ovh-frr-"))
        stack.callback(lambda: shutil.rmtree(self.dir, ignore_errors=True))
        (self.dir / "bgpd.conf").write_text(f"""hostname customer-{asn}
router bgp {asn}
 bgp router-id {router_id}
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor {neighbour} remote-as {neighbour_asn}
 neighbor {neighbour} timers connect 1
 address-family ipv4 unicast
  network {announce}
""" + "".join(f"  neighbor {neighbour} {o}\n" for o in neighbour_options) + """ exit-address-family
""")
        log = open(self.dir / "bgpd.log", "w")
        stack.callback(log.close)
        proc = subprocess.Popen(
            ["ip", "netns", "exec", wire.ns, str(BGPD), "-f", str(self.dir / "bgpd.conf"),
             "-i", str(self.dir / "bgpd.pid"), "--vty_socket", str(self.dir),
             "-Z", "-n", "-S", "-p", "179", "-A", "127.0.0.1", "-P", "0"],
            stdout=log, stderr=subprocess.STDOUT,
        )

        def stop():
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

        stack.callback(stop)
        eventually("bgpd's vty", lambda: self.vtysh("show bgp summary json"), timeout=20)

    def vtysh(self, command):
        out = subprocess.run([str(VTYSH), "--vty_socket", str(self.dir), "-d", "bgpd", "-c",
                              command], capture_output=True, text=True)
        return out.stdout if out.returncode == 0 else None

    def established(self):
        text = self.vtysh(f"show bgp neighbors {self.neighbour} json")
        return bool(text) and json.loads(text).get(self.neighbour, {}).get("bgpState") == \
            "Established"

    def path(self, prefix):
        """The AS_PATH of the best route to `prefix`, as FRR prints it (`None` without one)."""
        text = self.vtysh(f"show bgp ipv4 unicast {prefix} json")
        paths = json.loads(text).get("paths", []) if text else []
        best = [p for p in paths if p.get("bestpath", {}).get("overall")] or paths
        return best[0].get("aspath", {}).get("string") if best else None

    def received(self):
        """What the neighbour sent, before FRR's checks (needs `soft-reconfiguration inbound`)."""
        text = self.vtysh(f"show bgp ipv4 unicast neighbors {self.neighbour} received-routes json")
        return set(json.loads(text).get("receivedRoutes", {})) if text else set()

    def configure(self, *lines):
        """Runs configuration `lines` in `router bgp`'s IPv4 unicast address family."""
        asn = self.vtysh("show bgp summary json")
        asn = json.loads(asn)["ipv4Unicast"]["as"]
        args = [str(VTYSH), "--vty_socket", str(self.dir), "-d", "bgpd", "-c", "configure terminal",
                "-c", f"router bgp {asn}", "-c", "address-family ipv4 unicast"]
        for line in lines:
            args += ["-c", line]
        run(*args)

    def learned(self):
        text = self.vtysh(f"show bgp ipv4 unicast neighbors {self.neighbour} routes json")
        return set(json.loads(text).get("routes", {})) if text else set()


@pytest.fixture
def stack():
    from contextlib import ExitStack

    with ExitStack() as s:
        yield s


def serve_pop_and_datacenter(tmp_path, stack, pop_wire, dc_wire):
    """`serve` bound to the two wires, the service in the vRack, an l3 PoP configuration
    (customer AS 65001, OVH 65501 on 100.66.79.0/30) and a datacenter configuration (OVH 65502
    on 100.66.80.0/28): the server, the client, the PoP, the datacenter and its extras' path."""
    config = tmp_path / "peerlab.toml"
    config.write_text(f"""[[bindings]]
ovh_service = "{SERVICE_A}"
ovh_interface = {INTERFACE_A}
interface = "{pop_wire.host}"

[[bindings]]
ovh_vrack = "{VRACK}"
ovh_datacenter = 1
interface = "{dc_wire.host}"
""")
    server = Server(["--config", str(config)])
    stack.callback(server.stop)
    occ = server.client()
    occ.post(f"/vrack/{VRACK}/ovhCloudConnect", ovhCloudConnect=SERVICE_A)
    server.settle()
    pops = f"/ovhCloudConnect/{SERVICE_A}/config/pop"
    pop = create(occ, pops, interfaceId=INTERFACE_A, type="l3", customerBgpArea=65001,
                   ovhBgpArea=65501, subnet="100.66.79.0/30")
    dc = create(occ, f"{pops}/{pop['id']}/datacenter", datacenterId=1, ovhBgpArea=65502,
                  subnet="100.66.80.0/28")
    extras = f"{pops}/{pop['id']}/datacenter/{dc['id']}/extra"
    return server, occ, pops, pop, dc, extras


def test_frr_routers_meet_an_l3_pop_and_a_bgp_extra(tmp_path, stack):
    pop_wire = Wire(stack, "oy")
    dc_wire = Wire(stack, "oz")
    server, occ, pops, pop, dc, extras = serve_pop_and_datacenter(tmp_path, stack, pop_wire,
                                                                  dc_wire)
    route = create(occ, extras, type="network", nextHop="100.66.80.5", subnet="172.21.0.0/16")
    server.settle()
    assert occ.get(f"{pops}/{pop['id']}")["status"] == "active"
    eventually("OVH's address on the PoP's host end, the datacenter's end on its segment",
               lambda: pop_wire.host_has("100.66.79.1/30") and dc_wire.bridge() is not None)

    # No light while the customer's end is down.
    def light():
        return occ.get(f"/ovhCloudConnect/{SERVICE_A}/interface/{INTERFACE_A}")["incomingLightStatus"]

    eventually("incomingLightStatus down", lambda: light() == "down")
    pop_wire.up(f"{CUSTOMER_POP}/30")
    dc_wire.up(f"{CUSTOMER_DC}/28")
    eventually("incomingLightStatus up", lambda: light() == "up")
    # The gateway answers in the datacenter: OVH's VRRP master holds it on the segment.
    eventually("the VRRP gateway answers", lambda: dc_wire.answers(GATEWAY))
    assert not dc_wire.bridge_has("100.66.80.1/28")

    onprem = Bgpd(stack, pop_wire, 65001, CUSTOMER_POP, OVH_POP, 65501, "10.70.0.0/16")
    def status():
        return {s["id"].split("-")[1]: s["status"] for s in server.runtime()["sessions"]}

    eventually("FRR's session with OVH established", onprem.established, timeout=60)
    eventually("`up` in peerlab's OVH state", lambda: status() == {"pop": "up"})
    session = server.runtime()["sessions"][0]
    assert (session["local"], session["peer"]) == (OVH_POP, CUSTOMER_POP)
    assert (session["local_asn"], session["peer_asn"]) == (65501, 65001)
    assert [g["state"] for g in server.runtime()["vrrpGroups"]] == ["master"]

    eventually("the datacenter subnet and the static route at FRR",
               lambda: {"100.66.80.0/28", "172.21.0.0/16"} <= onprem.learned())
    # Both live in the datacenter's routing instance, whose ovhBgpArea "will appear in AS path".
    assert onprem.path("100.66.80.0/28") == "65501 65502"
    assert onprem.path("172.21.0.0/16") == "65501 65502"
    occ.delete(f"{extras}/{route['id']}")
    server.settle()
    eventually("the static route withdrawn",
               lambda: "172.21.0.0/16" not in onprem.learned()
               and "100.66.80.0/28" in onprem.learned())

    # A `bgp` extra: a session with the datacenter's router; VRRP goes off; routes cross.
    in_dc = Bgpd(stack, dc_wire, 65100, CUSTOMER_DC, GATEWAY, 65502, "10.71.0.0/16")
    create(occ, extras, type="bgp", bgpNeighborArea=65100, bgpNeighborIp=CUSTOMER_DC)
    server.settle()
    eventually("the bgp extra's session up", lambda: status() == {"pop": "up", "extra": "up"},
               timeout=60)
    assert in_dc.established()
    assert [g["state"] for g in server.runtime()["vrrpGroups"]] == ["off"]
    eventually("the gateway on the datacenter's bridge", lambda: dc_wire.bridge_has("100.66.80.1/28"))
    eventually("the datacenter router's prefix at the PoP's router",
               lambda: "10.71.0.0/16" in onprem.learned())
    eventually("the PoP router's prefix at the datacenter router",
               lambda: "10.70.0.0/16" in in_dc.learned())
    # OVH relays with the learned AS_PATH, through both of its routing instances: the guide
    # says the datacenter's ovhBgpArea "will appear in AS path".
    assert onprem.path("10.71.0.0/16") == "65501 65502 65100"
    assert in_dc.path("10.70.0.0/16") == "65502 65501 65001"

    # Deleting the PoP configuration takes the sessions and OVH's addresses away.
    occ.delete(f"{pops}/{pop['id']}")
    server.settle()
    assert occ.get(pops) == []
    eventually("OVH's addresses gone from the host",
               lambda: not pop_wire.host_has("100.66.79.1/30")
               and not dc_wire.bridge_has("100.66.80.1/28"))
    assert status() == {}
    eventually("FRR's session down", lambda: not onprem.established())


def test_one_asn_on_both_sides_of_ovh_needs_allowas_in(tmp_path, stack):
    """The customer runs AS 65001 at the PoP and in the datacenter. OVH relays each router's
    prefix to the other with the AS_PATH it learned, so each receives a path that holds its own
    AS (`65501 65502 65001`) and drops it (RFC 4271 §9.1.2), as on the real service; FRR's
    `allowas-in` lets it in."""
    pop_wire = Wire(stack, "oq")
    dc_wire = Wire(stack, "or")
    server, occ, pops, pop, dc, extras = serve_pop_and_datacenter(tmp_path, stack, pop_wire,
                                                                  dc_wire)
    create(occ, extras, type="bgp", bgpNeighborArea=65001, bgpNeighborIp=CUSTOMER_DC)
    server.settle()
    pop_wire.up(f"{CUSTOMER_POP}/30")
    dc_wire.up(f"{CUSTOMER_DC}/28")
    inbound = ["soft-reconfiguration inbound"]
    onprem = Bgpd(stack, pop_wire, 65001, CUSTOMER_POP, OVH_POP, 65501, "10.70.0.0/16", inbound)
    in_dc = Bgpd(stack, dc_wire, 65001, CUSTOMER_DC, GATEWAY, 65502, "10.71.0.0/16", inbound)
    eventually("both sessions established",
               lambda: onprem.established() and in_dc.established(), timeout=60)

    # Each prefix reaches the other router, which drops it: its own AS is in the path.
    eventually("the datacenter's prefix sent to the PoP router",
               lambda: "10.71.0.0/16" in onprem.received())
    eventually("the PoP's prefix sent to the datacenter router",
               lambda: "10.70.0.0/16" in in_dc.received())
    assert "100.66.80.0/28" in onprem.learned()
    assert onprem.path("10.71.0.0/16") is None
    assert in_dc.path("10.70.0.0/16") is None

    # allowas-in: the router takes paths holding its AS (once).
    onprem.configure(f"neighbor {OVH_POP} allowas-in 1")
    eventually("the datacenter's prefix installed at the PoP router with allowas-in",
               lambda: onprem.path("10.71.0.0/16") == "65501 65502 65001")
    assert in_dc.path("10.70.0.0/16") is None
