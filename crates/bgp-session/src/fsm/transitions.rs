//! The transitions of RFC 4271 §8.2.2, one function per state (OpenSent, OpenConfirm and
//! Established share the events they answer alike in `common`).

use super::{Counter, Fsm};
use crate::State;
use crate::action::{Action, DownReason};
use crate::event::Event;
use crate::timer::Instant;
use bgp_wire::Notification;
use bgp_wire::notification::code;
use bgp_wire::route_refresh::subtype;

impl Fsm {
    // --- Idle -------------------------------------------------------------------------------

    pub(super) fn idle(&mut self, now: Instant, event: Event) {
        match event {
            Event::ManualStart | Event::AutomaticStart => self.start(now, false),
            Event::ManualStartWithPassiveTcpEstablishment
            | Event::AutomaticStartWithPassiveTcpEstablishment => self.start(now, true),
            // The optional IdleHoldTimer stands for AllowAutomaticStart.
            Event::IdleHoldTimerExpires => self.start(now, self.passive_start),
            // Ignored in Idle, but an operator's stop also cancels a pending automatic restart.
            Event::ManualStop(_) => self.timers.idle_hold.stop(),
            _ => {}
        }
    }

    fn start(&mut self, now: Instant, passive: bool) {
        self.timers.idle_hold.stop();
        self.connect_retry_counter = 0;
        self.passive_start = passive;
        self.start_connect_retry(now);
        if passive || self.config.passive {
            self.set_state(State::Active);
        } else {
            self.out.push(Action::Connect);
            self.set_state(State::Connect);
        }
    }

    // --- Connect and Active -----------------------------------------------------------------

    pub(super) fn connect_or_active(&mut self, now: Instant, event: Event) {
        let delay_open_running = self.timers.delay_open.is_running();
        match event {
            Event::ManualStart
            | Event::AutomaticStart
            | Event::ManualStartWithPassiveTcpEstablishment
            | Event::AutomaticStartWithPassiveTcpEstablishment
            | Event::TcpConnectionValid
            | Event::TcpCrInvalid => {}
            Event::ManualStop(reason) => self.stop(now, reason, Counter::Reset),
            Event::AutomaticStop(reason) => self.stop(now, reason, Counter::Increment),
            Event::MaxPrefixExceeded { afi, safi, limit } => self.max_prefix(now, afi, safi, limit),
            Event::ConnectRetryTimerExpires if self.state == State::Connect => {
                // Drop the attempt (or the connection waiting for DelayOpen) and try again.
                self.close();
                self.timers.delay_open.stop();
                self.start_connect_retry(now);
                self.out.push(Action::Connect);
            }
            Event::ConnectRetryTimerExpires => {
                self.start_connect_retry(now);
                self.out.push(Action::Connect);
                self.set_state(State::Connect);
            }
            Event::DelayOpenTimerExpires => {
                self.timers.connect_retry.stop();
                self.send_open(now);
            }
            Event::TcpCrAcked | Event::TcpConnectionConfirmed => {
                self.connected = true;
                self.timers.connect_retry.stop();
                match self.config.delay_open_time {
                    Some(delay) => self.timers.delay_open.start(now, delay),
                    None => self.send_open(now),
                }
            }
            Event::TcpConnectionFails if self.state == State::Connect && delay_open_running => {
                self.close();
                self.timers.delay_open.stop();
                self.start_connect_retry(now);
                self.set_state(State::Active);
            }
            Event::TcpConnectionFails => {
                let counter = match self.state {
                    State::Connect => Counter::Keep,
                    _ => Counter::Increment,
                };
                self.go_idle(now, DownReason::ConnectionFailed, None, counter);
            }
            // Event 20: BGPOpen with the DelayOpenTimer running.
            Event::BgpOpen(open) if delay_open_running => self.accept_open(now, &open, true),
            Event::BgpHeaderErr(n) | Event::BgpOpenMsgErr(n) => self.error(now, n),
            Event::OpenCollisionDump => self.collision_dump(now),
            Event::NotifMsgVerErr(n) => {
                let counter = if delay_open_running {
                    Counter::Keep
                } else {
                    Counter::Increment
                };
                self.go_idle(now, DownReason::NotificationReceived(n), None, counter);
            }
            other => {
                let reason = DownReason::Unexpected {
                    event: other.name(),
                    state: self.state,
                };
                self.go_idle(now, reason, None, Counter::Increment);
            }
        }
    }

