//! The state machine of one router, event by event on virtual time: configuration checks,
//! timers, preemption, ties, a stopping master, shutdown and restart.

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn router(priority: u8, primary: &str) -> VirtualRouter {
    let config = Config::new(
        1,
        priority,
        primary.parse().unwrap(),
        vec!["10.0.0.1".parse().unwrap()],
    );
    VirtualRouter::new(config).unwrap()
}

fn ad_from(r: &VirtualRouter, priority: u8) -> Event {
    Event::Received {
        source: r.config.primary_address,
        advertisement: r.advertisement(priority),
    }
}

#[test]
fn config_is_checked() {
    let base = Config::new(
        1,
        100,
        "10.0.0.2".parse().unwrap(),
        vec!["10.0.0.1".parse().unwrap()],
    );
    let with = |f: fn(&mut Config)| {
        let mut c = base.clone();
        f(&mut c);
        VirtualRouter::new(c).err()
    };
    assert_eq!(with(|c| c.vrid = 0), Some(ConfigError::Vrid));
    assert_eq!(with(|c| c.priority = 0), Some(ConfigError::Priority));
    assert_eq!(
        with(|c| c.advertisement_interval = 0),
        Some(ConfigError::Interval(0))
    );
    assert_eq!(
        with(|c| c.advertisement_interval = 4096),
        Some(ConfigError::Interval(4096))
    );
    assert_eq!(
        with(|c| c.virtual_addresses.clear()),
        Some(ConfigError::Addresses)
    );
    assert_eq!(
        with(|c| c.virtual_addresses.push("fe80::1".parse().unwrap())),
        Some(ConfigError::Addresses)
    );
    assert_eq!(with(|_| {}), None);
}

#[test]
fn skew_and_master_down_interval() {
    // Priority 100, 100 cs: Skew_Time = 156 × 100 / 256 = 60 cs.
    let r = router(100, "10.0.0.2");
    assert_eq!(r.skew_time(), ms(600));
    assert_eq!(r.master_down_interval(), ms(3600));
    // Priority 200: 21 cs, as FRR shows it ("Skew Time 210 ms").
    assert_eq!(router(200, "10.0.0.2").skew_time(), ms(210));
    // Priority 254: 2 × 100 / 256 rounds down to 0.
    assert_eq!(router(254, "10.0.0.2").skew_time(), Duration::ZERO);
}

#[test]
fn owner_becomes_master_at_startup() {
    let mut r = router(PRIORITY_OWNER, "10.0.0.1");
    let actions = r.handle(Duration::ZERO, Event::Startup);
    assert_eq!(r.state(), State::Master);
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0], Action::Send(r.advertisement(255)));
    assert_eq!(
        actions[1],
        Action::BecomeMaster {
            addresses: vec!["10.0.0.1".parse().unwrap()]
        }
    );
    // Advertises every Advertisement_Interval.
    assert_eq!(r.next_deadline(), Some(ms(1000)));
    assert!(r.poll(ms(999)).is_empty());
    assert_eq!(r.poll(ms(1000)), vec![Action::Send(r.advertisement(255))]);
    assert_eq!(r.next_deadline(), Some(ms(2000)));
}

#[test]
fn backup_times_out_after_master_down_interval() {
    let mut r = router(100, "10.0.0.2");
    assert_eq!(
        r.handle(ms(500), Event::Startup),
        vec![Action::BecomeBackup]
    );
    let deadline = ms(500) + r.master_down_interval();
    assert_eq!(r.next_deadline(), Some(deadline));
    // A stale or early timer event changes nothing.
    assert!(
        r.handle(deadline - ms(1), Event::MasterDownTimer)
            .is_empty()
    );
    assert!(r.handle(deadline, Event::AdverTimer).is_empty());
    assert_eq!(r.state(), State::Backup);
    let actions = r.poll(deadline);
    assert_eq!(r.state(), State::Master);
    assert!(matches!(
        &actions[..],
        [Action::Send(_), Action::BecomeMaster { .. }]
    ));
}

#[test]
fn advertisements_keep_a_backup_quiet_and_teach_the_interval() {
    let mut master = router(200, "10.0.0.3");
    master.config.advertisement_interval = 200;
    let mut r = router(100, "10.0.0.2");
    r.handle(Duration::ZERO, Event::Startup);
    r.handle(ms(3000), ad_from(&master, 200));
    assert_eq!(r.master_adver_interval(), 200);
    // 3 × 200 cs + 156 × 200 / 256 = 121 cs.
    assert_eq!(r.next_deadline(), Some(ms(3000) + ms(6000) + ms(1210)));
    // Another VRID is not ours.
    let mut other = master.advertisement(200);
    other.vrid = 2;
    r.handle(
        ms(4000),
        Event::Received {
            source: master.config.primary_address,
            advertisement: other,
        },
    );
    assert_eq!(r.next_deadline(), Some(ms(3000) + r.master_down_interval()));
}

