//! The FSM driven in virtual time: timers, OPEN checks, errors, stops.

use crate::support::*;
use bgp_session::{
    Action, DownReason, Event, Fsm, Instant, SessionConfig, SessionError, State, StopReason,
    TimerKind,
};
use bgp_wire::attribute::{AsPath, AsSegment, Origin};
use bgp_wire::rfc7606::Action as Rfc7606Action;
use bgp_wire::{Afi, Safi};
use bgp_wire::{AttributeValue, Message, Nlri, Notification, PathAttribute, RouteRefresh, Update};
use std::time::Duration;

/// Steps the FSM through every deadline up to `until`, recording what it did and when.
fn run_until(fsm: &mut Fsm, until: Instant) -> Vec<(Instant, Action)> {
    let mut log = Vec::new();
    while let Some(deadline) = fsm.next_deadline().filter(|&d| d <= until) {
        log.extend(fsm.on_timeout(deadline).into_iter().map(|a| (deadline, a)));
    }
    log
}

fn down_reason(actions: &[Action]) -> Option<DownReason> {
    actions.iter().find_map(|a| match a {
        Action::Down { reason, .. } => Some(reason.clone()),
        _ => None,
    })
}

fn update() -> Update {
    Update {
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![65001],
            )]))),
            PathAttribute::new(AttributeValue::NextHop(REMOTE_ID)),
        ],
        nlri: vec![Nlri::new("192.0.2.0/24".parse().unwrap())],
        ..Update::default()
    }
}

#[test]
fn hold_timer_expiry_sends_4_0_and_goes_idle() {
    let mut fsm = established();
    // The peer's KEEPALIVE came at 2 s; hold time 90 s; our KEEPALIVEs at 31, 61, 91 s.
    assert_eq!(fsm.timer(TimerKind::Hold), Some(secs(92)));
    let log = run_until(&mut fsm, secs(92));
    let keepalives: Vec<Instant> = log
        .iter()
        .filter(|(_, a)| *a == Action::Send(Message::Keepalive))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(keepalives, [secs(31), secs(61), secs(91)]);
    let actions: Vec<Action> = log.into_iter().map(|(_, a)| a).collect();
    assert_eq!(notification(&actions), Some(Notification::new(4, 0, [])));
    assert!(actions.contains(&Action::Close));
    assert_eq!(down_reason(&actions), Some(DownReason::HoldTimerExpired));
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(fsm.connect_retry_counter(), 1);
    assert_eq!(fsm.next_deadline(), None, "no automatic restart configured");
}

#[test]
fn connect_retry_reissues_connect_on_schedule() {
    let mut fsm = Fsm::new(local()).unwrap();
    assert_eq!(
        fsm.handle(secs(0), Event::ManualStart),
        [
            Action::Connect,
            Action::StateChange {
                from: State::Idle,
                to: State::Connect
            }
        ]
    );
    let log = run_until(&mut fsm, secs(365));
    assert_eq!(
        log,
        [
            (secs(120), Action::Close),
            (secs(120), Action::Connect),
            (secs(240), Action::Close),
            (secs(240), Action::Connect),
            (secs(360), Action::Close),
            (secs(360), Action::Connect),
        ]
    );
    assert_eq!(fsm.state(), State::Connect);
    assert_eq!(fsm.next_deadline(), Some(secs(480)));
}

#[test]
fn keepalives_every_third_of_the_hold_time() {
    let mut config = local();
    config.hold_time = 9;
    let mut open = remote_open();
    open.hold_time = 30; // negotiated: min(9, 30) = 9 s, keepalive 3 s
    let mut fsm = established_with(config, open);
    assert_eq!(
        fsm.negotiated().unwrap().keepalive_time,
        Duration::from_secs(3)
    );
    // The KeepaliveTimer started when our KEEPALIVE answered the OPEN, at 1 s.
    let mut expected = 1;
    for _ in 0..6 {
        expected += 3;
        let deadline = fsm.next_deadline().unwrap();
        assert_eq!(deadline, secs(expected));
        assert_eq!(fsm.on_timeout(deadline - Duration::from_millis(1)), []);
        assert_eq!(fsm.on_timeout(deadline), [Action::Send(Message::Keepalive)]);
        // The peer keeps the session up.
        deliver(&mut fsm, deadline, Message::Keepalive);
    }
    // An UPDATE sent stands for a KEEPALIVE: the next one is 3 s after it.
    let now = secs(expected) + Duration::from_millis(1500);
    let actions = fsm.send_update(now, update()).unwrap();
    assert_eq!(sent(&actions), [Message::Update(update())]);
    assert_eq!(
        fsm.timer(TimerKind::Keepalive),
        Some(now + Duration::from_secs(3))
    );
}

