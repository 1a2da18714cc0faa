"""End to end with the official SDK: a real FRR router in a network namespace meets the link the
SDK creates.

`crates/linux/examples/customer_router.rs` (built by the test command) puts FRR in its own
namespace, joined to the root namespace by a veth pair. `peerlab serve` runs here with a config
binding the demo dedicated connection `demo-dc2-10g` to the root end, so a self-hosted link on
it gets a VLAN subinterface with Scaleway's /31 and /127 and runs its sessions there.

Through the SDK: a v4 routing policy (in 10.1.0.0/16, out 172.16.0.0/22) and a self-hosted
link on VLAN 2001 with the policy and the demo VPC (172.16.0.0/22). FRR (AS 64512) announces
10.1.0.0/16 and 10.2.0.0/16. Checked:
- `bgp_v4_status` becomes `up` (waited for with `wait_for_link`), and FRR sees Established;
- before propagation is enabled FRR learns nothing; after `enable_route_propagation` it learns
  exactly the VPC prefix the policy lets out; `disable_route_propagation` withdraws it;
- `set_routing_policy` to a policy whose `prefix_filter_out` no longer admits the VPC
  withdraws it at FRR without resetting the session;
- deleting the link removes serve's VLAN interface and the session goes down at FRR.

A second case kills `serve` with SIGKILL (so it cleans nothing up) and starts it again on the
same `--state` file: the link is back and so is its session, with the routes it announced.

Needs root, iproute2 and FRR: it fails (never skips) without them.
"""

import json
import subprocess
import time
from pathlib import Path

import pytest
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
from scaleway_core.utils import WaitForOptions

from conftest import (
    CONNECTION_DC2,
    DEMO_PROJECT,
    DEMO_TOKEN,
    POP_DC2,
    ROOT,
    VPC,
    ServeProcess,
    make_client,
    start_serve,
)

ROUTER = ROOT / "target" / "debug" / "examples" / "customer_router"
VLAN = 2001
PEER_ASN = 64512
VPC_PREFIX = "172.16.0.0/22"


