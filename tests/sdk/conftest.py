"""Fixtures: a `peerlab serve` on a free port and official-SDK clients pointed at it.

The binary must have been built (`cargo build -p peerlab`); if it is missing the fixture
FAILS (never skips), so a broken build cannot pass as "no tests".
"""

import contextlib
import os
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from scaleway import Client

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "debug" / "peerlab"

# The built-in demo catalogue (crates/provider/src/catalogue/demo.rs).
DEMO_TOKEN = "5ca1e000-0000-4000-8000-e00000000001"
DEMO_PROJECT = "5ca1e000-0000-4000-8000-000000000002"
OTHER_TOKEN = "5ca1e000-0000-4000-8000-e00000000002"
OTHER_PROJECT = "5ca1e000-0000-4000-8000-000000000003"
POP_DC2 = "5ca1e000-0000-4000-8000-a00000000001"
POP_TH2 = "5ca1e000-0000-4000-8000-a00000000002"
PARTNER_ACME = "5ca1e000-0000-4000-8000-b00000000001"
CONNECTION_DC2 = "5ca1e000-0000-4000-8000-c00000000001"
CONNECTION_TH2 = "5ca1e000-0000-4000-8000-c00000000002"
VPC = "5ca1e000-0000-4000-8000-d00000000001"
PRIVATE_NETWORK = "5ca1e000-0000-4000-8000-d00000000011"
ACCESS_KEY = "SCWXXXXXXXXXXXXXXXXX"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """A `peerlab serve ARGS` child on a free port, answering once constructed. Fails, never
    skips, if the binary is missing or the server does not come up."""

    def __init__(self, args: list[str] = (), port: int | None = None, token: str = DEMO_TOKEN):
        if not BINARY.is_file():
            pytest.fail(
                f"{BINARY} is missing: build it first with `cargo build -p peerlab`",
                pytrace=False,
            )
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--listen", f"127.0.0.1:{self.port}", *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"peerlab serve exited with {self.proc.returncode}: {self.output()}",
                    pytrace=False,
                )
            try:
                r = requests.get(
                    f"{self.url}/interlink/v1beta1/regions/fr-par/pops",
                    headers={"X-Auth-Token": token},
                    timeout=1,
                )
                if r.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(
                    f"peerlab serve did not answer within 20 s: {self.output()}", pytrace=False
                )
            time.sleep(0.1)
        assert f"listening: {self.url}" in self.output()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def kill(self):
        """SIGKILL: nothing is cleaned up, as after a crash."""
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        """SIGTERM (serve deletes what it made), then SIGKILL after 5 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@contextlib.contextmanager
def start_serve(args: list[str] = (), token: str = DEMO_TOKEN):
    """`peerlab serve ARGS` on a free port; yields its base URL once it answers (to `token`),
    and stops it on exit."""
    serve = ServeProcess(args, token=token)
    try:
        yield serve.url
    finally:
        serve.stop()


@pytest.fixture(scope="session")
def server():
    """`peerlab serve` on a free port, with the demo catalogue; yields its base URL."""
    with start_serve() as url:
        yield url


def make_client(url: str, token: str, project: str) -> Client:
    return Client(
        access_key=ACCESS_KEY,
        secret_key=token,
        default_project_id=project,
        default_region="fr-par",
        api_url=url,
    )


@dataclass(frozen=True)
class Profile:
    """What a user's SDK profile holds: `serve`'s URL, a secret key and the project it acts as."""

    url: str
    token: str
    project: str

    def client(self) -> Client:
        return make_client(self.url, self.token, self.project)

    def other_client(self) -> Client:
        """The `other` project's client on the same server (sees nothing of this project)."""
        return make_client(self.url, OTHER_TOKEN, OTHER_PROJECT)


def own_profile_args() -> tuple[list[str], str, str]:
    """`serve` arguments as a user who copies their own `scw` profile gives them: a random
    project ID and a secret key of their own. Gives (args, token, project)."""
    project, token = str(uuid.uuid4()), str(uuid.uuid4())
    return ["--project-id", project, "--token", token], token, project


@pytest.fixture(scope="session")
def own_profile_server():
    """`peerlab serve --project-id P --token T` with a random P and T: the demo catalogue
    belongs to P. Yields the user's Profile."""
    args, token, project = own_profile_args()
    with start_serve(args, token=token) as url:
        yield Profile(url, token, project)


@pytest.fixture(scope="session", params=["demo_project", "own_profile"])
def profile(request) -> Profile:
    """Each SDK scenario runs twice: as the demo project (`serve` with no argument), and as a
    user's own random project (`own_profile_server`)."""
    if request.param == "demo_project":
        return Profile(request.getfixturevalue("server"), DEMO_TOKEN, DEMO_PROJECT)
    return request.getfixturevalue("own_profile_server")


@pytest.fixture
def client(server) -> Client:
    """The demo project's client."""
    return make_client(server, DEMO_TOKEN, DEMO_PROJECT)


@pytest.fixture
def other_client(server) -> Client:
    """The `other` project's client (same organization, sees nothing of `demo`)."""
    return make_client(server, OTHER_TOKEN, OTHER_PROJECT)


_vlans = iter(range(3000, 3899))


@pytest.fixture
def vlan() -> int:
    """A VLAN of demo-dc2-10g no other test uses."""
    return next(_vlans)
