"""Scaleway Load Balancer through the official SDK: an LB's configuration — backends (servers,
health check), frontends, ACLs, routes, certificates, statistics — for both `LbV1ZonedAPI` and
`LbV1API`, with the bad input of the issue (port in use, HTTP ACL on a TCP backend, unknown enum
values).

SDK methods covered here (each for both classes unless said): list_backends,
list_backends_all, create_backend, get_backend, update_backend, delete_backend,
add_backend_servers, remove_backend_servers, set_backend_servers, update_health_check,
list_frontends, list_frontends_all, create_frontend, get_frontend, update_frontend,
delete_frontend, list_acls, list_acls_all, create_acl, get_acl, update_acl, delete_acl, set_acls
(zoned only: the regional API has none), list_routes, list_routes_all, create_route, get_route,
update_route, delete_route, create_certificate, list_certificates, list_certificates_all,
get_certificate, wait_for_certificate, update_certificate, delete_certificate, get_lb_stats,
list_backend_stats, list_backend_stats_all.
"""

import pytest
import requests
from scaleway.lb.v1 import (
    AclAction,
    AclActionRedirect,
    AclMatch,
    AclSpec,
    CreateCertificateRequestCustomCertificate,
    CreateCertificateRequestLetsencryptConfig,
    HealthCheckHttpConfig,
    OnMarkedDownAction,
    Protocol,
    ProxyProtocol,
    RouteMatch,
)

from conftest import DEMO_PROJECT, DEMO_TOKEN, OTHER_PROJECT, OTHER_TOKEN, ROOT
from lb_support import backend, error_of, frontend, lb_client, make_api, ready_lb, unique

KINDS = ["zoned", "regional"]
CHAIN = (ROOT / "crates/provider/src/lb/testdata/custom-chain.pem").read_text()


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


@pytest.fixture
def api(kind, server):
    return make_api(kind, lb_client(server, DEMO_TOKEN, DEMO_PROJECT))


@pytest.fixture
def lb(api):
    made = ready_lb(api)
    yield made
    api.delete_lb(lb_id=made.id, release_ip=True)


def match(ip_subnet=("0.0.0.0/0",), http_filter="acl_http_filter_none", values=(), invert=False, option=None):
    return AclMatch(
        ip_subnet=list(ip_subnet),
        ips_edge_services=False,
        http_filter=http_filter,
        http_filter_value=list(values),
        invert=invert,
        http_filter_option=option,
    )


def test_backends_servers_and_health_check(api, lb):
    b = backend(api, lb.id, servers=["10.0.0.1"], timeout_server="30s", max_connections=42)
    assert b.lb.id == lb.id and b.lb.backend_count == 1
    assert b.lb.instances[0].status == "pending", "a change makes the instance pending"
    assert b.pool == ["10.0.0.1"]
    # Units as recorded: ms numbers, proto-duration strings.
    assert b.timeout_server == 30000 and b.timeout_connect == 5000 and b.timeout_tunnel == 900000
    assert b.timeout_queue == "0s"
    assert b.health_check.check_delay == 3000 and b.health_check.transient_check_delay == "0.500s"
    assert b.health_check.tcp_config is not None
    # The answer's `redispatch_attempt_count: null` reads as the SDK's default, 0.
    assert (b.max_connections, b.max_retries, b.redispatch_attempt_count) == (42, 3, 0)
    assert api.get_backend(backend_id=b.id).name == b.name
    assert [x.id for x in api.list_backends(lb_id=lb.id, name=b.name).backends] == [b.id]
    assert b.id in {x.id for x in api.list_backends_all(lb_id=lb.id)}

    b = api.add_backend_servers(backend_id=b.id, server_ip=["10.0.0.2", "10.0.0.1"])
    assert b.pool == ["10.0.0.1", "10.0.0.2"]
    b = api.remove_backend_servers(backend_id=b.id, server_ip=["10.0.0.1"])
    assert b.pool == ["10.0.0.2"]
    b = api.set_backend_servers(backend_id=b.id, server_ip=["10.0.0.3", "10.0.0.4"])
    assert b.pool == ["10.0.0.3", "10.0.0.4"]

    hc = api.update_health_check(
        backend_id=b.id,
        port=8080,
        check_max_retries=2,
        check_send_proxy=False,
        check_delay="1000",
        check_timeout="500",
        transient_check_delay="0.2s",
        http_config=HealthCheckHttpConfig(uri="/health", method="GET", host_header="app.test", code=200),
    )
    assert (hc.check_delay, hc.check_timeout, hc.transient_check_delay) == (1000, 500, "0.200s")
    assert hc.http_config.uri == "/health" and hc.tcp_config is None

    b = api.update_backend(
        backend_id=b.id,
        name=b.name,
        forward_protocol=Protocol.HTTP,
        forward_port=9090,
        forward_port_algorithm="leastconn",
        sticky_sessions="cookie",
        sticky_sessions_cookie_name="session-id",
        on_marked_down_action=OnMarkedDownAction.SHUTDOWN_SESSIONS,
        proxy_protocol=ProxyProtocol.PROXY_PROTOCOL_V2,
        timeout_queue="4s",
    )
    assert (b.forward_port, b.forward_port_algorithm, b.sticky_sessions) == (9090, "leastconn", "cookie")
    assert (b.proxy_protocol, b.send_proxy_v2, b.timeout_queue) == ("proxy_protocol_v2", True, "4s")
    assert b.health_check.http_config.uri == "/health", "update_backend leaves the health check alone"
    assert b.pool == ["10.0.0.3", "10.0.0.4"]

    api.delete_backend(backend_id=b.id)
    status, body = error_of(api.get_backend, backend_id=b.id)
    assert (status, body) == (404, {"message": "backend not Found"})