class CustomerRouter:
    """The customer_router process: one command per line in, one JSON line out."""

    def __init__(self, kind: str, asn: int, vlan: int, announce: list[str]):
        if not ROUTER.is_file():
            pytest.fail(
                f"{ROUTER} is missing: build it with "
                "`cargo build -p linux --example customer_router`",
                pytrace=False,
            )
        self.proc = subprocess.Popen(
            [str(ROUTER), kind, str(asn), str(vlan), *announce],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        hello = self._read()
        self.host_interface = hello["host_interface"]
        self.namespace = hello["namespace"]

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=30)
            pytest.fail(f"customer_router exited: {self.proc.stderr.read()}", pytrace=False)
        return json.loads(line)

    def ask(self, command: str) -> dict:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        assert "error" not in answer, f"{command}: {answer['error']}"
        return answer

    def close(self):
        """Closing stdin stops FRR and removes the namespace and the veth pair."""
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def eventually(router: CustomerRouter, what: str, check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            log = router.ask("log")["log"]
            pytest.fail(f"timed out after {timeout} s waiting for {what}; FRR's log:\n{log}")
        time.sleep(0.25)


def host_has_vlan(interface: str) -> bool:
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    return f" {interface}.{VLAN}" in links or f" {interface}.{VLAN}@" in links


@pytest.fixture
def frr():
    router = CustomerRouter("frr", PEER_ASN, VLAN, ["10.1.0.0/16", "10.2.0.0/16"])
    yield router
    router.close()


def binding_config(directory: Path, frr: CustomerRouter) -> Path:
    """A serve config binding `demo-dc2-10g` to the router's veth."""
    config = directory / "peerlab.toml"
    config.write_text(
        f'[[bindings]]\nconnection = "demo-dc2-10g"\ninterface = "{frr.host_interface}"\n'
    )
    return config


@pytest.fixture
def bound_server(frr, tmp_path):
    """A `peerlab serve` whose config binds `demo-dc2-10g` to the router's veth."""
    with start_serve(["--config", str(binding_config(tmp_path, frr))]) as url:
        yield url


def make_link(api, frr: CustomerRouter):
    """A v4 policy and a self-hosted link on VLAN 2001 with the demo VPC; FRR connected to it."""
    policy = api.create_routing_policy(
        name="e2e-frr-v4",
        is_ipv6=False,
        prefix_filter_in=["10.1.0.0/16"],
        prefix_filter_out=[VPC_PREFIX],
    )
    link = api.create_link(
        name="e2e-frr",
        pop_id=POP_DC2,
        bandwidth_mbps=1000,
        connection_id=CONNECTION_DC2,
        vlan=VLAN,
        peer_asn=PEER_ASN,
    )
    api.attach_routing_policy(link_id=link.id, routing_policy_id=policy.id)
    link = api.attach_vpc(link_id=link.id, vpc_id=VPC)
    assert link.bgp_v4_status in ("down", "up")
    assert link.enable_route_propagation is False
    peer = frr.ask(f"connect {link.scw_bgp_config.ipv4} {link.scw_bgp_config.ipv6}")
    assert peer["peer_ipv4"] == link.peer_bgp_config.ipv4
    assert peer["peer_ipv6"] == link.peer_bgp_config.ipv6
    return link


def wait_session_up(api, link_id: str):
    return api.wait_for_link(
        link_id=link_id,
        options=WaitForOptions(
            stop=lambda l: l.bgp_v4_status == "up", timeout=60, min_delay=1, max_delay=1
        ),
    )


def test_frr_peers_with_a_link_made_through_the_sdk(frr, bound_server):
    api = InterlinkV1Beta1API(make_client(bound_server, DEMO_TOKEN, DEMO_PROJECT))
    link = make_link(api, frr)
    link = wait_session_up(api, link.id)
    assert link.bgp_v4_status == "up"
    # No IPv6 policy: the IPv6 session is not configured.
    assert link.bgp_v6_status == "disabled"
    # Every configured session is up (a disabled one does not count).
    assert link.status == "active"
    assert frr.ask("state")["ipv4"] == "Established"

    def frr_routes() -> set[str]:
        return set(frr.ask("routes")["ipv4"])

    # Propagation off: nothing announced.
    time.sleep(1)
    assert frr_routes() == set()

    assert api.enable_route_propagation(link_id=link.id).enable_route_propagation is True
    eventually(frr, "the VPC prefix at FRR", lambda: frr_routes() == {VPC_PREFIX})

    assert api.disable_route_propagation(link_id=link.id).enable_route_propagation is False
    eventually(frr, "the VPC prefix withdrawn", lambda: frr_routes() == set())

    # Back on, then a policy swap that no longer lets the VPC out: withdrawn, session kept.
    api.enable_route_propagation(link_id=link.id)
    eventually(frr, "the VPC prefix back at FRR", lambda: frr_routes() == {VPC_PREFIX})
    closed = api.create_routing_policy(
        name="e2e-frr-v4-closed",
        is_ipv6=False,
        prefix_filter_in=["10.1.0.0/16"],
        prefix_filter_out=["192.168.0.0/16"],
    )
    link = api.set_routing_policy(link_id=link.id, routing_policy_id=closed.id)
    assert link.routing_policy_v4_id == closed.id
    eventually(frr, "the VPC prefix withdrawn by the new policy", lambda: frr_routes() == set())
    assert frr.ask("state")["ipv4"] == "Established"
    assert api.get_link(link_id=link.id).bgp_v4_status == "up"

    # Deleting the link takes serve's VLAN interface (and so the session) away.
    assert host_has_vlan(frr.host_interface)
    assert api.delete_link(link_id=link.id).status == "deleted"
    eventually(frr, "serve's VLAN interface gone", lambda: not host_has_vlan(frr.host_interface))
    eventually(frr, "the session down at FRR", lambda: frr.ask("state")["ipv4"] != "Established")


def test_sessions_come_back_after_serve_is_killed(frr, tmp_path):
    args = ["--config", str(binding_config(tmp_path, frr)), "--state", str(tmp_path / "state.json")]
    serve = ServeProcess(args)
    try:
        api = InterlinkV1Beta1API(make_client(serve.url, DEMO_TOKEN, DEMO_PROJECT))
        link = make_link(api, frr)
        wait_session_up(api, link.id)
        api.enable_route_propagation(link_id=link.id)
        eventually(frr, "the VPC prefix at FRR", lambda: set(frr.ask("routes")["ipv4"]) == {VPC_PREFIX})

        serve.kill()
        eventually(frr, "the session down at FRR", lambda: frr.ask("state")["ipv4"] != "Established")
        eventually(frr, "the VPC prefix gone at FRR", lambda: frr.ask("routes")["ipv4"] == [])
    finally:
        serve.stop()

    # Same state file, same port: the link, its policy, propagation and its session are back.
    serve = ServeProcess(args, port=serve.port)
    try:
        api = InterlinkV1Beta1API(make_client(serve.url, DEMO_TOKEN, DEMO_PROJECT))
        again = wait_session_up(api, link.id)
        assert again.enable_route_propagation is True
        assert again.routing_policy_v4_id == link.routing_policy_v4_id
        assert again.scw_bgp_config.ipv4 == link.scw_bgp_config.ipv4
        eventually(frr, "the session back at FRR", lambda: frr.ask("state")["ipv4"] == "Established")
        eventually(frr, "the VPC prefix back at FRR", lambda: set(frr.ask("routes")["ipv4"]) == {VPC_PREFIX})
    finally:
        serve.stop()


def peerlab_trace(url: str, source: str, destination: str) -> dict:
    """`peerlab trace --server URL FROM TO --json` (the demo's admin token); its one-line
    error as `{"error": …}` when it cannot trace."""
    from conftest import BINARY

    out = subprocess.run(
        [str(BINARY), "trace", "--server", url, source, destination, "--json"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if out.returncode == 2:
        return {"error": out.stderr.strip(), "reachable": None}
    assert out.returncode in (0, 1), out
    return json.loads(out.stdout)


def test_trace_server_explains_a_packet_of_the_customers_own_router(frr, bound_server):
    """`peerlab trace --server` asks the running serve's model: a packet from an address behind
    the customer's own FRR (placed behind the link it is routed to) reaches the VPC while the
    link announces it, and is dropped, with the reason, once propagation is off."""
    api = InterlinkV1Beta1API(make_client(bound_server, DEMO_TOKEN, DEMO_PROJECT))
    link = make_link(api, frr)
    wait_session_up(api, link.id)
    api.enable_route_propagation(link_id=link.id)
    eventually(frr, "the VPC prefix at FRR", lambda: set(frr.ask("routes")["ipv4"]) == {VPC_PREFIX})
    gateway = "172.16.0.1"

    def answer() -> dict:
        return peerlab_trace(bound_server, "10.1.0.10", gateway)

    eventually(frr, "the trace delivered", lambda: answer()["reachable"] is True)
    delivered = answer()
    assert delivered["ping"] is None, delivered
    text = delivered["packets"][0]["text"]
    assert 'BGP from link "e2e-frr"' in text, text
    assert 'delivered to provider "scaleway"' in text, text

    api.disable_route_propagation(link_id=link.id)
    eventually(frr, "the trace dropped", lambda: answer()["reachable"] is False)
    dropped = answer()["packets"][0]
    assert f"no route to {gateway}" in dropped["text"], dropped
    assert "route propagation is disabled" in dropped["text"], dropped
