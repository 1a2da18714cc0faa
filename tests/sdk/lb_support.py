"""Shared helpers of the Load Balancer SDK tests (`tests/sdk/test_lb_*.py`).

The zoned API (`LbV1ZonedAPI`) needs the client's `default_zone`, which the session clients of
conftest.py do not set; `lb_client` makes clients that have both a region and a zone.
"""

import uuid

import pytest
from scaleway import Client
from scaleway.lb.v1 import (
    ForwardPortAlgorithm,
    HealthCheck,
    HealthCheckTcpConfig,
    LbV1API,
    LbV1ZonedAPI,
    Protocol,
    StickySessionsType,
)
from scaleway_core.api import ScalewayException

from conftest import ACCESS_KEY


def lb_client(url: str, token: str, project: str) -> Client:
    return Client(
        access_key=ACCESS_KEY,
        secret_key=token,
        default_project_id=project,
        default_region="fr-par",
        default_zone="fr-par-1",
        api_url=url,
    )


def make_api(kind: str, client: Client):
    """`LbV1ZonedAPI` for "zoned", `LbV1API` for "regional"."""
    return LbV1ZonedAPI(client) if kind == "zoned" else LbV1API(client)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ready_lb(api, **kwargs):
    """A new LB, waited for with the SDK's own waiter (its first poll is after 1 s)."""
    kwargs.setdefault("name", unique("lb"))
    kwargs.setdefault("description", "sdk test")
    kwargs.setdefault("type_", "LB-S")
    lb = api.create_lb(**kwargs)
    assert lb.status == "to_create"
    where = {"zone": kwargs["zone"]} if "zone" in kwargs else {}
    lb = api.wait_for_lb(lb_id=lb.id, **where)
    assert lb.status == "ready", lb
    return lb


def tcp_check(port: int) -> HealthCheck:
    return HealthCheck(
        port=port,
        check_max_retries=3,
        check_send_proxy=False,
        tcp_config=HealthCheckTcpConfig(),
    )


def backend(api, lb_id: str, protocol=Protocol.HTTP, port: int = 8080, servers=(), **kwargs):
    args = {
        "name": unique("bk"),
        "forward_port_algorithm": ForwardPortAlgorithm.ROUNDROBIN,
        "sticky_sessions": StickySessionsType.NONE,
        "sticky_sessions_cookie_name": "",
        "health_check": tcp_check(port),
        **kwargs,
    }
    return api.create_backend(
        lb_id=lb_id, forward_protocol=protocol, forward_port=port, server_ip=list(servers), **args
    )


def frontend(api, lb_id: str, backend_id: str, port: int, **kwargs):
    args = {"name": unique("fe"), "enable_http3": False, "enable_access_logs": False, **kwargs}
    return api.create_frontend(lb_id=lb_id, backend_id=backend_id, inbound_port=port, **args)


def error_of(call, *args, **kwargs):
    """Runs an SDK call that must fail; gives (HTTP status, JSON body)."""
    with pytest.raises(ScalewayException) as e:
        call(*args, **kwargs)
    return e.value.status_code, e.value.response.json()
