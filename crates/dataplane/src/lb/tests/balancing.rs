//! Balancing: HAProxy's round robin (also across a server going down and up), leastconn,
//! first, stickiness, failover.

use proptest::prelude::*;

use super::*;
use crate::lb::balance::{Balancer, Pick};

fn picks(balancer: &mut Balancer, n: usize) -> Vec<usize> {
    (0..n)
        .map(|_| match balancer.pick(None) {
            Some(Pick::Server(i)) => i,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Recorded from Debian's HAProxy 2.6.12 (two servers, `balance roundrobin`, one request per
/// connection): s1 stopped after 6 requests, 8 requests while it was down or rising, then it
/// came back. The first request after its return still went to s0.
#[test]
fn roundrobin_matches_haproxy_across_a_server_going_down_and_up() {
    let mut rr = Balancer::new(ForwardPortAlgorithm::Roundrobin, 2, false);
    assert_eq!(picks(&mut rr, 6), [0, 1, 0, 1, 0, 1]);
    rr.set_usable(1, false);
    assert_eq!(picks(&mut rr, 8), [0; 8]);
    rr.set_usable(1, true);
    assert_eq!(picks(&mut rr, 5), [0, 1, 0, 1, 0]);
}

/// Recorded from HAProxy 2.6.12 with `set server be/sN state maint|ready` between requests
/// (the same callbacks as a health-check transition).
#[test]
fn roundrobin_matches_haproxy_after_a_down_up_dance() {
    let mut rr = Balancer::new(ForwardPortAlgorithm::Roundrobin, 2, false);
    assert_eq!(picks(&mut rr, 11), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    rr.set_usable(0, false);
    assert_eq!(picks(&mut rr, 2), [1, 1]);
    rr.set_usable(1, false);
    rr.set_usable(0, true);
    assert_eq!(picks(&mut rr, 3), [0, 0, 0]);
    rr.set_usable(1, true);
    rr.set_usable(1, false);
    rr.set_usable(1, true);
    let mut recorded = vec![1; 8];
    recorded.extend([0, 1].repeat(6));
    assert_eq!(picks(&mut rr, 20), recorded);
}

#[test]
fn leastconn_rotates_ties_and_first_fills_the_first() {
    let mut lc = Balancer::new(ForwardPortAlgorithm::Leastconn, 3, false);
    assert_eq!(picks(&mut lc, 4), [0, 1, 2, 0]);
    lc.set_usable(1, false);
    assert_eq!(picks(&mut lc, 3), [2, 0, 2]);
    lc.set_usable(1, true);
    assert_eq!(picks(&mut lc, 3), [0, 2, 1]);

    let mut first = Balancer::new(ForwardPortAlgorithm::First, 3, false);
    assert_eq!(picks(&mut first, 3), [0, 0, 0]);
    first.set_usable(0, false);
    assert_eq!(picks(&mut first, 2), [1, 1]);
    assert_eq!(first.pick(Some(1)), Some(Pick::Server(2)), "avoiding 1");
}

#[test]
fn no_usable_server_is_none_or_the_backup() {
    let mut rr = Balancer::new(ForwardPortAlgorithm::Roundrobin, 1, false);
    rr.set_usable(0, false);
    assert_eq!(rr.pick(None), None);
    let mut with_backup = Balancer::new(ForwardPortAlgorithm::Roundrobin, 1, true);
    with_backup.set_usable(0, false);
    assert_eq!(with_backup.pick(None), Some(Pick::Backup));
}

#[derive(Clone, Debug)]
enum Op {
    Pick,
    Toggle(usize),
}

fn arb_ops(n: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(
        prop_oneof![3 => Just(Op::Pick), 1 => (0..n).prop_map(Op::Toggle)],
        0..60,
    )
}

proptest! {
    /// Round robin over `n` servers that all stay up: every run of `n` picks serves each
    /// server once.
    #[test]
    fn roundrobin_is_exactly_fair_in_steady_state(n in 1usize..8, rounds in 1usize..6) {
        let mut rr = Balancer::new(ForwardPortAlgorithm::Roundrobin, n, false);
        for _ in 0..rounds {
            let mut round = picks(&mut rr, n);
            round.sort_unstable();
            prop_assert_eq!(round, (0..n).collect::<Vec<_>>());
        }
    }

    /// Whatever went up and down before, picks go to usable servers only. HAProxy's round
    /// robin is not fair right after such a history (recorded from HAProxy 2.6.12: two
    /// servers, after a down/up dance s1 got 8 picks in a row), but it settles: after 10
    /// rounds of the usable servers, each round serves each of them once.
    #[test]
    fn roundrobin_stays_fair_after_any_history(
        (n, ops) in (1usize..6).prop_flat_map(|n| (Just(n), arb_ops(n))),
        algorithm in prop_oneof![
            Just(ForwardPortAlgorithm::Roundrobin),
            Just(ForwardPortAlgorithm::Leastconn),
        ],
    ) {
        let mut balancer = Balancer::new(algorithm, n, false);
        let mut usable = vec![true; n];
        for op in ops {
            match op {
                Op::Toggle(i) => {
                    usable[i] = !usable[i];
                    balancer.set_usable(i, usable[i]);
                }
                Op::Pick => match balancer.pick(None) {
                    Some(Pick::Server(i)) => prop_assert!(usable[i]),
                    None => prop_assert!(usable.iter().all(|u| !u)),
                    Some(Pick::Backup) => prop_assert!(false, "no backup configured"),
                },
            }
        }
        let up: Vec<usize> = (0..n).filter(|i| usable[*i]).collect();
        if !up.is_empty() {
            let warm_up = picks(&mut balancer, 10 * up.len());
            prop_assert!(warm_up.iter().all(|i| usable[*i]));
            for _ in 0..3 {
                let mut round = picks(&mut balancer, up.len());
                round.sort_unstable();
                prop_assert_eq!(&round, &up);
            }
        }
    }
}

#[test]
fn cookie_stickiness_sets_follows_and_rebalances_a_dead_server() {
    let mut config = web(2);
    config.backends[0].sticky_sessions = StickySessions::Cookie {
        cookie_name: "SRVID".into(),
    };
    let mut lb = Lb::new(config, Duration::ZERO).unwrap();
    let mut hosts = apps(2);
    let first = get(&mut lb, Duration::ZERO, &hosts, "/");
    let Outcome::Answered { set_cookie, .. } = &first.outcome else {
        panic!("{first}");
    };
    assert_eq!(
        (set_cookie.as_deref(), body(&first).as_str()),
        (Some("SRVID=s0"), "app1")
    );
    let mut with_cookie = Request::http_get(ip("10.1.0.5"), vip(80), "/");
    if let Some(http) = with_cookie.http.as_mut() {
        http.headers.push(("Cookie".into(), "a=b; SRVID=s0".into()));
    }
    for _ in 0..3 {
        let trace = lb.handle(Duration::ZERO, &with_cookie, &hosts);
        assert_eq!(body(&trace), "app1");
        assert_eq!(trace.server.map(|s| s.choice), Some(Choice::Cookie));
    }
    hosts.close(server(0), 8080);
    lb.poll(Duration::from_secs(10), &hosts);
    let trace = lb.handle(Duration::from_secs(10), &with_cookie, &hosts);
    assert_eq!(body(&trace), "app2");
    assert!(
        matches!(&trace.outcome, Outcome::Answered { set_cookie: Some(c), .. } if c == "SRVID=s1")
    );
}

#[test]
fn table_stickiness_keeps_a_client_for_30_minutes() {
    let mut config = web(2);
    config.backends[0].sticky_sessions = StickySessions::Table;
    let mut lb = Lb::new(config, Duration::ZERO).unwrap();
    let hosts = apps(2);
    let from = |source: &str| Request::http_get(ip(source), vip(80), "/");
    assert_eq!(
        body(&lb.handle(Duration::ZERO, &from("10.1.0.1"), &hosts)),
        "app1"
    );
    assert_eq!(
        body(&lb.handle(Duration::ZERO, &from("10.1.0.2"), &hosts)),
        "app2"
    );
    for minute in [1, 10, 29] {
        let now = Duration::from_secs(60 * minute);
        assert_eq!(body(&lb.handle(now, &from("10.1.0.1"), &hosts)), "app1");
    }
    // 30 minutes after the last one, the entry is gone: the balancer decides again.
    let later = Duration::from_secs(60 * 59);
    let trace = lb.handle(later, &from("10.1.0.1"), &hosts);
    assert_eq!(trace.server.map(|s| s.choice), Some(Choice::Balanced));
}

#[test]
fn every_server_down_is_503_or_the_failover_host() {
    let mut config = web(2);
    let mut lb = Lb::new(config.clone(), Duration::ZERO).unwrap();
    let nothing = EndpointTable::new();
    lb.poll(Duration::from_secs(10), &nothing);
    let trace = get(&mut lb, Duration::from_secs(10), &nothing, "/");
    assert_eq!(
        (trace.outcome.clone(), trace.http_status()),
        (Outcome::NoServer, Some(503))
    );
    assert!(
        trace.to_string().ends_with(": 503, every server is down"),
        "{trace}"
    );

    config.backends[0].failover_host = Some("failover-website.s3-website.fr-par.scw.cloud".into());
    let mut lb = Lb::new(config, Duration::ZERO).unwrap();
    lb.poll(Duration::from_secs(10), &nothing);
    let trace = get(&mut lb, Duration::from_secs(10), &nothing, "/");
    assert_eq!(
        trace.outcome,
        Outcome::Failover {
            host: "failover-website.s3-website.fr-par.scw.cloud".into()
        }
    );
}