#[test]
fn hold_time_zero_means_no_keepalives_and_no_hold_timer() {
    let mut open = remote_open();
    open.hold_time = 0;
    let fsm = established_with(local(), open);
    assert_eq!(fsm.negotiated().unwrap().hold_time, Duration::ZERO);
    assert_eq!(fsm.next_deadline(), None);
}

#[test]
fn open_sent_waits_with_the_large_hold_time() {
    let mut fsm = Fsm::new(local()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    let actions = fsm.handle(secs(5), Event::TcpCrAcked);
    assert_eq!(sent(&actions), [Message::Open(local().open())]);
    assert_eq!(fsm.state(), State::OpenSent);
    assert_eq!(fsm.timer(TimerKind::Hold), Some(secs(245)));
    assert_eq!(fsm.timer(TimerKind::ConnectRetry), None);
    assert_eq!(run_until(&mut fsm, secs(244)), []);
    let actions: Vec<Action> = run_until(&mut fsm, secs(245))
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    assert_eq!(notification(&actions), Some(Notification::new(4, 0, [])));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn delay_open_sends_open_when_the_timer_expires() {
    let mut config = local();
    config.delay_open_time = Some(Duration::from_secs(5));
    let mut fsm = Fsm::new(config.clone()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    assert_eq!(fsm.handle(secs(1), Event::TcpCrAcked), []);
    assert_eq!(fsm.state(), State::Connect);
    assert_eq!(fsm.timer(TimerKind::DelayOpen), Some(secs(6)));
    assert_eq!(fsm.timer(TimerKind::ConnectRetry), None);
    let actions = fsm.on_timeout(secs(6));
    assert_eq!(sent(&actions), [Message::Open(config.open())]);
    assert_eq!(fsm.state(), State::OpenSent);
    assert_eq!(fsm.timer(TimerKind::Hold), Some(secs(246)));
}

#[test]
fn delay_open_answers_an_early_open_with_open_and_keepalive() {
    let mut config = local();
    config.delay_open_time = Some(Duration::from_secs(5));
    let mut fsm = Fsm::new(config.clone()).unwrap();
    fsm.handle(secs(0), Event::ManualStartWithPassiveTcpEstablishment);
    assert_eq!(fsm.state(), State::Active);
    fsm.handle(secs(1), Event::TcpConnectionConfirmed);
    assert_eq!(fsm.state(), State::Active);
    // Event 20: BGPOpen with the DelayOpenTimer running.
    let actions = deliver(&mut fsm, secs(3), Message::Open(remote_open()));
    assert_eq!(
        sent(&actions),
        [Message::Open(config.open()), Message::Keepalive]
    );
    assert_eq!(fsm.state(), State::OpenConfirm);
    assert_eq!(fsm.timer(TimerKind::DelayOpen), None);
    assert_eq!(fsm.timer(TimerKind::Hold), Some(secs(93)));
}

fn open_refused(config: SessionConfig, open: bgp_wire::Open) -> Vec<Action> {
    let mut fsm = Fsm::new(config).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    fsm.handle(secs(0), Event::TcpCrAcked);
    let actions = deliver(&mut fsm, secs(1), Message::Open(open));
    assert_eq!(fsm.state(), State::Idle);
    assert!(actions.contains(&Action::Close));
    actions
}

#[test]
fn wrong_peer_as_is_2_2_bad_peer_as() {
    let mut open = remote_open();
    open.my_as = 65002;
    open.parameters = bgp_session::SessionConfig::new(65002, 65000, REMOTE_ID)
        .open()
        .parameters;
    let actions = open_refused(local(), open);
    let bad_peer_as = Notification::new(2, 2, []);
    assert_eq!(notification(&actions), Some(bad_peer_as.clone()));
    assert_eq!(
        down_reason(&actions),
        Some(DownReason::ErrorSent(bad_peer_as))
    );
}

#[test]
fn four_octet_peer_as_comes_from_the_capability() {
    let mut config = local();
    config.peer_as = 4_200_000_001;
    let theirs = SessionConfig::new(4_200_000_001, 65000, REMOTE_ID).open();
    assert_eq!(theirs.my_as, bgp_wire::AS_TRANS);
    let fsm = established_with(config.clone(), theirs);
    assert_eq!(fsm.negotiated().unwrap().peer_as, 4_200_000_001);
    // The same peer without the capability shows only AS_TRANS: 2/2.
    let mut two_octet = SessionConfig::new(4_200_000_001, 65000, REMOTE_ID).open();
    two_octet.parameters.clear();
    let actions = open_refused(config, two_octet);
    assert_eq!(notification(&actions), Some(Notification::new(2, 2, [])));
}

#[test]
fn unacceptable_hold_time_is_2_6() {
    // 1 or 2 seconds: bgp_wire refuses the OPEN itself.
    let mut open = remote_open();
    open.hold_time = 2;
    let actions = open_refused(local(), open);
    assert_eq!(notification(&actions), Some(Notification::new(2, 6, [])));
    // Under our configured minimum.
    let mut config = local();
    config.min_hold_time = 10;
    let mut open = remote_open();
    open.hold_time = 5;
    let actions = open_refused(config, open);
    assert_eq!(notification(&actions), Some(Notification::new(2, 6, [])));
}

#[test]
fn ibgp_peer_with_our_identifier_is_2_3() {
    let mut config = local();
    config.peer_as = 65000;
    let mut open = SessionConfig::new(65000, 65000, LOCAL_ID).open();
    open.bgp_identifier = LOCAL_ID;
    let actions = open_refused(config, open);
    assert_eq!(notification(&actions), Some(Notification::new(2, 3, [])));
}

#[test]
fn max_prefix_is_cease_6_1_with_afi_safi_and_limit() {
    let mut fsm = established();
    let actions = fsm.handle(
        secs(10),
        Event::MaxPrefixExceeded {
            afi: Afi::IPV4,
            safi: Safi::UNICAST,
            limit: 100,
        },
    );
    assert_eq!(
        notification(&actions),
        Some(Notification::new(6, 1, [0, 1, 1, 0, 0, 0, 100]))
    );
    assert_eq!(fsm.state(), State::Idle);
    assert!(matches!(
        &actions[..],
        [
            Action::Send(_),
            Action::Close,
            Action::StateChange {
                from: State::Established,
                to: State::Idle
            },
            Action::Down {
                reason: DownReason::MaxPrefixExceeded { limit: 100, .. },
                from: State::Established,
                graceful_restart: None,
            },
        ]
    ));
}

#[test]
fn manual_stop_is_cease_6_2_and_does_not_restart() {
    let mut config = local();
    config.idle_hold_time = Some(Duration::from_secs(5));
    let mut fsm = established_with(config, remote_open());
    let actions = fsm.handle(secs(10), Event::ManualStop(StopReason::default()));
    assert_eq!(notification(&actions), Some(Notification::new(6, 2, [])));
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(fsm.connect_retry_counter(), 0);
    assert_eq!(fsm.next_deadline(), None);

    let mut fsm = established();
    let reason = StopReason::AdministrativeShutdown(Some("maintenance".into()));
    let n = notification(&fsm.handle(secs(10), Event::ManualStop(reason))).unwrap();
    assert_eq!(n.shutdown_communication(), Some("maintenance"));

    let mut fsm = established();
    let actions = fsm.handle(secs(10), Event::ManualStop(StopReason::PeerDeconfigured));
    assert_eq!(notification(&actions), Some(Notification::new(6, 3, [])));
}

#[test]
fn manual_stop_before_a_connection_sends_nothing() {
    let mut fsm = Fsm::new(local()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    let actions = fsm.handle(secs(1), Event::ManualStop(StopReason::default()));
    assert_eq!(sent(&actions), []);
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(fsm.next_deadline(), None);
}

#[test]
fn malformed_update_gets_its_notification_and_ends_the_session() {
    let mut fsm = established();
    let mut bytes = wire(&Message::Update(update()));
    bytes[19..21].copy_from_slice(&[0x0f, 0xff]); // withdrawn length overruns the message
    let expected = bgp_wire::decode(&bytes, &fsm.decode_context()).unwrap_err();
    assert_eq!((expected.code, expected.subcode), (3, 1));
    let actions = deliver_bytes(&mut fsm, secs(10), &bytes);
    assert_eq!(notification(&actions), Some(expected));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn rfc7606_treat_as_withdraw_keeps_the_session_and_delivers_the_outcome() {
    let mut fsm = established();
    let mut bytes = wire(&Message::Update(update()));
    assert_eq!(bytes[23..27], [0x40, 1, 1, 0]); // ORIGIN IGP
    bytes[26] = 7; // no such ORIGIN: RFC 7606 §7.1 treat-as-withdraw
    let actions = deliver_bytes(&mut fsm, secs(10), &bytes);
    assert_eq!(fsm.state(), State::Established);
    assert_eq!(sent(&actions), []);
    let [Action::Received(received, Some(outcome))] = &actions[..] else {
        panic!("{actions:?}")
    };
    assert_eq!(outcome.action, Rfc7606Action::TreatAsWithdraw);
    assert_eq!(outcome.attribute, Some(1));
    assert_eq!(received.nlri, update().nlri);
    // The UPDATE counted as a sign of life.
    assert_eq!(fsm.timer(TimerKind::Hold), Some(secs(100)));
}

#[test]
fn header_error_in_established_gets_1_1() {
    let mut fsm = established();
    let mut bytes = wire(&Message::Keepalive);
    bytes[0] = 0;
    let actions = deliver_bytes(&mut fsm, secs(10), &bytes);
    assert_eq!(notification(&actions), Some(Notification::new(1, 1, [])));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn unexpected_messages_get_the_rfc_6608_subcode() {
    // KEEPALIVE in OpenSent: 5/1.
    let mut fsm = Fsm::new(local()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    fsm.handle(secs(0), Event::TcpCrAcked);
    let actions = deliver(&mut fsm, secs(1), Message::Keepalive);
    assert_eq!(notification(&actions), Some(Notification::new(5, 1, [])));
    // UPDATE in OpenConfirm: 5/2.
    let mut fsm = Fsm::new(local()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    fsm.handle(secs(0), Event::TcpCrAcked);
    deliver(&mut fsm, secs(1), Message::Open(remote_open()));
    let actions = deliver(&mut fsm, secs(2), Message::Update(update()));
    assert_eq!(notification(&actions), Some(Notification::new(5, 2, [])));
    // OPEN in Established: 5/3.
    let mut fsm = established();
    let actions = deliver(&mut fsm, secs(3), Message::Open(remote_open()));
    assert_eq!(notification(&actions), Some(Notification::new(5, 3, [])));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn notification_from_the_peer_is_not_answered() {
    let mut fsm = Fsm::new(local()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    fsm.handle(secs(0), Event::TcpCrAcked);
    let cease = Notification::new(6, 5, []);
    let actions = deliver(&mut fsm, secs(1), Message::Notification(cease.clone()));
    assert_eq!(sent(&actions), []);
    assert_eq!(
        down_reason(&actions),
        Some(DownReason::NotificationReceived(cease))
    );
}

#[test]
fn tcp_failure_in_open_sent_goes_back_to_active() {
    let mut fsm = Fsm::new(local()).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    fsm.handle(secs(1), Event::TcpCrAcked);
    let actions = fsm.handle(secs(2), Event::TcpConnectionFails);
    assert_eq!(
        actions,
        [
            Action::Close,
            Action::StateChange {
                from: State::OpenSent,
                to: State::Active
            }
        ]
    );
    assert_eq!(fsm.timer(TimerKind::ConnectRetry), Some(secs(122)));
    assert_eq!(fsm.timer(TimerKind::Hold), None);
    // ... and tries again when the ConnectRetryTimer expires.
    assert_eq!(fsm.on_timeout(secs(122))[0], Action::Connect);
    assert_eq!(fsm.state(), State::Connect);
}

#[test]
fn idle_hold_timer_restarts_the_session_after_an_error() {
    let mut config = local();
    config.idle_hold_time = Some(Duration::from_secs(30));
    let mut fsm = Fsm::new(config).unwrap();
    fsm.handle(secs(0), Event::ManualStart);
    // Connection refused in Connect: Idle (RFC 4271 §8.2.2), restart 30 s later.
    let actions = fsm.handle(secs(1), Event::TcpConnectionFails);
    assert_eq!(down_reason(&actions), Some(DownReason::ConnectionFailed));
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(fsm.next_deadline(), Some(secs(31)));
    assert_eq!(fsm.on_timeout(secs(31))[0], Action::Connect);
    assert_eq!(fsm.state(), State::Connect);
}

#[test]
fn graceful_restart_helper_keeps_routes_when_the_connection_drops() {
    let mut config = local();
    config.graceful_restart = Some(120);
    let mut theirs = remote();
    theirs.graceful_restart = Some(90);
    let mut open = theirs.open();
    for bgp_wire::OptionalParameter::Capabilities(caps) in &mut open.parameters {
        for cap in caps {
            if let bgp_wire::Capability::GracefulRestart(gr) = cap {
                gr.families
                    .push(bgp_wire::capability::GracefulRestartFamily {
                        afi: Afi::IPV4,
                        safi: Safi::UNICAST,
                        flags: 0x80,
                    });
            }
        }
    }
    let mut fsm = established_with(config.clone(), open.clone());
    let actions = fsm.handle(secs(10), Event::TcpConnectionFails);
    let Some(Action::Down {
        graceful_restart: Some(stale),
        ..
    }) = actions.last()
    else {
        panic!("{actions:?}")
    };
    assert_eq!(stale.families, [(Afi::IPV4, Safi::UNICAST)]);
    assert_eq!(stale.restart_time, Duration::from_secs(90));
    // A NOTIFICATION ends the session without Graceful Restart (RFC 4724).
    let mut fsm = established_with(config, open);
    let actions = deliver(
        &mut fsm,
        secs(10),
        Message::Notification(Notification::new(6, 4, [])),
    );
    assert!(matches!(
        actions.last(),
        Some(Action::Down {
            graceful_restart: None,
            ..
        })
    ));
}

#[test]
fn route_refresh_in_and_out() {
    let mut fsm = established();
    let rr = RouteRefresh {
        afi: Afi::IPV4,
        subtype: 0,
        safi: Safi::UNICAST,
    };
    let actions = deliver(&mut fsm, secs(10), Message::RouteRefresh(rr));
    assert_eq!(actions, [Action::RouteRefresh(rr)]);
    // A family that was not negotiated is ignored (RFC 2918 §4).
    let v6 = RouteRefresh {
        afi: Afi::IPV6,
        ..rr
    };
    assert_eq!(deliver(&mut fsm, secs(11), Message::RouteRefresh(v6)), []);
    assert_eq!(
        fsm.send_route_refresh(rr).unwrap(),
        [Action::Send(Message::RouteRefresh(rr))]
    );
    // BoRR needs Enhanced Route Refresh.
    let borr = RouteRefresh { subtype: 1, ..rr };
    assert_eq!(
        fsm.send_route_refresh(borr),
        Err(SessionError::RouteRefreshNotNegotiated)
    );
}

#[test]
fn updates_are_sent_only_when_established_and_negotiated() {
    let mut fsm = Fsm::new(local()).unwrap();
    assert_eq!(
        fsm.send_update(secs(0), update()),
        Err(SessionError::NotEstablished(State::Idle))
    );
    let mut fsm = established();
    let v6 = Update {
        attributes: vec![PathAttribute::new(AttributeValue::MpUnreachNlri(
            bgp_wire::attribute::MpUnreachNlri {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                withdrawn: vec![],
            },
        ))],
        ..Update::default()
    };
    assert_eq!(
        fsm.send_update(secs(3), v6),
        Err(SessionError::FamilyNotNegotiated {
            afi: Afi::IPV6,
            safi: Safi::UNICAST
        })
    );
}

#[test]
fn events_are_named_and_numbered_as_in_rfc_4271() {
    assert_eq!(Event::TcpCrAcked.to_string(), "Tcp_CR_Acked (event 16)");
    assert_eq!(Event::OpenCollisionDump.number(), Some(23));
    assert_eq!(
        Event::from_decoded(Ok(bgp_wire::Decoded {
            message: Message::Notification(Notification::new(2, 1, [0, 4])),
            rfc7606: None,
        }))
        .number(),
        Some(24)
    );
}