    // --- OpenSent ---------------------------------------------------------------------------

    pub(super) fn open_sent(&mut self, now: Instant, event: Event) {
        match event {
            Event::TcpConnectionFails => {
                self.close();
                self.timers.stop_session_timers();
                self.start_connect_retry(now);
                self.set_state(State::Active);
            }
            Event::BgpOpen(open) => self.accept_open(now, &open, false),
            Event::NotifMsgVerErr(n) => self.go_idle(
                now,
                DownReason::NotificationReceived(n),
                None,
                Counter::Keep,
            ),
            Event::BgpOpenMsgErr(n) => self.error(now, n),
            other => self.common(now, other),
        }
    }

    // --- OpenConfirm ------------------------------------------------------------------------

    pub(super) fn open_confirm(&mut self, now: Instant, event: Event) {
        match event {
            Event::KeepaliveTimerExpires => self.send_keepalive(now),
            Event::KeepAliveMsg => {
                self.restart_hold(now);
                self.set_state(State::Established);
                if let Some(n) = &self.negotiated {
                    self.out.push(Action::Established(n.clone()));
                }
            }
            Event::BgpOpenMsgErr(n) => self.error(now, n),
            other => self.common(now, other),
        }
    }

    // --- Established ------------------------------------------------------------------------

    pub(super) fn established_state(&mut self, now: Instant, event: Event) {
        match event {
            Event::KeepaliveTimerExpires => self.send_keepalive(now),
            Event::KeepAliveMsg => self.restart_hold(now),
            Event::UpdateMsg(update, rfc7606) => {
                self.restart_hold(now);
                self.out.push(Action::Received(update, rfc7606));
            }
            Event::RouteRefreshMsg(rr) => {
                self.restart_hold(now);
                // RFC 2918 §4: ignore an unadvertised family; RFC 7313 §5: ignore other subtypes.
                let known = rr.subtype <= subtype::EORR;
                if known
                    && self
                        .negotiated
                        .as_ref()
                        .is_some_and(|n| n.has_family(rr.afi, rr.safi))
                {
                    self.out.push(Action::RouteRefresh(rr));
                }
            }
            Event::UpdateMsgErr(n) => self.error(now, n),
            other => self.common(now, other),
        }
    }

    /// The events OpenSent, OpenConfirm and Established answer alike.
    fn common(&mut self, now: Instant, event: Event) {
        match event {
            Event::ManualStart
            | Event::AutomaticStart
            | Event::ManualStartWithPassiveTcpEstablishment
            | Event::AutomaticStartWithPassiveTcpEstablishment
            | Event::TcpConnectionValid
            | Event::TcpCrInvalid
            | Event::TcpCrAcked
            | Event::TcpConnectionConfirmed => {}
            Event::ManualStop(reason) => self.stop(now, reason, Counter::Reset),
            Event::AutomaticStop(reason) => self.stop(now, reason, Counter::Increment),
            Event::MaxPrefixExceeded { afi, safi, limit } => self.max_prefix(now, afi, safi, limit),
            Event::HoldTimerExpires => {
                let n = Notification::new(code::HOLD_TIMER_EXPIRED, 0, []);
                self.go_idle(
                    now,
                    DownReason::HoldTimerExpired,
                    Some(n),
                    Counter::Increment,
                );
            }
            Event::TcpConnectionFails => {
                self.go_idle(now, DownReason::ConnectionFailed, None, Counter::Increment)
            }
            Event::BgpHeaderErr(n) => self.error(now, n),
            Event::OpenCollisionDump => self.collision_dump(now),
            Event::NotifMsgVerErr(n) if self.state == State::OpenConfirm => self.go_idle(
                now,
                DownReason::NotificationReceived(n),
                None,
                Counter::Keep,
            ),
            Event::NotifMsgVerErr(n) | Event::NotifMsg(n) => {
                let reason = DownReason::NotificationReceived(n);
                self.go_idle(now, reason, None, Counter::Increment);
            }
            // Anything else is unexpected here (RFC 6608).
            _ => {
                let n = Notification::new(code::FSM, self.state.fsm_error_subcode(), []);
                self.error(now, n);
            }
        }
    }
}