def test_bad_backends(api, lb):
    status, body = error_of(backend, api, lb.id, protocol="udp")
    assert status == 400 and body["details"][0]["argument_name"] == "forward_protocol"
    status, body = error_of(backend, api, lb.id, servers=["not-an-ip"])
    assert status == 400 and body["details"][0]["argument_name"] == "server_ip.0"
    status, body = error_of(backend, api, lb.id, protocol="tcp", sticky_sessions="cookie")
    assert status == 400


def test_frontends_and_ports(api, lb):
    b = backend(api, lb.id)
    f = frontend(api, lb.id, b.id, 80, timeout_client="30s", connection_rate_limit=0)
    assert f.backend.id == b.id and f.lb.id == lb.id
    assert f.timeout_client == 30000
    # 0 is answered null, as recorded; the SDK reads null as 0 (the Rust HTTP tests see null).
    assert f.connection_rate_limit == 0
    assert f.certificate is None and f.certificate_ids == []
    assert api.get_frontend(frontend_id=f.id).inbound_port == 80
    assert [x.id for x in api.list_frontends(lb_id=lb.id).frontends] == [f.id]
    assert [x.id for x in api.list_frontends_all(lb_id=lb.id, name=f.name)] == [f.id]

    status, body = error_of(frontend, api, lb.id, b.id, 80)
    assert status == 409 and body["type"] == "conflict" and "port 80" in body["message"]
    f = api.update_frontend(
        frontend_id=f.id, name="renamed", inbound_port=8080, backend_id=b.id, enable_http3=True, connection_rate_limit=100
    )
    assert (f.name, f.inbound_port, f.enable_http3, f.connection_rate_limit) == ("renamed", 8080, True, 100)
    frontend(api, lb.id, b.id, 80)
    status, body = error_of(api.delete_backend, backend_id=b.id)
    assert status == 412, "a backend a frontend uses stays"
    api.delete_frontend(frontend_id=f.id)
    status, body = error_of(api.get_frontend, frontend_id=f.id)
    assert (status, body) == (404, {"message": "frontend not Found"})


