"""Helpers of the OVHcloud Connect tests: a fresh `peerlab serve` per test (the OVH demo has two
services, so tests must not share one), the official `ovh` client pointed at it, and the admin
call that moves the task clock forward (virtual time: no test waits for a task).
"""

import re
import subprocess
import tempfile
import time

import ovh
import pytest
import requests

from conftest import BINARY, _free_port

ADMIN_TOKEN = "5ca1e000-0000-4000-8000-e000000000ad"
APPLICATION_KEY = "testappkey000001"
APPLICATION_SECRET = "testapplicationsecret00000000001"
CONSUMER_KEY = "testconsumerkey00000000000000001"
# The demo catalogue (crates/provider/src/catalogue/ovh.rs).
SERVICE_A = "0c0c0000-0000-4000-8000-0000000000a1"
SERVICE_B = "0c0c0000-0000-4000-8000-0000000000b1"
INTERFACE_A = 9001
INTERFACE_B = 9002
VRACK = "pn-100001"
VRACK_2 = "pn-100002"
DATACENTERS = {1: "RBX", 2: "GRA", 3: "SBG"}
# Tasks take this long; tests move the clock instead of waiting.
TASK_SECS = 100


class Server:
    """A running `peerlab serve`."""

    def __init__(self, extra_args=(), port=None, tls=False):
        """`tls`: `serve --tls` (or `--tls-cert`/`--tls-key` in `extra_args`), reached at
        `https://localhost:PORT`, trusting the CA certificate serve prints (`self.ca`), or
        `verify` (a path) when given instead of `True`."""
        if not BINARY.is_file():
            pytest.fail(f"{BINARY} is missing: run `cargo build -p peerlab`", pytrace=False)
        self.port = port or _free_port()
        self.url = f"{'https://localhost' if tls else 'http://127.0.0.1'}:{self.port}"
        self.ca = tls if isinstance(tls, str) else None
        self.log = tempfile.NamedTemporaryFile(mode="w+")
        # The child appends (O_APPEND) through its own file description, so reading the log
        # while it runs never moves where it writes.
        child_log = open(self.log.name, "a")
        self.proc = subprocess.Popen(
            [
                str(BINARY), "serve", "--listen", f"127.0.0.1:{self.port}",
                "--ovh-application-key", APPLICATION_KEY,
                "--ovh-application-secret", APPLICATION_SECRET,
                "--ovh-consumer-key", CONSUMER_KEY,
                "--ovh-task-secs", str(TASK_SECS),
                *(["--tls"] if tls is True else []),
                *extra_args,
            ],
            stdout=child_log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        child_log.close()
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"peerlab serve exited with {self.proc.returncode}: {self.output()}")
            if tls is True and self.ca is None:
                found = re.search(r"^ca_certificate: (.+)$", self.output(), re.M)
                self.ca = found and found.group(1)
            try:
                if (not tls or self.ca) and self.session().get(
                        f"{self.url}/1.0/auth/time", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                output = self.output()
                self.stop()
                pytest.fail(f"peerlab serve did not answer within 20 s: {output}")
            time.sleep(0.05)

    def session(self):
        """A `requests` session that trusts the server."""
        session = requests.Session()
        # Not the environment's CA bundle (REQUESTS_CA_BUNDLE would win over `verify`).
        session.trust_env = False
        if self.ca:
            session.verify = self.ca
        return session

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def client(self, **overrides):
        """The official client, signed with the given credentials."""
        ovh.client.ENDPOINTS["peerlab"] = f"{self.url}/1.0"
        args = dict(
            endpoint="peerlab",
            application_key=APPLICATION_KEY,
            application_secret=APPLICATION_SECRET,
            consumer_key=CONSUMER_KEY,
        )
        args.update(overrides)
        return ovh.Client(**args)

    def advance(self, seconds):
        """Moves the task clock forward and carries out what is due."""
        r = self.session().post(
            f"{self.url}/peerlab/v1/admin/ovh/advance-clock",
            json={"seconds": seconds},
            headers={"X-Auth-Token": ADMIN_TOKEN},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        return r.json()["clock"]

    def settle(self):
        """Lets every task finish."""
        self.advance(TASK_SECS + 1)

    def runtime(self):
        """What the engine runs for OVH: sessions with status, static routes, VRRP groups."""
        r = self.session().get(
            f"{self.url}/peerlab/v1/admin/ovh/state",
            headers={"X-Auth-Token": ADMIN_TOKEN},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def ovh_server():
    server = Server()
    yield server
    server.stop()


@pytest.fixture
def occ(ovh_server):
    return ovh_server.client()


def in_vrack(server, client, service=SERVICE_A, vrack=VRACK):
    """Links `service` to `vrack` and lets the task finish."""
    client.post(f"/vrack/{vrack}/ovhCloudConnect", ovhCloudConnect=service)
    server.settle()


def create(client, collection, **body):
    """POSTs `body` to `collection` (a pop, datacenter or extra configuration list): OVH answers
    an `ovhcloudconnect.Task` whose `resourceId` names the new configuration, which is then read
    at `collection/resourceId` (status `init` until the task is done). Gives the configuration."""
    task = client.post(collection, **body)
    assert set(task) == {"function", "id", "resourceId", "status"}, task
    assert task["function"].startswith("add") and task["status"] == "todo", task
    return client.get(f"{collection}/{task['resourceId']}")


def l3_pop(client, service=SERVICE_A, interface=INTERFACE_A, subnet="192.0.2.0/30",
           customer=65001, ovh_area=65501):
    return create(
        client, f"/ovhCloudConnect/{service}/config/pop",
        interfaceId=interface, type="l3", customerBgpArea=customer, ovhBgpArea=ovh_area,
        subnet=subnet,
    )


def l3_dc(client, pop_id, service=SERVICE_A, datacenter=1, subnet="10.10.0.0/28", ovh_area=65502):
    return create(
        client, f"/ovhCloudConnect/{service}/config/pop/{pop_id}/datacenter",
        datacenterId=datacenter, ovhBgpArea=ovh_area, subnet=subnet,
    )


def expect_error(exception, status, call, *args, **kwargs):
    """`call` raises `exception` with an OVH body (`class`, `message`) and `status`."""
    with pytest.raises(exception) as info:
        call(*args, **kwargs)
    response = info.value.response
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"class", "message"}, body
    return body
