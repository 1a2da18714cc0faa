"""`peerlab serve --state FILE`: acknowledged writes survive SIGKILL; a bad file is an error.

Each test runs its own servers (not the shared `server` fixture) on a state file in a
temporary directory.
"""

import json
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import BINARY, CONNECTION_DC2, DEMO_PROJECT, DEMO_TOKEN, POP_DC2, _free_port

HEADERS = {"X-Auth-Token": DEMO_TOKEN}
BASE = "/interlink/v1beta1/regions/fr-par"
# Fields of a link that a restart must not change (statuses follow the sessions).
LINK_FIELDS = [
    "id", "project_id", "organization_id", "name", "tags", "pop_id", "bandwidth_mbps",
    "enable_route_propagation", "vlan", "region", "vpc_id", "created_at", "scw_bgp_config",
    "peer_bgp_config", "routing_policy_v4_id", "routing_policy_v6_id", "partner", "self",
]


def start(state, port=None):
    """`peerlab serve --state state` on a free port, once it answers: (process, url)."""
    if not BINARY.is_file():
        pytest.fail(f"{BINARY} is missing: run `cargo build -p peerlab`", pytrace=False)
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(BINARY), "serve", "--listen", f"127.0.0.1:{port}", "--state", str(state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            pytest.fail(f"peerlab serve exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            if requests.get(f"{url}{BASE}/pops", headers=HEADERS, timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "peerlab serve did not answer within 20 s"
        time.sleep(0.05)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stderr.close()


def write_requests(n):
    """n create calls: every third a link (distinct VLANs), the others routing policies."""
    calls = []
    for i in range(n):
        if i % 3 == 0:
            calls.append(("links", {
                "name": f"link-{i}", "pop_id": POP_DC2, "bandwidth_mbps": 100,
                "connection_id": CONNECTION_DC2, "vlan": 1500 + i,
                "project_id": DEMO_PROJECT, "tags": [f"t{i}"],
            }))
        else:
            calls.append(("routing-policies", {
                "name": f"policy-{i}", "is_ipv6": i % 2 == 0,
                "prefix_filter_in": ["2001:db8::/32"] if i % 2 == 0 else [f"10.{i}.0.0/16"],
                "prefix_filter_out": [], "tags": [f"t{i}"], "project_id": DEMO_PROJECT,
            }))
    return calls


def test_acknowledged_writes_survive_sigkill(tmp_path):
    state = tmp_path / "state.json"
    proc, url = start(state)
    calls = write_requests(200)
    acked = []  # (kind, answer) of every 2xx
    refused = []  # any other answer: none expected
    lock = threading.Lock()
    next_call = iter(calls)

    def worker():
        session = requests.Session()
        while True:
            with lock:
                call = next(next_call, None)
            if call is None:
                return
            kind, body = call
            try:
                r = session.post(f"{url}{BASE}/{kind}", json=body, headers=HEADERS, timeout=10)
            except requests.RequestException:
                continue  # not acknowledged
            with lock:
                if r.ok:
                    acked.append((kind, r.json()))
                else:
                    refused.append(r.text)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    # SIGKILL mid-burst, once a good part has been acknowledged.
    deadline = time.monotonic() + 30
    while len(acked) < 60 and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    for t in threads:
        t.join()
    assert not refused, refused
    assert 60 <= len(acked) < len(calls), f"the kill was not mid-burst: {len(acked)} acked"
    assert any(kind == "links" for kind, _ in acked)

    proc, url = start(state)
    try:
        for kind, answer in acked:
            r = requests.get(f"{url}{BASE}/{kind}/{answer['id']}", headers=HEADERS, timeout=5)
            assert r.status_code == 200, (kind, answer["id"], r.text)
            got = r.json()
            if kind == "links":
                assert {k: got[k] for k in LINK_FIELDS} == {k: answer[k] for k in LINK_FIELDS}
            else:
                assert got == answer
        # The server answers normally: lists hold them all, and new writes go on.
        r = requests.get(f"{url}{BASE}/links", headers=HEADERS, params={"page_size": 100})
        assert r.ok
        listed = {link["id"] for link in r.json()["links"]}
        assert {a["id"] for k, a in acked if k == "links"} <= listed
        r = requests.post(f"{url}{BASE}/routing-policies", headers=HEADERS, json={
            "name": "after", "is_ipv6": False, "prefix_filter_in": ["10.0.0.0/8"],
            "project_id": DEMO_PROJECT,
        })
        assert r.ok, r.text
        assert r.json()["id"] not in {a["id"] for _, a in acked}
        # A link created with a VLAN taken before the kill is refused: the VLAN is still booked.
        taken = next(a for k, a in acked if k == "links")
        r = requests.post(f"{url}{BASE}/links", headers=HEADERS, json={
            "name": "dup", "pop_id": POP_DC2, "bandwidth_mbps": 100,
            "connection_id": CONNECTION_DC2, "vlan": taken["vlan"], "project_id": DEMO_PROJECT,
        })
        assert r.status_code == 400 or r.status_code == 409, r.text
    finally:
        stop(proc)
    # The clean restart saw it all too.
    proc, url = start(state)
    try:
        r = requests.get(f"{url}{BASE}/routing-policies", headers=HEADERS,
                         params={"name": "after"})
        assert [p["name"] for p in r.json()["routing_policies"]] == ["after"]
    finally:
        stop(proc)


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": "peerlab-state", "version": 1',
                                     json.dumps({"format": "other", "version": 1}).encode()])
def test_a_corrupt_state_file_is_a_one_line_error(tmp_path, content):
    state = tmp_path / "state.json"
    state.write_bytes(content)
    out = subprocess.run(
        [str(BINARY), "serve", "--listen", f"127.0.0.1:{_free_port()}", "--state", str(state)],
        capture_output=True, text=True, timeout=20,
    )
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(state) in lines[0] and "state" in lines[0], out.stderr
    assert "listening" not in out.stdout
    assert state.read_bytes() == content  # never overwritten


def test_a_missing_state_file_is_created(tmp_path):
    state = tmp_path / "state.json"
    proc, _ = start(state)
    try:
        assert json.loads(state.read_text())["format"] == "peerlab-state"
    finally:
        stop(proc)
