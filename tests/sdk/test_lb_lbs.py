"""Scaleway Load Balancer through the official SDK: LBs, flexible IPs, offers and subscribers,
for both `LbV1ZonedAPI` and `LbV1API`.

SDK methods covered here (each for both classes): list_lbs, list_lbs_all, create_lb, get_lb,
wait_for_lb, update_lb, delete_lb, migrate_lb, list_i_ps, list_i_ps_all, create_ip, get_ip,
update_ip, release_ip, list_lb_types, list_lb_types_all, create_subscriber, get_subscriber,
list_subscriber, list_subscriber_all, update_subscriber, delete_subscriber, subscribe_to_lb,
unsubscribe_from_lb.
"""

import time

import pytest
from scaleway.lb.v1 import SSLCompatibilityLevel, SubscriberEmailConfig, SubscriberWebhookConfig

from conftest import DEMO_PROJECT, DEMO_TOKEN, OTHER_PROJECT, OTHER_TOKEN
from lb_support import error_of, lb_client, make_api, ready_lb, unique

KINDS = ["zoned", "regional"]


@pytest.fixture(params=KINDS)
def api(request, server):
    return make_api(request.param, lb_client(server, DEMO_TOKEN, DEMO_PROJECT))


@pytest.fixture
def other_api(request, server):
    return make_api("zoned", lb_client(server, OTHER_TOKEN, OTHER_PROJECT))


def test_lb_lifecycle(api):
    name = unique("web")
    lb = api.create_lb(name=name, description="front", type_="LB-S", tags=["sdk"])
    assert lb.status == "to_create"
    assert lb.instances == []
    assert lb.type_ == "lb-s", "stored lowercase, as recorded"
    assert lb.zone == "fr-par-1" and lb.region == "fr-par"
    assert lb.project_id == DEMO_PROJECT
    assert len(lb.ip) == 1 and lb.ip[0].lb_id == lb.id, "a public LB gets a flexible IP"
    assert lb.ssl_compatibility_level == "ssl_compatibility_level_intermediate"
    assert lb.subscriber is None
    lb = api.wait_for_lb(lb_id=lb.id)
    assert lb.status == "ready"
    assert lb.instances[0].status == "ready"
    assert api.get_lb(lb_id=lb.id).name == name

    listed = api.list_lbs(name=name)
    assert [l.id for l in listed.lbs] == [lb.id] and listed.total_count == 1
    assert lb.id in {l.id for l in api.list_lbs_all(tags=["sdk"])}
    assert api.list_lbs(lb_ids=[lb.id]).total_count == 1

    lb = api.update_lb(
        lb_id=lb.id,
        name=name + "-2",
        description="renamed",
        tags=["sdk", "updated"],
        ssl_compatibility_level=SSLCompatibilityLevel.SSL_COMPATIBILITY_LEVEL_MODERN,
    )
    assert (lb.name, lb.description) == (name + "-2", "renamed")
    assert lb.ssl_compatibility_level == "ssl_compatibility_level_modern"

    lb = api.migrate_lb(lb_id=lb.id, type_="LB-GP-M")
    assert lb.status == "migrating"
    lb = api.wait_for_lb(lb_id=lb.id)
    assert (lb.status, lb.type_) == ("ready", "lb-gp-m")

    ip_id = lb.ip[0].id
    assert api.delete_lb(lb_id=lb.id, release_ip=False) is None
    assert api.get_lb(lb_id=lb.id).status == "to_delete"
    time.sleep(0.5)
    status, body = error_of(api.get_lb, lb_id=lb.id)
    assert (status, body) == (404, {"message": "lbs not Found"})
    ip = api.get_ip(ip_id=ip_id)
    assert ip.lb_id is None, "release_ip=false keeps the IP, detached"
    api.release_ip(ip_id=ip_id)


def test_private_lb_and_bad_types(api):
    lb = api.create_lb(description="", type_="lb-s", name=unique("priv"), assign_flexible_ip=False)
    assert lb.ip == []
    status, body = error_of(api.create_lb, description="", type_="LB-NOPE")
    assert status == 400
    assert body["type"] == "invalid_arguments"
    assert body["details"][0]["argument_name"] == "type"
    status, body = error_of(
        api.create_lb, description="", type_="LB-S", ssl_compatibility_level="ssl_compatibility_level_future"
    )
    assert status == 400 and body["details"][0]["argument_name"] == "ssl_compatibility_level"
    api.wait_for_lb(lb_id=lb.id)
    api.delete_lb(lb_id=lb.id, release_ip=True)


