"""End to end with the official `ovh` client and a real FRR: an l3 PoP configured through the
client brings up a BGP session with FRR in a network namespace, which learns the datacenter
subnet and a `network` extra's prefix.

A veth pair joins the root namespace (where `peerlab serve` runs, its config binding the demo
service's interface 9001 to the host end, which then carries OVH's 100.66.79.1/30) and a
namespace where FRR's bgpd (AS 65001, on 100.66.79.2/30, no zebra: IPv4 only) announces
10.70.0.0/16. Needs root, iproute2 and FRR: fails, never skips, without them. The namespace,
the veth pair, bgpd and `serve` are removed whatever happens.

`crates/peerlab/tests/e2e_ovh_frr.rs` goes further (a `bgp` extra with a second router).
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ovh_support import INTERFACE_A, SERVICE_A, VRACK, Server

BGPD = Path("/usr/lib/frr/bgpd")
VTYSH = Path("/usr/bin/vtysh")
OVH = "100.66.79.1"
CUSTOMER = "100.66.79.2"
TAG = f"{os.getpid() % 0xFFFF:x}"
NS = f"peerlab-ovhpy-{TAG}"
HOST_IF = f"oy{TAG}h"
PEER_IF = f"oy{TAG}p"


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


@pytest.fixture
def wiring():
    """The namespace and the veth pair (host end in the root namespace)."""
    for tool in (BGPD, VTYSH, Path(shutil.which("ip") or "/nonexistent")):
        if not tool.exists():
            pytest.fail(f"{tool} is missing: install frr and iproute2", pytrace=False)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    subprocess.run(["ip", "link", "del", HOST_IF], capture_output=True)
    run("ip", "netns", "add", NS)
    try:
        run("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", PEER_IF, "netns", NS)
        run("ip", "-n", NS, "link", "set", "lo", "up")
        yield
    finally:
        subprocess.run(["ip", "link", "del", HOST_IF], capture_output=True)
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)


@pytest.fixture
def bgpd(wiring):
    """FRR's bgpd in the namespace, as the customer; yields a vtysh runner."""
    directory = Path(tempfile.mkdtemp(prefix="peerlab-ovh-frr-"))
    (directory / "bgpd.conf").write_text(f"""hostname customer
router bgp 65001
 bgp router-id {CUSTOMER}
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor {OVH} remote-as 65501
 neighbor {OVH} timers connect 1
 address-family ipv4 unicast
  network 10.70.0.0/16
 exit-address-family
""")
    log = open(directory / "bgpd.log", "w")
    proc = subprocess.Popen(
        ["ip", "netns", "exec", NS, str(BGPD), "-f", str(directory / "bgpd.conf"),
         "-i", str(directory / "bgpd.pid"), "--vty_socket", str(directory),
         "-Z", "-n", "-S", "-p", "179", "-A", "127.0.0.1", "-P", "0"],
        stdout=log, stderr=subprocess.STDOUT,
    )

    def vtysh(command):
        out = subprocess.run([str(VTYSH), "--vty_socket", str(directory), "-d", "bgpd", "-c",
                              command], capture_output=True, text=True)
        return out.stdout if out.returncode == 0 else None

    try:
        eventually("bgpd's vty", lambda: vtysh("show bgp summary json"), timeout=20)
        yield vtysh
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


def test_frr_peers_with_an_l3_pop_and_learns_the_datacenter(tmp_path, bgpd):
    config = tmp_path / "peerlab.toml"
    config.write_text(f"""[[bindings]]
ovh_service = "{SERVICE_A}"
ovh_interface = {INTERFACE_A}
interface = "{HOST_IF}"
""")
    server = Server(["--config", str(config)])
    try:
        occ = server.client()
        occ.post(f"/vrack/{VRACK}/ovhCloudConnect", ovhCloudConnect=SERVICE_A)
        server.settle()
        pops = f"/ovhCloudConnect/{SERVICE_A}/config/pop"
        pop = occ.post(pops, interfaceId=INTERFACE_A, type="l3", customerBgpArea=65001,
                       ovhBgpArea=65501, subnet="100.66.79.0/30")
        dc = occ.post(f"{pops}/{pop['id']}/datacenter", datacenterId=1, ovhBgpArea=65502,
                      subnet="10.80.0.0/28")
        extra = occ.post(f"{pops}/{pop['id']}/datacenter/{dc['id']}/extra", type="network",
                         nextHop="10.80.0.5", subnet="172.21.0.0/16")
        server.settle()
        assert occ.get(f"{pops}/{pop['id']}")["status"] == "active"

        run("ip", "-n", NS, "addr", "add", f"{CUSTOMER}/30", "dev", PEER_IF)
        run("ip", "-n", NS, "link", "set", PEER_IF, "up")

        def established():
            text = bgpd(f"show bgp neighbors {OVH} json")
            return text and json.loads(text).get(OVH, {}).get("bgpState") == "Established"

        eventually("FRR's session with OVH established", established, timeout=60)
        eventually("`up` in peerlab's OVH state", lambda: [
            s["status"] for s in server.runtime()["sessions"]] == ["up"])

        def learned():
            text = bgpd(f"show bgp ipv4 unicast neighbors {OVH} routes json")
            return set(json.loads(text).get("routes", {})) if text else set()

        eventually("the datacenter subnet and the static route at FRR",
                   lambda: {"10.80.0.0/28", "172.21.0.0/16"} <= learned())
        # OVH's side of the session as the client configured it.
        session = server.runtime()["sessions"][0]
        assert (session["local"], session["peer"]) == (OVH, CUSTOMER)
        assert (session["local_asn"], session["peer_asn"]) == (65501, 65001)

        occ.delete(f"{pops}/{pop['id']}/datacenter/{dc['id']}/extra/{extra['id']}")
        server.settle()
        eventually("the static route withdrawn",
                   lambda: "172.21.0.0/16" not in learned() and "10.80.0.0/28" in learned())
    finally:
        server.stop()
