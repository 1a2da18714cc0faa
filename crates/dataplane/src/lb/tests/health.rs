//! Health checks on virtual time: HAProxy's counting, spacing and start-up spread.

use proptest::prelude::*;

use super::*;

/// Runs the LB to `until`, polling at each deadline; returns every event.
fn run(lb: &mut Lb, until: Duration, hosts: &EndpointTable) -> Vec<HealthEvent> {
    let mut events = Vec::new();
    while let Some(at) = lb.next_deadline().filter(|at| *at <= until) {
        events.extend(lb.poll(at, hosts));
    }
    events
}

#[test]
fn start_up_spreads_checks_and_a_first_failure_is_down_at_once() {
    // 2 servers, fastinter 500 ms at start-up (health = rise is not full): the second
    // server's first check is 500 × 1 / 2 = 250 ms in.
    let mut lb = Lb::new(web(2), Duration::ZERO).unwrap();
    assert_eq!(lb.next_deadline(), Some(Duration::ZERO));
    let mut hosts = apps(2);
    hosts.close(server(1), 8080);
    let events = lb.poll(ms(249), &hosts);
    assert!(
        events
            .iter()
            .all(|e| e.server == server(0) && e.to == ServerStatus::Up),
        "{events:?}"
    );
    assert_eq!(lb.server_status("apps", server(0)), Some(ServerStatus::Up));
    assert_eq!(
        lb.server_status("apps", server(1)),
        Some(ServerStatus::UpGoingDown { health: 1, fall: 2 }),
        "HAProxy shows `UP 1/2` before the first check"
    );
    let events = lb.poll(ms(250), &hosts);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].at, events[0].to), (ms(250), ServerStatus::Down));
    assert_eq!(events[0].check_status, CheckStatus::L4Con);
    let stats = lb.backend_stats("apps").unwrap();
    assert_eq!(
        (
            stats.servers[1].failed_checks,
            stats.servers[1].down_transitions
        ),
        (1, 1)
    );
    assert_eq!(stats.servers[1].server_state().as_str(), "stopped");
    assert_eq!(stats.servers[0].check_code, Some(200));
    assert_eq!(stats.servers[0].last_health_check_status(), "passed");
}

#[test]
fn statuses_on_the_way_down_and_up_are_haproxys() {
    let mut lb = Lb::new(web(1), Duration::ZERO).unwrap();
    let mut hosts = apps(1);
    run(&mut lb, ms(5000), &hosts);
    hosts.close(server(0), 8080);
    let down = run(&mut lb, ms(10_000), &hosts);
    let seen: Vec<String> = down.iter().map(|e| e.to.to_string()).collect();
    assert_eq!(seen, ["UP 1/2", "DOWN"]);
    hosts.listen(server(0), 8080, Listener::Http(HttpService::new("app1")));
    let up = run(&mut lb, ms(20_000), &hosts);
    let seen: Vec<String> = up.iter().map(|e| e.to.to_string()).collect();
    assert_eq!(seen, ["DOWN 1/2", "UP"]);
    assert_eq!(up[1].server, server(0));
    assert!(up[1].went_up() && down[1].went_down());
}

#[test]
fn check_kinds_and_their_statuses() {
    let mut check = HealthCheck::new(80);
    check.check_delay = ms(2000);
    let connect = ms(5000);
    let http = |svc: HttpService| Endpoint::Listening(Listener::Http(svc));
    let run = |check: &HealthCheck, e: &Endpoint| {
        let r = check::run_check(check, connect, e);
        (r.status, r.code, r.duration)
    };
    let z = Duration::ZERO;
    assert_eq!(
        run(&check, &Endpoint::Closed),
        (CheckStatus::L4Con, None, z)
    );
    assert_eq!(
        run(&check, &Endpoint::Unreachable),
        (CheckStatus::L4Tout, None, ms(2000))
    );
    assert_eq!(
        run(&check, &http(HttpService::new("x"))),
        (CheckStatus::L4Ok, None, z)
    );
    check.config = CheckConfig::Http(HttpCheck {
        code: Some(204),
        ..HttpCheck::get("/ready")
    });
    let ready = HttpService::new("x").with_path("/ready", 204);
    assert_eq!(run(&check, &http(ready)), (CheckStatus::L7Ok, Some(204), z));
    assert_eq!(
        run(&check, &http(HttpService::new("x"))),
        (CheckStatus::L7Sts, Some(200), z)
    );
    check.config = CheckConfig::Http(HttpCheck::get("/"));
    let moved = HttpService::new("x").with_path("/", 302);
    assert_eq!(
        run(&check, &http(moved)),
        (CheckStatus::L7Ok, Some(302), z),
        "any 3xx"
    );
    let hung = Endpoint::Listening(Listener::Hung);
    assert_eq!(run(&check, &hung), (CheckStatus::L7Tout, None, ms(2000)));
    check.config = CheckConfig::Redis;
    let redis = Endpoint::Listening(Listener::App(AppProtocol::Redis));
    assert_eq!(run(&check, &redis).0, CheckStatus::L7Ok);
    check.config = CheckConfig::Mysql {
        user: "haproxy".into(),
    };
    assert_eq!(run(&check, &redis).0, CheckStatus::L7Rsp);
    check.config = CheckConfig::Https {
        http: HttpCheck::get("/"),
        sni: None,
    };
    assert_eq!(
        run(&check, &http(HttpService::new("x"))).0,
        CheckStatus::L6Rsp
    );
}