def test_flexible_ips(api):
    ip = api.create_ip(is_ipv6=False, tags=["sdk"])
    assert ip.lb_id is None
    assert ip.reverse == ip.ip_address.replace(".", "-") + ".lb.fr-par.scw.cloud"
    assert api.get_ip(ip_id=ip.id).ip_address == ip.ip_address
    assert [i.id for i in api.list_i_ps(ip_address=ip.ip_address).ips] == [ip.id]
    assert ip.id in {i.id for i in api.list_i_ps_all(ip_type="ipv4", tags=["sdk"])}
    assert ip.id not in {i.id for i in api.list_i_ps_all(ip_type="ipv6")}
    ip = api.update_ip(ip_id=ip.id, reverse="web.example.test", tags=["sdk", "x"])
    assert (ip.reverse, ip.tags) == ("web.example.test", ["sdk", "x"])

    v6 = api.create_ip(is_ipv6=True)
    assert ":" in v6.ip_address
    api.release_ip(ip_id=v6.id)

    lb = ready_lb(api, ip_id=ip.id)
    assert [i.id for i in lb.ip] == [ip.id], "an existing IP instead of a new one"
    status, body = error_of(api.release_ip, ip_id=ip.id)
    assert status == 412 and body["type"] == "precondition_failed"
    api.delete_lb(lb_id=lb.id, release_ip=True)
    status, body = error_of(api.get_ip, ip_id=ip.id)
    assert (status, body) == (404, {"message": "ips not Found"})

    # update_ip can attach a free IP to an LB.
    lb = ready_lb(api, assign_flexible_ip=False)
    free = api.create_ip(is_ipv6=False)
    assert api.update_ip(ip_id=free.id, lb_id=lb.id).lb_id == lb.id
    assert [i.id for i in api.get_lb(lb_id=lb.id).ip] == [free.id]
    api.delete_lb(lb_id=lb.id, release_ip=True)


def test_lb_types(api):
    types = api.list_lb_types()
    names = [t.name for t in types.lb_types]
    assert names == ["LB-S", "LB-GP-M", "LB-GP-L", "LB-GP-XL"]
    assert types.total_count == 4
    assert all(t.stock_status == "available" and t.zone == "fr-par-1" for t in types.lb_types)
    assert [t.name for t in api.list_lb_types_all()] == names
    assert [t.multicloud for t in types.lb_types] == [False, False, True, True]
    assert api.list_lb_types(page=2, page_size=3).lb_types[0].name == "LB-GP-XL"


def test_subscribers(api):
    mail = api.create_subscriber(name=unique("mail"), email_config=SubscriberEmailConfig(email="ops@example.test"))
    hook = api.create_subscriber(name=unique("hook"), webhook_config=SubscriberWebhookConfig(uri="https://hooks.example.test/lb"))
    assert mail.email_config.email == "ops@example.test" and mail.webhook_config is None
    assert api.get_subscriber(subscriber_id=hook.id).webhook_config.uri == "https://hooks.example.test/lb"
    assert [s.id for s in api.list_subscriber(name=mail.name).subscribers] == [mail.id]
    assert {mail.id, hook.id} <= {s.id for s in api.list_subscriber_all()}
    mail = api.update_subscriber(subscriber_id=mail.id, name=mail.name, email_config=SubscriberEmailConfig(email="noc@example.test"))
    assert mail.email_config.email == "noc@example.test"

    lb = ready_lb(api)
    lb = api.subscribe_to_lb(lb_id=lb.id, subscriber_id=hook.id)
    assert lb.subscriber.id == hook.id
    lb = api.unsubscribe_from_lb(lb_id=lb.id)
    assert lb.subscriber is None
    api.subscribe_to_lb(lb_id=lb.id, subscriber_id=mail.id)
    api.delete_subscriber(subscriber_id=mail.id)
    assert api.get_lb(lb_id=lb.id).subscriber is None, "deleting a subscriber unsubscribes its LBs"
    status, _ = error_of(api.get_subscriber, subscriber_id=mail.id)
    assert status == 404
    api.delete_subscriber(subscriber_id=hook.id)
    api.delete_lb(lb_id=lb.id, release_ip=True)


def test_another_project_sees_nothing(api, other_api):
    lb = ready_lb(api)
    for call in (other_api.get_lb, other_api.migrate_lb):
        kwargs = {"lb_id": lb.id}
        if call == other_api.migrate_lb:
            kwargs["type_"] = "LB-S"
        status, body = error_of(call, **kwargs)
        assert (status, body) == (404, {"message": "lbs not Found"})
    assert lb.id not in {l.id for l in other_api.list_lbs_all()}
    assert lb.ip[0].id not in {i.id for i in other_api.list_i_ps_all()}
    status, body = error_of(other_api.delete_lb, lb_id=lb.id, release_ip=True)
    assert status == 404
    status, body = error_of(other_api.create_lb, description="", type_="LB-S", project_id=DEMO_PROJECT)
    assert status == 403 and body["type"] == "permissions_denied"
    api.delete_lb(lb_id=lb.id, release_ip=True)


def test_zones_and_regions_see_each_other(server):
    client = lb_client(server, DEMO_TOKEN, DEMO_PROJECT)
    zoned, regional = make_api("zoned", client), make_api("regional", client)
    lb = ready_lb(zoned, zone="fr-par-2")
    assert lb.zone == "fr-par-2"
    assert regional.get_lb(lb_id=lb.id).id == lb.id, "the region sees all its zones"
    status, _ = error_of(zoned.get_lb, lb_id=lb.id)
    assert status == 404, "fr-par-1 does not see fr-par-2"
    status, _ = error_of(regional.get_lb, lb_id=lb.id, region="nl-ams")
    assert status == 404
    status, body = error_of(zoned.get_lb, lb_id=lb.id, zone="xx-yyy-9")
    assert status == 400 and body["details"][0]["argument_name"] == "zone"
    regional.delete_lb(lb_id=lb.id, release_ip=True)
