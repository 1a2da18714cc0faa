"""The start-up of a user who copies their own `scw` profile: `peerlab serve --project-id P
--token T` with a project ID and a secret key of their own, and no `--config`.

The demo catalogue then belongs to P (its dedicated connections, VPC and private network), so
the SDK scenarios work as P: test_interlink.py and test_ipam.py run every scenario against such
a server too (conftest's `profile`). Here: what `serve` prints, what P owns, that `other` stays
apart, and `--state` (the file wins for resources: a restart with the same profile sees them).
"""

import uuid

import pytest
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
from scaleway.ipam.v1 import IpamV1API, Source
from scaleway_core.api import ScalewayException

from conftest import (
    CONNECTION_DC2,
    CONNECTION_TH2,
    DEMO_PROJECT,
    DEMO_TOKEN,
    OTHER_PROJECT,
    OTHER_TOKEN,
    POP_DC2,
    PRIVATE_NETWORK,
    VPC,
    ServeProcess,
    make_client,
    own_profile_args,
)


def test_serve_prints_the_profile_and_gives_it_the_demo():
    args, token, project = own_profile_args()
    serve = ServeProcess(args, token=token)
    try:
        out = serve.output()
        assert f"token: {token}\n" in out
        assert f"project_id: {project}\n" in out
        api = InterlinkV1Beta1API(make_client(serve.url, token, project))
        connections = api.list_dedicated_connections()
        assert connections.total_count == 2
        assert {c.id for c in connections.connections} == {CONNECTION_DC2, CONNECTION_TH2}
        assert {c.project_id for c in connections.connections} == {project}
        assert api.list_pops().total_count == 2 and api.list_partners().total_count == 2
        link = api.create_link(
            name="mine", pop_id=POP_DC2, bandwidth_mbps=100, connection_id=CONNECTION_DC2
        )
        assert link.project_id == project
        link = api.attach_vpc(link_id=link.id, vpc_id=VPC)
        assert link.vpc_id == VPC
        ipam = IpamV1API(make_client(serve.url, token, project))
        ip = ipam.book_ip(source=Source(private_network_id=PRIVATE_NETWORK), is_ipv6=False)
        assert ip.project_id == project
        # `other` sees nothing of it.
        other = InterlinkV1Beta1API(make_client(serve.url, OTHER_TOKEN, OTHER_PROJECT))
        assert other.list_dedicated_connections().total_count == 0
        with pytest.raises(ScalewayException) as e:
            other.get_link(link_id=link.id)
        assert e.value.status_code == 404
        # Writing into the demo project's ID is refused: the demo is P's now.
        with pytest.raises(ScalewayException) as e:
            api.create_routing_policy(name="x", is_ipv6=False, project_id=DEMO_PROJECT)
        assert e.value.status_code == 403
        assert e.value.response.json()["type"] == "permissions_denied"
    finally:
        serve.stop()


def test_a_state_file_keeps_the_owner_it_was_created_with(tmp_path):
    state = tmp_path / "state.json"
    args, token, project = own_profile_args()
    args = [*args, "--state", str(state)]
    serve = ServeProcess(args, token=token)
    try:
        api = InterlinkV1Beta1API(make_client(serve.url, token, project))
        link = api.create_link(
            name="kept", pop_id=POP_DC2, bandwidth_mbps=100, connection_id=CONNECTION_DC2
        )
    finally:
        serve.stop()
    # The same profile again: everything is there.
    serve = ServeProcess(args, token=token)
    try:
        api = InterlinkV1Beta1API(make_client(serve.url, token, project))
        assert api.get_link(link_id=link.id).name == "kept"
        assert api.list_dedicated_connections().total_count == 2
    finally:
        serve.stop()
    # Another project on the same file: the file wins for resources, which stay the first
    # project's; the newcomer sees none of them.
    newcomer = str(uuid.uuid4())
    serve = ServeProcess(
        ["--project-id", newcomer, "--token", DEMO_TOKEN, "--state", str(state)], token=DEMO_TOKEN
    )
    try:
        api = InterlinkV1Beta1API(make_client(serve.url, DEMO_TOKEN, newcomer))
        assert api.list_dedicated_connections().total_count == 0
        with pytest.raises(ScalewayException) as e:
            api.get_link(link_id=link.id)
        assert e.value.status_code == 404
    finally:
        serve.stop()
