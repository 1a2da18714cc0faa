"""`peerlab serve --state FILE`: acknowledged writes survive SIGKILL; a bad file is an error.

Each test runs its own servers (not the shared `server` fixture) on a state file in a
temporary directory.
"""

import json
import signal
import sqlite3
import subprocess
import threading
import time

import pytest
import requests

from conftest import (BINARY, CONNECTION_DC2, DEMO_PROJECT, DEMO_TOKEN, POP_DC2, ROOT, VPC,
                      _free_port)

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
    state = tmp_path / "state.db"
    proc, _ = start(state)
    try:
        assert state.read_bytes().startswith(b"SQLite format 3\0")
    finally:
        stop(proc)
    # A peerlab state (application_id "peer", layout version 2) holding the catalogue's resources.
    db = sqlite3.connect(state)
    try:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x70656572
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        kinds = {k for (k,) in db.execute("SELECT DISTINCT kind FROM resource")}
        assert {"interlink.pops", "interlink.connections", "ipam.vpcs"} <= kinds
    finally:
        db.close()


def list_all(url, kind, key):
    """Every resource of `kind` (all pages)."""
    out, page = [], 1
    while True:
        r = requests.get(f"{url}{BASE}/{kind}", headers=HEADERS,
                         params={"page": page, "page_size": 100}, timeout=10)
        assert r.ok, r.text
        batch = r.json()[key]
        if not batch:
            return out
        out.extend(batch)
        page += 1


def test_sigkill_under_concurrent_creates_and_deletes_loses_no_acknowledged_write(tmp_path):
    """Eight clients create and delete routing policies and links; SIGKILL mid-burst. After a
    restart every acknowledged create is there (unless its deletion was attempted), every
    acknowledged delete is gone, and nothing appears that no client asked for."""
    state = tmp_path / "state.db"
    proc, url = start(state)
    lock = threading.Lock()
    vlans = iter(range(1500, 3900))
    acked_creates = {}  # name -> (kind, answer)
    acked_deletes = set()  # names
    attempted_creates = set()  # names, acknowledged or not
    attempted_deletes = set()  # names, acknowledged or not
    refused = []
    killed = threading.Event()

    def create(session, kind, name, body):
        with lock:
            attempted_creates.add(name)
        try:
            r = session.post(f"{url}{BASE}/{kind}", json=body, headers=HEADERS, timeout=10)
        except requests.RequestException:
            return None
        with lock:
            if not r.ok:
                refused.append(r.text)
                return None
            acked_creates[name] = (kind, r.json())
        return r.json()["id"]

    def delete(session, kind, name, rid):
        with lock:
            attempted_deletes.add(name)
        try:
            r = session.delete(f"{url}{BASE}/{kind}/{rid}", headers=HEADERS, timeout=10)
        except requests.RequestException:
            return
        with lock:
            if r.ok:
                acked_deletes.add(name)
            else:
                refused.append(r.text)

    def worker(w):
        session = requests.Session()
        live = []  # (kind, name, id) this client created and has not deleted
        k = 0
        while not killed.is_set():
            k += 1
            if k % 4 == 0 and live:
                kind, name, rid = live.pop(0)
                delete(session, kind, name, rid)
                continue
            if k % 3 == 0:
                with lock:
                    vlan = next(vlans)
                name = f"link-{w}-{k}"
                rid = create(session, "links", name, {
                    "name": name, "pop_id": POP_DC2, "bandwidth_mbps": 100,
                    "connection_id": CONNECTION_DC2, "vlan": vlan, "project_id": DEMO_PROJECT,
                })
                kind = "links"
            else:
                name = f"policy-{w}-{k}"
                rid = create(session, "routing-policies", name, {
                    "name": name, "is_ipv6": False, "prefix_filter_in": [f"10.{w}.{k % 256}.0/24"],
                    "prefix_filter_out": [], "tags": [f"w{w}"], "project_id": DEMO_PROJECT,
                })
                kind = "routing-policies"
            if rid is not None:
                live.append((kind, name, rid))
                # At most four live links per client: the connection has room for 100.
                links = [x for x in live if x[0] == "links"]
                if len(links) > 4:
                    live.remove(links[0])
                    delete(session, "links", links[0][1], links[0][2])

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked_creates) + len(acked_deletes) < 300 and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    killed.set()
    for t in threads:
        t.join()
    assert not refused, refused
    print(f"acknowledged: {len(acked_creates)} creates, {len(acked_deletes)} deletes; "
          f"unanswered: {len(attempted_creates) - len(acked_creates)} creates, "
          f"{len(attempted_deletes) - len(acked_deletes)} deletes")
    assert len(acked_creates) + len(acked_deletes) >= 300, "the kill was not mid-burst"
    assert acked_deletes and any(kind == "links" for kind, _ in acked_creates.values())

    proc, url = start(state)
    try:
        present = {}
        for kind, key in (("routing-policies", "routing_policies"), ("links", "links")):
            for item in list_all(url, kind, key):
                present[item["name"]] = (kind, item)
        # Nothing appears that no client asked for.
        assert set(present) <= attempted_creates, set(present) - attempted_creates
        # Every acknowledged delete is gone.
        assert not acked_deletes & set(present), acked_deletes & set(present)
        # Every acknowledged create whose deletion was never attempted is there, unchanged.
        for name, (kind, answer) in acked_creates.items():
            if name in attempted_deletes:
                continue
            assert name in present, (kind, name)
            got_kind, got = present[name]
            assert got_kind == kind
            if kind == "links":
                assert {k: got[k] for k in LINK_FIELDS} == {k: answer[k] for k in LINK_FIELDS}
            else:
                assert got == answer
        # A resource that is there and whose create was acknowledged has the acknowledged ID.
        for name, (kind, got) in present.items():
            if name in acked_creates:
                assert got["id"] == acked_creates[name][1]["id"], name
    finally:
        stop(proc)


def test_a_json_state_of_the_previous_version_is_migrated(tmp_path):
    """The JSON state file written by the previous version (crates/world/tests/fixtures) is
    migrated to SQLite once; the JSON is kept as FILE.v1.json."""
    fixture = ROOT / "crates" / "world" / "tests" / "fixtures" / "state-v1.json"
    state = tmp_path / "state.json"
    state.write_bytes(fixture.read_bytes())
    proc, url = start(state)
    try:
        links = list_all(url, "links", "links")
        assert sorted(link["name"] for link in links) == ["hosted", "prod"]
        prod = next(link for link in links if link["name"] == "prod")
        assert prod["vlan"] == 2001 and prod["vpc_id"] == VPC
        policies = list_all(url, "routing-policies", "routing_policies")
        assert sorted(p["name"] for p in policies) == ["v4", "v6"]
    finally:
        stop(proc)
    assert (tmp_path / "state.json.v1.json").read_bytes() == fixture.read_bytes()
    assert state.read_bytes().startswith(b"SQLite format 3\0")
    proc, url = start(state)  # and it loads as SQLite from then on
    try:
        assert len(list_all(url, "links", "links")) == 2
    finally:
        stop(proc)
