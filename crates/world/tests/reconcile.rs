//! The world's one reconcile, end to end on a real engine: what the provider state wants is
//! what the engine runs and what the model shows, after writes, deletions, failed writes and a
//! restart on a saved state.

use engine::Family;
use provider::catalogue::{Catalogue, demo};
use provider::interlink::{CreateLinkRequest, CreateRoutingPolicyRequest, Link};
use provider::{Caller, ProviderError, Region};
use std::sync::Arc;
use world::attachment::{Attachment, Plug};
use world::{Config, World};

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn start(persistence: Option<Box<dyn world::Persistence>>) -> World {
    World::start(Config {
        catalogue: Catalogue::default().resolved(),
        engine: engine::Engine::spawn(),
        clock: Arc::new(world::now),
        persistence,
    })
    .expect("the demo catalogue is valid")
}

/// A v4 policy and a self-hosted link on the demo connection, attached to the demo VPC with
/// propagation on.
async fn link(world: &World, vlan: u32) -> Link {
    world
        .write(move |s, now| {
            let policy = s.interlink.create_routing_policy(
                Region::FrPar,
                &me(),
                CreateRoutingPolicyRequest {
                    name: format!("v4-{vlan}"),
                    prefix_filter_in: Some(vec!["10.1.0.0/16".into()]),
                    prefix_filter_out: Some(vec!["172.16.0.0/16".into()]),
                    ..Default::default()
                },
                now,
            )?;
            let (link, _) = s.interlink.create_link(
                Region::FrPar,
                &me(),
                CreateLinkRequest {
                    name: format!("l{vlan}"),
                    pop_id: Some(demo::POP_DC2_ID),
                    bandwidth_mbps: 1000,
                    connection_id: Some(demo::CONNECTION_DC2_ID),
                    vlan: Some(vlan),
                    routing_policy_v4_id: Some(policy.id),
                    ..Default::default()
                },
                now,
            )?;
            let (link, _) =
                s.interlink
                    .attach_vpc(Region::FrPar, &me(), link.id, demo::VPC_ID, now)?;
            let (link, _) =
                s.interlink
                    .enable_route_propagation(Region::FrPar, &me(), link.id, now)?;
            Ok::<_, ProviderError>(link)
        })
        .await
        .expect("the world runs")
        .expect("the demo accepts the link")
}

#[tokio::test]
async fn the_engine_runs_what_the_provider_state_wants_when_the_write_is_answered() {
    let world = start(None);
    let link = link(&world, 2101).await;
    let id = link.id.to_string();
    let snapshot = world.engine().snapshot(&id).await.expect("started");
    assert!(snapshot.session(Family::Ipv4).is_some());
    assert!(snapshot.session(Family::Ipv6).is_none(), "no v6 policy");
    // Detaching the policy unconfigures the session, in place.
    let link_id = link.id;
    world
        .write(move |s, now| {
            let policy = link.routing_policy_v4_id.unwrap_or_default();
            s.interlink
                .detach_routing_policy(Region::FrPar, &me(), link_id, policy, now)
        })
        .await
        .unwrap()
        .unwrap();
    let snapshot = world.engine().snapshot(&id).await.unwrap();
    assert!(snapshot.session(Family::Ipv4).is_none());
    // A refused write changes nothing in the engine.
    let refused = world
        .write(move |s, now| {
            s.interlink.update_link(
                Region::FrPar,
                &me(),
                uuid::Uuid::nil(),
                Default::default(),
                now,
            )
        })
        .await
        .unwrap();
    assert!(refused.is_err());
    assert!(world.engine().snapshot(&id).await.is_ok());
    // Deleting the link stops it.
    world
        .write(move |s, now| s.interlink.delete_link(Region::FrPar, &me(), link_id, now))
        .await
        .unwrap()
        .unwrap();
    assert!(world.engine().snapshot(&id).await.is_err());
}

#[tokio::test]
async fn the_model_follows_the_api_and_the_attachments() {
    let world = start(None);
    let link = link(&world, 2102).await;
    let model = world.model().await.unwrap();
    let scw = model
        .node(world::model::SCALEWAY)
        .expect("the provider node");
    let ports: Vec<String> = model
        .net
        .interfaces_of(scw)
        .map(|(_, i)| i.name.clone())
        .collect();
    assert!(ports.contains(&format!("link {}", link.name)), "{ports:?}");
    // Nobody is plugged in: a predicted peer stands on the link.
    assert!(model.node(&format!("peer of link {}", link.name)).is_some());
    assert!(model.port_devices.is_empty());
    // A binding of the connection puts the link's port on its device, tagged.
    world
        .attach(|a| {
            a.put(Attachment {
                name: "binding veth0".into(),
                plug: Plug::Connection {
                    connection_id: demo::CONNECTION_DC2_ID,
                    vlan: None,
                },
                device: Some("veth0".into()),
                router: None,
                up: true,
            })
        })
        .await
        .unwrap();
    let model = world.model().await.unwrap();
    let [port] = model.port_devices.as_slice() else {
        panic!("{:?}", model.port_devices)
    };
    assert_eq!((port.device.as_str(), port.vlan), ("veth0", Some(2102)));
    // The link's session is down (no router answers): the trace from an address behind it
    // says why the VPC's prefix is not there.
    let answer = world.trace("10.1.0.10", "172.16.0.1").await;
    assert!(answer.is_err(), "nothing routes 10.1.0.10 yet: {answer:?}");
}

#[tokio::test]
async fn a_restart_on_the_saved_state_runs_the_links_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let first = start(Some(Box::new(world::persistence::StateFile::new(&path))));
    let link = link(&first, 2103).await;
    drop(first);
    // The first world's actor lets go of the file (its lock) once it has seen the last handle
    // go: until then a second world is refused, as a second process would be.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let second = loop {
        let config = Config {
            catalogue: Catalogue::default().resolved(),
            engine: engine::Engine::spawn(),
            clock: Arc::new(world::now),
            persistence: Some(Box::new(world::persistence::StateFile::new(&path))),
        };
        match World::start(config) {
            Ok(world) => break world,
            Err(e) => {
                assert!(tokio::time::Instant::now() < deadline, "{e}");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };
    let id = link.id;
    let back = second
        .read(move |s| s.interlink.get_link(Region::FrPar, &me(), id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((back.name.as_str(), back.vlan), ("l2103", 2103));
    // The start-up reconcile configured it on the new engine.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while second.engine().snapshot(&id.to_string()).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "not configured");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