#[test]
fn an_unreachable_server_times_out_each_check() {
    let mut config = web(1);
    config.backends[0].timeout_connect = ms(300);
    let mut lb = Lb::new(config, Duration::ZERO).unwrap();
    let nothing = EndpointTable::new();
    // The first check starts at 0 and gives up at min(inter, timeout connect) = 300 ms.
    assert!(lb.poll(ms(299), &nothing).is_empty());
    let events = lb.poll(ms(300), &nothing);
    assert_eq!(events[0].check_status, CheckStatus::L4Tout);
    assert_eq!(events[0].at, ms(300));
}

/// An LB with one server, checked every `inter` ms, `fastinter` ms in transition, down after
/// `fall` failures.
fn one_server(inter: u64, fastinter: u64, fall: u32, timeout: u64) -> Lb {
    let mut config = web(1);
    let check = &mut config.backends[0].health_check;
    check.check_delay = ms(inter);
    check.transient_check_delay = ms(fastinter);
    check.check_max_retries = fall;
    check.check_timeout = ms(timeout);
    Lb::new(config, Duration::ZERO).unwrap()
}

proptest! {
    /// A refused server goes down exactly at the first check after it stopped plus
    /// `fall − 1` transient intervals, and comes back at the first check after it restarts
    /// plus `rise − 1` transient intervals — within the Scaleway target of
    /// `check_delay × check_max_retries + check_timeout` when the transient interval is not
    /// longer than `check_delay`.
    #[test]
    fn fall_and_rise_are_exact_on_virtual_time(
        inter in 100u64..5000,
        fastinter in 0u64..2000,
        fall in 1u32..6,
        timeout in 1u64..2000,
        stop_after in 0u64..10_000,
        down_for in 0u64..20_000,
    ) {
        let mut lb = one_server(inter, fastinter, fall, timeout);
        let mut hosts = apps(1);
        let fast = if fastinter == 0 { inter } else { fastinter };
        // Up and fully healthy after the first (successful) check at 0.
        let stop = ms(1 + stop_after);
        run(&mut lb, stop, &hosts);
        prop_assert_eq!(lb.server_status("apps", server(0)), Some(ServerStatus::Up));
        // Checks run at 0, inter, 2·inter …: the first failing one is the first at or after
        // the stop (the check due exactly at `stop` ran before it, in `run`).
        let first_fail = ms(inter * (stop.as_millis() as u64 / inter + 1));
        hosts.close(server(0), 8080);
        let expected = first_fail + ms(fast) * (fall - 1);
        let events = run(&mut lb, expected, &hosts);
        let down_at = events.iter().find(|e| e.went_down()).map(|e| e.at);
        prop_assert_eq!(down_at, Some(expected));
        // The target holds whenever transient_check_delay ≤ check_delay (the defaults: 0.5 s
        // and 3 s); a longer transient interval can miss it, in HAProxy as in the model.
        if fast <= inter {
            prop_assert!(expected - stop <= ms(inter) * fall + ms(timeout));
        }
        let stats = lb.backend_stats("apps").unwrap();
        prop_assert_eq!(stats.servers[0].failed_checks, u64::from(fall));
        prop_assert_eq!(stats.servers[0].down_transitions, 1);
        prop_assert_eq!(stats.servers[0].last_change, expected);

        // Down: checks every inter (no downinter). Restart after `down_for`.
        let restart = expected + ms(1 + down_for);
        run(&mut lb, restart, &hosts);
        prop_assert_eq!(lb.backend_stats("apps").unwrap().servers[0].last_change, expected);
        hosts.listen(server(0), 8080, Listener::Http(HttpService::new("app1")));
        let events = run(&mut lb, restart + ms(200_000), &hosts);
        let up_at = events.iter().find(|e| e.went_up()).map(|e| e.at);
        let since_down = (restart - expected).as_millis() as u64;
        // Checks due at `restart` itself ran before the service came back.
        let first_ok = expected + ms(inter * (since_down / inter + 1));
        prop_assert_eq!(up_at, Some(first_ok + ms(fast) * (RISE - 1)));
    }
}
