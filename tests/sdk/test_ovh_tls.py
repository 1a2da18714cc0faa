"""`peerlab serve --tls`: HTTPS as OVH's API speaks it, trusted the way clients are told to
(`REQUESTS_CA_BUNDLE` for Python), with a certificate serve makes or the user's own; and the
whole l3 configuration in terraform-provider-ovh's order with the official `ovh` client over it:
pop, then datacenter, then a `bgp` extra, each POST → task → GET by `resourceId`, and the
delete in reverse, each waiting on its task.
"""

import subprocess

import pytest
import requests
from ovh.exceptions import ResourceNotFoundError

from conftest import BINARY
from ovh_support import INTERFACE_A, SERVICE_A, Server, in_vrack


@pytest.fixture
def tls_server():
    server = Server(tls=True)
    yield server
    server.stop()


def wait_done(server, client, task):
    """Polls the task, moving the task clock, until it is `done`."""
    path = f"/ovhCloudConnect/{SERVICE_A}/task/{task['id']}"
    for _ in range(50):
        current = client.get(path)
        if current["status"] == "done":
            return current
        assert current["status"] in ("todo", "doing"), current
        server.advance(10)
    pytest.fail(f"task {task} never done")


def post_and_read(server, client, collection, **body):
    task = client.post(collection, **body)
    assert task["function"].startswith("add") and isinstance(task["resourceId"], int), task
    wait_done(server, client, task)
    resource = client.get(f"{collection}/{task['resourceId']}")
    assert resource["status"] == "active" and resource["id"] == task["resourceId"]
    return resource


def delete_and_wait(server, client, path):
    task = client.delete(path)
    assert task["function"].startswith("del"), task
    wait_done(server, client, task)
    with pytest.raises(ResourceNotFoundError):
        client.get(path)


def whole_l3_configuration(server, client):
    """Pop, datacenter, `bgp` extra; then the delete in reverse."""
    in_vrack(server, client)
    pops = f"/ovhCloudConnect/{SERVICE_A}/config/pop"
    pop = post_and_read(server, client, pops, interfaceId=INTERFACE_A, type="l3",
                        customerBgpArea=65001, ovhBgpArea=65501, subnet="192.0.2.0/30")
    dcs = f"{pops}/{pop['id']}/datacenter"
    dc = post_and_read(server, client, dcs, datacenterId=1, ovhBgpArea=65502,
                       subnet="10.10.0.0/28")
    extras = f"{dcs}/{dc['id']}/extra"
    extra = post_and_read(server, client, extras, type="bgp", bgpNeighborArea=65100,
                          bgpNeighborIp="10.10.0.4")
    sessions = {s["id"] for s in server.runtime()["sessions"]}
    assert sessions == {f"ovh-pop-{pop['id']}", f"ovh-extra-{extra['id']}"}
    delete_and_wait(server, client, f"{extras}/{extra['id']}")
    delete_and_wait(server, client, f"{dcs}/{dc['id']}")
    delete_and_wait(server, client, f"{pops}/{pop['id']}")
    assert server.runtime()["sessions"] == []


def test_the_python_client_drives_a_whole_l3_configuration_over_https(tls_server, monkeypatch):
    assert f"listening: https://127.0.0.1:{tls_server.port}" in tls_server.output()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_server.ca)
    client = tls_server.client()
    assert tls_server.url.startswith("https://")
    whole_l3_configuration(tls_server, client)


def test_a_client_that_does_not_trust_the_ca_is_refused(tls_server):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{tls_server.url}/1.0/auth/time", timeout=5)
    # Plain HTTP on the TLS port is not served.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{tls_server.port}/1.0/auth/time", timeout=5)


def test_the_certificate_names_the_listen_address_too(tls_server):
    r = requests.get(f"https://127.0.0.1:{tls_server.port}/1.0/auth/time", timeout=5,
                     verify=tls_server.ca)
    assert r.status_code == 200


def test_plain_http_stays_the_default():
    server = Server()
    try:
        assert f"listening: http://127.0.0.1:{server.port}" in server.output()
        assert "ca_certificate" not in server.output()
        assert server.client().get("/ovhCloudConnect")
    finally:
        server.stop()


def openssl_certificate(tmp_path, name):
    """A self-signed certificate for `localhost` and its key, made by OpenSSL."""
    cert, key = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def test_the_users_own_certificate_and_key(tmp_path, monkeypatch):
    cert, key = openssl_certificate(tmp_path, "own")
    server = Server(["--tls-cert", str(cert), "--tls-key", str(key)], tls=str(cert))
    try:
        assert "ca_certificate" not in server.output()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        assert server.client().get("/ovhCloudConnect")
    finally:
        server.stop()


def test_bad_certificates_and_keys_are_one_line_and_exit_2(tmp_path):
    cert, key = openssl_certificate(tmp_path, "a")
    _, other_key = openssl_certificate(tmp_path, "b")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    for args in (
        ["--tls-cert", str(tmp_path / "missing.crt"), "--tls-key", str(key)],
        ["--tls-cert", str(cert), "--tls-key", str(tmp_path / "missing.key")],
        ["--tls-cert", str(cert), "--tls-key", str(other_key)],
        ["--tls-cert", str(garbage), "--tls-key", str(key)],
        ["--tls-cert", str(cert), "--tls-key", str(garbage)],
    ):
        r = subprocess.run([str(BINARY), "serve", "--listen", "127.0.0.1:0", *args],
                           capture_output=True, text=True, timeout=20)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("peerlab: "), (args, r.stderr)
        assert "listening" not in r.stdout
