"""The OpenAPI document at `GET /openapi.json`, and a schemathesis run over it.

Schemathesis (property-based, from the document) drives a `peerlab serve` of its own, so that
the resources it creates cannot disturb the SDK tests sharing the session server. Checks: no
5xx answer (`not_a_server_error`) and every answer matching its documented schema
(`response_schema_conformance`).
"""

import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import BINARY, DEMO_TOKEN, _free_port

SCHEMATHESIS = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "schemathesis"
# Bounds the whole schemathesis run (its --max-time 50 stops fuzzing and stateful runs earlier).
RUN_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def own_server():
    """A fresh `peerlab serve` on a free port; yields its base URL."""
    if not BINARY.is_file():
        pytest.fail(f"{BINARY} is missing: build it first with `cargo build -p peerlab`", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [str(BINARY), "serve", "--listen", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"peerlab serve exited with {proc.returncode}: {log.read()}", pytrace=False)
        try:
            if requests.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            log.seek(0)
            pytest.fail(f"peerlab serve did not answer within 20 s: {log.read()}", pytrace=False)
        time.sleep(0.1)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def test_document_needs_no_token_and_lists_both_products(server):
    r = requests.get(f"{server}/openapi.json", timeout=5)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert "get" in paths["/interlink/v1beta1/regions/{region}/links"]
    assert "post" in paths["/interlink/v1beta1/regions/{region}/links"]
    assert "delete" in paths["/ipam/v1/regions/{region}/ips/{ip_id}"]
    assert "post" in paths["/vpc/v2/regions/{region}/vpcs"]
    assert "501" in paths["/vpc/v2/regions/{region}/private-networks/{private_network_id}/subnets"]["post"]["responses"]
    assert "put" in paths["/lb/v1/zones/{zone}/frontends/{frontend_id}/acls"]
    assert "put" not in paths["/lb/v1/regions/{region}/frontends/{frontend_id}/acls"]
    assert "delete" in paths["/lb/v1/regions/{region}/backends/{backend_id}/servers"]
    scheme = doc["components"]["securitySchemes"]["XAuthToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    for name in ["Link", "RoutingPolicy", "Pop", "Partner", "DedicatedConnection", "IP", "Error", "VPC",
                 "PrivateNetwork", "Route"]:
        assert name in doc["components"]["schemas"], name


def test_schemathesis_finds_no_server_error_and_no_schema_violation(own_server):
    assert SCHEMATHESIS.is_file(), f"{SCHEMATHESIS} missing: .venv/bin/pip install schemathesis"
    with tempfile.TemporaryDirectory(prefix="peerlab-schemathesis-") as scratch:
        _run_schemathesis(own_server, scratch)


def _run_schemathesis(url: str, scratch: str) -> None:
    cmd = [
        str(SCHEMATHESIS),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--header",
        f"X-Auth-Token: {DEMO_TOKEN}",
        # The admin calls need the admin token and rightly answer the demo token 403 (schemathesis
        # reads that as broken auth); tests/sdk/test_admin.py covers them.
        "--exclude-path-regex",
        "^/peerlab/v1/admin/",
        # The VPC calls peerlab does not serve answer the live API's `501 unimplemented
        # endpoint` by design (a 5xx); tests/sdk/test_vpc.py covers them.
        "--exclude-tag",
        "VPC v2 (not served: 501)",
        "--max-examples",
        "20",
        # Every phase: the document's examples (which create a link, a routing policy and an
        # IP in the demo catalogue), coverage, fuzzing, and stateful runs along its links.
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-time",
        "50",
        "--seed",
        "1",
        # One worker: with several, hypothesis's lambda descriptions crash CPython 3.11's
        # parser ("AST constructor recursion depth mismatch") inside schemathesis.
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
        # Nothing left behind in the working tree: no example database, reports in scratch.
        "--generation-database",
        ":memory:",
        "--report-dir",
        scratch,
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.monotonic()
    try:
        run = subprocess.run(
            cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=env, cwd=scratch
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"schemathesis ran over {RUN_TIMEOUT_S} s:\n{e.stdout}\n{e.stderr}", pytrace=False)
    took = time.monotonic() - started
    output = f"$ {' '.join(cmd)}\n(exit {run.returncode}, {took:.0f} s)\n{run.stdout}\n{run.stderr}"
    assert run.returncode == 0, output
    print(output)