def test_acls(kind, api, lb):
    http = backend(api, lb.id, protocol=Protocol.HTTP)
    f = frontend(api, lb.id, http.id, 80)
    deny = api.create_acl(
        frontend_id=f.id,
        name="no-admin",
        action=AclAction(type_="deny"),
        index=0,
        description="block /admin",
        match=match(http_filter="path_begin", values=["/admin"]),
    )
    assert deny.frontend.id == f.id and deny.frontend.backend.id == http.id
    assert deny.frontend.lb.id == lb.id, "parents embedded: acl.frontend.backend/lb"
    assert deny.action.redirect is None and deny.index == 0
    moved = api.create_acl(
        frontend_id=f.id,
        action=AclAction(type_="redirect", redirect=AclActionRedirect(type_="location", target="https://{{host}}/new")),
        index=5,
        description="",
        match=match(http_filter="path_begin", values=["/old"]),
    )
    assert moved.action.redirect.code == 302 and moved.name.startswith("acl-")
    assert api.get_acl(acl_id=deny.id).match.http_filter_value == ["/admin"]
    assert {a.id for a in api.list_acls(frontend_id=f.id).acls} == {deny.id, moved.id}
    assert [a.id for a in api.list_acls_all(frontend_id=f.id, name="no-admin")] == [deny.id]
    deny = api.update_acl(
        acl_id=deny.id, name="no-admin", action=AclAction(type_="deny"), index=1,
        match=match(ip_subnet=["10.0.0.0/8"], http_filter="path_begin", values=["/admin"], invert=True),
    )
    assert (deny.index, deny.match.invert, deny.match.ip_subnet) == (1, True, ["10.0.0.0/8"])
    api.delete_acl(acl_id=moved.id)
    status, body = error_of(api.get_acl, acl_id=moved.id)
    assert status == 404

    if kind == "zoned":
        replaced = api.set_acls(
            frontend_id=f.id,
            acls=[
                AclSpec(name="a", action=AclAction(type_="allow"), index=0, description="", match=match(ip_subnet=["10.1.0.0/16"])),
                AclSpec(name="b", action=AclAction(type_="deny"), index=1, description="", match=match()),
            ],
        )
        assert replaced.total_count == 2
        assert sorted(a.name for a in api.list_acls_all(frontend_id=f.id)) == ["a", "b"]

    # The bad input: an HTTP filter on a frontend whose backend is TCP.
    tcp = backend(api, lb.id, protocol=Protocol.TCP, port=5432)
    f_tcp = frontend(api, lb.id, tcp.id, 5432)
    status, body = error_of(
        api.create_acl, frontend_id=f_tcp.id, action=AclAction(type_="deny"), index=0, description="",
        match=match(http_filter="path_begin", values=["/x"]),
    )
    assert status == 400 and body["type"] == "invalid_arguments"
    assert body["details"][0]["argument_name"] == "match.http_filter"
    status, body = error_of(
        api.create_acl, frontend_id=f.id, action=AclAction(type_="teleport"), index=0, description="", match=match(),
    )
    assert status == 400 and body["details"][0]["argument_name"] == "action.type"


def test_set_acls_is_zoned_only(server, kind, api, lb):
    b = backend(api, lb.id)
    f = frontend(api, lb.id, b.id, 80)
    base = "zones/fr-par-1" if kind == "zoned" else "regions/fr-par"
    r = requests.put(
        f"{server}/lb/v1/{base}/frontends/{f.id}/acls", json={"acls": []}, headers={"X-Auth-Token": DEMO_TOKEN}, timeout=5
    )
    assert r.status_code == (200 if kind == "zoned" else 405), r.text


def test_routes(api, lb):
    web = backend(api, lb.id, protocol=Protocol.HTTP, port=80)
    apis = backend(api, lb.id, protocol=Protocol.HTTP, port=81)
    f = frontend(api, lb.id, web.id, 80)
    r = api.create_route(frontend_id=f.id, backend_id=apis.id, match=RouteMatch(match_subdomains=True, host_header="api.example.test"))
    assert (r.frontend_id, r.backend_id, r.match.host_header, r.match.match_subdomains) == (f.id, apis.id, "api.example.test", True)
    assert r.match.sni is None
    assert api.get_route(route_id=r.id).backend_id == apis.id
    assert [x.id for x in api.list_routes(frontend_id=f.id).routes] == [r.id]
    assert r.id in {x.id for x in api.list_routes_all(order_by="created_at_desc")}
    assert api.get_lb(lb_id=lb.id).route_count == 1
    r = api.update_route(route_id=r.id, backend_id=web.id, match=RouteMatch(match_subdomains=False, path_begin="/api"))
    assert (r.backend_id, r.match.path_begin, r.match.host_header) == (web.id, "/api", None)
    status, body = error_of(api.create_route, frontend_id=f.id, backend_id=apis.id, match=RouteMatch(match_subdomains=False, sni="x.test"))
    assert status == 400 and body["details"][0]["argument_name"] == "match.sni"
    api.delete_route(route_id=r.id)
    status, _ = error_of(api.get_route, route_id=r.id)
    assert status == 404


