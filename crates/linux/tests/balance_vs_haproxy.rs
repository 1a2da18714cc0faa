//! The model's balancers against HAProxy's, on random histories: servers leave and rejoin
//! (`set server … state maint|ready`, the same callbacks as a health-check transition) between
//! requests, and every request must go to the server the model picks.

mod support;

use std::time::Duration;

use dataplane::lb::balance::{Balancer, Pick};
use dataplane::lb::*;
use linux::haproxy::Haproxy;
use linux::service::HttpServer;
use support::*;

/// A small deterministic generator (64-bit LCG), so a failure replays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balancing_matches_haproxy_on_random_histories() {
    const SERVERS: usize = 3;
    let lab = WebLab::new("bal", SERVERS);
    let _apps: Vec<HttpServer> = (0..SERVERS)
        .map(|i| HttpServer::start(Some(&lab.apps[i]), 8080, app_service(i)).unwrap())
        .collect();
    let haproxy = Haproxy::new(lab.options()).unwrap();
    for (algorithm, seed) in [
        (ForwardPortAlgorithm::Roundrobin, 1),
        (ForwardPortAlgorithm::Roundrobin, 2),
        (ForwardPortAlgorithm::Roundrobin, 3),
        (ForwardPortAlgorithm::Leastconn, 4),
        (ForwardPortAlgorithm::First, 5),
    ] {
        let mut config = web_config(SERVERS);
        config.backends[0].forward_port_algorithm = algorithm;
        haproxy.apply(&config).await.unwrap();
        for s in 0..SERVERS {
            let sv = format!("s{s}");
            eventually(Duration::from_secs(10), async || {
                let rows = haproxy.show_stat().await.ok()?;
                rows.iter()
                    .any(|r| r.pxname == "be0" && r.svname == sv && r.status == "UP")
                    .then_some(())
            })
            .await;
        }
        let mut model = Balancer::new(algorithm, SERVERS, false);
        let mut usable = [true; SERVERS];
        let mut rng = Lcg(seed);
        let mut history = Vec::new();
        for _ in 0..40 {
            if rng.next(4) == 0 {
                let s = rng.next(SERVERS);
                usable[s] = !usable[s];
                let state = if usable[s] { "ready" } else { "maint" };
                haproxy
                    .cli(&format!("set server be0/s{s} state {state}"))
                    .await
                    .unwrap();
                model.set_usable(s, usable[s]);
                history.push(format!("s{s} {state}"));
                continue;
            }
            let answer = lab.get(80, "/", &[]);
            let real = match answer.status {
                200 => Some(
                    answer
                        .body
                        .trim_start_matches("app")
                        .parse::<usize>()
                        .unwrap()
                        - 1,
                ),
                _ => None,
            };
            let expected = match model.pick(None) {
                Some(Pick::Server(i)) => Some(i),
                _ => None,
            };
            history.push(format!("{real:?}"));
            assert_eq!(
                real,
                expected,
                "{algorithm:?} seed {seed}: {}",
                history.join(", ")
            );
        }
        eprintln!("{algorithm:?} seed {seed}: {}", history.join(", "));
    }
    haproxy.stop().await;
}