#[test]
fn preemption() {
    let low = router(50, "10.0.0.9");
    // Preempt_Mode on: a lower-priority master's advertisements are discarded, so the
    // higher-priority backup takes over when Master_Down_Timer fires.
    let mut high = router(150, "10.0.0.2");
    high.handle(Duration::ZERO, Event::Startup);
    let deadline = high.next_deadline().unwrap();
    high.handle(ms(1000), ad_from(&low, 50));
    assert_eq!(high.next_deadline(), Some(deadline));
    high.poll(deadline);
    assert_eq!(high.state(), State::Master);

    // Preempt_Mode off: it follows the lower-priority master.
    let mut polite = router(150, "10.0.0.2");
    polite.config.preempt_mode = false;
    polite.handle(Duration::ZERO, Event::Startup);
    polite.handle(ms(1000), ad_from(&low, 50));
    assert_eq!(
        polite.next_deadline(),
        Some(ms(1000) + polite.master_down_interval())
    );

    // The lower-priority master steps down when it hears the higher one.
    let mut old = router(50, "10.0.0.9");
    old.handle(Duration::ZERO, Event::Startup);
    old.poll(old.next_deadline().unwrap());
    assert_eq!(old.state(), State::Master);
    assert_eq!(
        old.handle(ms(9000), ad_from(&high, 150)),
        vec![Action::BecomeBackup]
    );
    assert_eq!(
        old.next_deadline(),
        Some(ms(9000) + old.master_down_interval())
    );
}

#[test]
fn equal_priority_masters_keep_the_higher_address() {
    let mut a = router(100, "10.0.0.2");
    let mut b = router(100, "10.0.0.3");
    for r in [&mut a, &mut b] {
        r.handle(Duration::ZERO, Event::Startup);
        let t = r.next_deadline().unwrap();
        r.poll(t);
        assert_eq!(r.state(), State::Master);
    }
    let from_b = ad_from(&b, 100);
    let from_a = ad_from(&a, 100);
    assert_eq!(a.handle(ms(4000), from_b), vec![Action::BecomeBackup]);
    assert!(b.handle(ms(4000), from_a).is_empty());
    assert_eq!(b.state(), State::Master);
}

#[test]
fn priority_zero_hands_over_after_skew_time() {
    let mut master = router(200, "10.0.0.3");
    master.handle(Duration::ZERO, Event::Startup);
    master.poll(master.next_deadline().unwrap());
    let mut backup = router(100, "10.0.0.2");
    backup.handle(Duration::ZERO, Event::Startup);
    backup.handle(ms(3000), ad_from(&master, 200));

    let actions = master.handle(ms(5000), Event::Shutdown);
    assert_eq!(master.state(), State::Initialize);
    assert_eq!(master.next_deadline(), None);
    let [Action::Send(goodbye), Action::BecomeInitialize] = &actions[..] else {
        panic!("{actions:?}");
    };
    assert_eq!(goodbye.priority, PRIORITY_STOP);
    backup.handle(
        ms(5000),
        Event::Received {
            source: master.config.primary_address,
            advertisement: goodbye.clone(),
        },
    );
    assert_eq!(backup.next_deadline(), Some(ms(5000) + backup.skew_time()));
    backup.poll(ms(5000) + backup.skew_time());
    assert_eq!(backup.state(), State::Master);

    // A master that hears priority 0 advertises at once.
    let mut m = router(150, "10.0.0.4");
    m.handle(Duration::ZERO, Event::Startup);
    m.poll(m.next_deadline().unwrap());
    let actions = m.handle(ms(7000), ad_from(&master, 0));
    assert_eq!(actions, vec![Action::Send(m.advertisement(150))]);
    assert_eq!(m.next_deadline(), Some(ms(8000)));
}

#[test]
fn shutdown_and_restart() {
    let mut r = router(100, "10.0.0.2");
    assert!(r.handle(Duration::ZERO, Event::Shutdown).is_empty());
    r.handle(Duration::ZERO, Event::Startup);
    assert_eq!(
        r.handle(ms(10), Event::Shutdown),
        vec![Action::BecomeInitialize]
    );
    assert_eq!(r.next_deadline(), None);
    assert_eq!(r.state(), State::Initialize);
    r.handle(ms(20), Event::Startup);
    assert_eq!(r.state(), State::Backup);
}