def test_certificates(api, lb):
    le = api.create_certificate(
        lb_id=lb.id,
        name=unique("le"),
        letsencrypt=CreateCertificateRequestLetsencryptConfig(common_name="web.example.test", subject_alternative_name=["www.example.test"]),
    )
    assert (le.status, le.type_, le.fingerprint) == ("pending", "letsencrypt", "")
    le = api.wait_for_certificate(certificate_id=le.id)
    assert le.status == "ready" and len(le.fingerprint) == 40
    assert le.subject_alternative_name == ["www.example.test"]
    custom = api.create_certificate(
        lb_id=lb.id, name=unique("custom"), custom_certificate=CreateCertificateRequestCustomCertificate(certificate_chain=CHAIN)
    )
    assert (custom.status, custom.type_, custom.common_name) == ("ready", "custom", "app.peerlab.test")
    assert custom.subject_alternative_name == ["www.peerlab.test"]
    assert custom.not_valid_after > custom.not_valid_before
    assert api.get_certificate(certificate_id=custom.id).lb.id == lb.id
    assert {c.id for c in api.list_certificates(lb_id=lb.id).certificates} == {le.id, custom.id}
    assert [c.id for c in api.list_certificates_all(lb_id=lb.id, name=custom.name)] == [custom.id]
    custom = api.update_certificate(certificate_id=custom.id, name="renamed")
    assert custom.name == "renamed"
    status, body = error_of(
        api.create_certificate, lb_id=lb.id, custom_certificate=CreateCertificateRequestCustomCertificate(certificate_chain="garbage")
    )
    assert status == 400 and body["details"][0]["argument_name"] == "custom_certificate.certificate_chain"

    b = backend(api, lb.id)
    f = frontend(api, lb.id, b.id, 443, certificate_ids=[custom.id])
    assert f.certificate.id == custom.id
    status, _ = error_of(api.delete_certificate, certificate_id=custom.id)
    assert status == 412, "a served certificate stays"
    api.delete_frontend(frontend_id=f.id)
    api.delete_certificate(certificate_id=custom.id)
    status, body = error_of(api.get_certificate, certificate_id=custom.id)
    assert (status, body) == (404, {"message": "certificate not Found"})


def test_stats(api, lb):
    b = backend(api, lb.id, servers=["10.0.0.1", "10.0.0.2"])
    stats = api.get_lb_stats(lb_id=lb.id)
    assert [(s.backend_id, s.ip) for s in stats.backend_servers_stats] == [(b.id, "10.0.0.1"), (b.id, "10.0.0.2")]
    assert {s.server_state for s in stats.backend_servers_stats} == {"starting"}
    assert api.get_lb_stats(lb_id=lb.id, backend_id=b.id).backend_servers_stats[0].instance_id == lb.instances[0].id
    page = api.list_backend_stats(lb_id=lb.id, page_size=1)
    assert page.total_count == 2 and len(page.backend_servers_stats) == 1
    assert len(api.list_backend_stats_all(lb_id=lb.id, backend_id=b.id)) == 2


def test_another_project_sees_no_configuration(server, api, lb):
    other = make_api("zoned", lb_client(server, OTHER_TOKEN, OTHER_PROJECT))
    b = backend(api, lb.id)
    f = frontend(api, lb.id, b.id, 80)
    for call, kwargs in [
        (other.get_backend, {"backend_id": b.id}),
        (other.get_frontend, {"frontend_id": f.id}),
        (other.list_backends, {"lb_id": lb.id}),
        (other.list_acls, {"frontend_id": f.id}),
        (other.get_lb_stats, {"lb_id": lb.id}),
        (other.delete_backend, {"backend_id": b.id}),
    ]:
        status, _ = error_of(call, **kwargs)
        assert status == 404, call
    assert other.list_routes().total_count == 0
