//! The BGP finite state machine of RFC 4271 §8.2.2 for one connection, sans I/O.
//!
//! Events go in with the current time ([`Fsm::handle`], [`Fsm::on_message`],
//! [`Fsm::on_timeout`]); a list of [`Action`]s comes out. The FSM owns its timers as deadlines and
//! says when it next needs to be called ([`Fsm::next_deadline`]). It never touches a socket or a
//! clock, so a test drives it in virtual time.
//!
//! Where RFC 4271's text and later RFCs differ, this FSM follows the later one and says so:
//! - RFC 6608: an unexpected message in OpenSent, OpenConfirm or Established gets a Finite State
//!   Machine Error with subcode 1, 2 or 3. A malformed message of an unexpected type counts as
//!   unexpected (an UPDATE error in OpenSent/OpenConfirm, an OPEN error in Established), as
//!   RFC 4271 §8.2.2 lists them.
//! - A message header error (BGPHeaderErr) in Established is answered with its own 1/x
//!   NOTIFICATION (RFC 4271 §6.1), not the FSM error §8.2.2 lists.
//! - A NOTIFICATION received in OpenSent is not answered with a NOTIFICATION (RFC 4271 §6.4:
//!   errors in a NOTIFICATION cannot be reported back); the connection is just closed.
//! - SendNOTIFICATIONwithoutOPEN is TRUE: a stop while a connection waits on the DelayOpenTimer
//!   sends its Cease, in Connect as in Active.
//! - The ROUTE-REFRESH message (RFC 2918/7313), which RFC 4271 does not know, restarts the
//!   HoldTimer in Established like an UPDATE and is unexpected before.
//!
//! Collision detection needs the other connection, so it lives in [`crate::Peer`], which feeds
//! [`Event::OpenCollisionDump`] to the losing FSM.

use crate::action::{Action, DownReason, SessionError, StaleRoutes};
use crate::event::{Event, StopReason, max_prefix_data};
use crate::negotiation::{Negotiated, negotiate};
use crate::timer::{Instant, TimerKind, Timers};
use crate::{ConfigError, SessionConfig, State};
use bgp_wire::notification::{cease_subcode, code};
use bgp_wire::route_refresh::subtype;
use bgp_wire::{Afi, Context, Decoded, Message, Notification, Open, RouteRefresh, Safi, Update};
use std::sync::Arc;

mod transitions;

/// What happens to the ConnectRetryCounter when the FSM falls back to Idle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counter {
    Reset,
    Increment,
    Keep,
}

/// The FSM of one BGP connection.
///
/// ```
/// use bgp_session::{Action, Event, Fsm, Instant, SessionConfig, State};
/// use std::net::Ipv4Addr;
///
/// let mut fsm = Fsm::new(SessionConfig::new(65000, 65001, Ipv4Addr::new(192, 0, 2, 1))).unwrap();
/// let actions = fsm.handle(Instant::ZERO, Event::ManualStart);
/// assert_eq!(actions[0], Action::Connect);
/// assert_eq!(fsm.state(), State::Connect);
/// // The ConnectRetryTimer is running: call back at 120 s.
/// assert_eq!(fsm.next_deadline(), Some(Instant::from_secs(120)));
/// ```
#[derive(Clone, Debug)]
pub struct Fsm {
    config: Arc<SessionConfig>,
    state: State,
    timers: Timers,
    connect_retry_counter: u32,
    /// A TCP connection is up (not just being attempted).
    connected: bool,
    /// The last start event asked for passive TCP establishment; an automatic restart does too.
    passive_start: bool,
    negotiated: Option<Negotiated>,
    out: Vec<Action>,
}

impl Fsm {
    /// An FSM in Idle.
    pub fn new(config: SessionConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self::with_config(Arc::new(config)))
    }

    /// An FSM in Idle sharing an already validated configuration.
    pub(crate) fn with_config(config: Arc<SessionConfig>) -> Self {
        Self {
            config,
            state: State::Idle,
            timers: Timers::default(),
            connect_retry_counter: 0,
            connected: false,
            passive_start: false,
            negotiated: None,
            out: Vec::new(),
        }
    }

    /// The FSM of a second connection to the same peer (collision detection): in Active, as if
    /// it had been listening, and restarting the way `primary` was started.
    pub(crate) fn second_connection(primary: &Fsm) -> Self {
        let mut fsm = Self::with_config(primary.config.clone());
        fsm.state = State::Active;
        fsm.passive_start = primary.passive_start;
        fsm
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// What the session agreed on, from the peer's OPEN until the FSM goes back to Idle.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// The ConnectRetryCounter (RFC 4271 §8.1.1): failures since the last start.
    pub fn connect_retry_counter(&self) -> u32 {
        self.connect_retry_counter
    }

    /// Whether a TCP connection is up.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// When a timer expires, if it is running.
    pub fn timer(&self, kind: TimerKind) -> Option<Instant> {
        self.timers.get(kind).deadline()
    }

    /// The earliest running timer's deadline: call [`Fsm::on_timeout`] then.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// The context to decode the peer's next message with.
    pub fn decode_context(&self) -> Context {
        self.negotiated
            .as_ref()
            .map_or_else(Context::default, Negotiated::decode_context)
    }

    /// The context to encode our messages with.
    pub fn encode_context(&self) -> Context {
        self.negotiated
            .as_ref()
            .map_or_else(Context::default, Negotiated::encode_context)
    }

    /// Handles one event.
    pub fn handle(&mut self, now: Instant, event: Event) -> Vec<Action> {
        self.step(now, event);
        std::mem::take(&mut self.out)
    }

    /// Handles what `bgp_wire::decode` made of the peer's next message.
    pub fn on_message(
        &mut self,
        now: Instant,
        decoded: Result<Decoded, Notification>,
    ) -> Vec<Action> {
        self.handle(now, Event::from_decoded(decoded))
    }

    /// Handles every timer that has expired by `now`, earliest first.
    pub fn on_timeout(&mut self, now: Instant) -> Vec<Action> {
        // Each round stops one expired timer; a restarted timer expires strictly after `now`.
        while let Some(kind) = self.timers.first_expired(now) {
            self.timers.get_mut(kind).stop();
            let event = match kind {
                TimerKind::ConnectRetry => Event::ConnectRetryTimerExpires,
                TimerKind::Hold => Event::HoldTimerExpires,
                TimerKind::Keepalive => Event::KeepaliveTimerExpires,
                TimerKind::DelayOpen => Event::DelayOpenTimerExpires,
                TimerKind::IdleHold => Event::IdleHoldTimerExpires,
            };
            self.step(now, event);
        }
        std::mem::take(&mut self.out)
    }

    /// Sends an UPDATE (Established only). Restarts the KeepaliveTimer, as every UPDATE sent
    /// stands for a KEEPALIVE (RFC 4271 §8.2.2).
    pub fn send_update(
        &mut self,
        now: Instant,
        update: Update,
    ) -> Result<Vec<Action>, SessionError> {
        let negotiated = self.established()?;
        let families = update
            .mp_reach()
            .map(|m| (m.afi, m.safi))
            .into_iter()
            .chain(update.mp_unreach().map(|m| (m.afi, m.safi)))
            .chain(
                (!update.nlri.is_empty() || !update.withdrawn.is_empty())
                    .then_some((Afi::IPV4, Safi::UNICAST)),
            );
        for (afi, safi) in families {
            if !negotiated.has_family(afi, safi) {
                return Err(SessionError::FamilyNotNegotiated { afi, safi });
            }
        }
        let message = Message::Update(update);
        message.check_encodable(&self.encode_context())?;
        self.out.push(Action::Send(message));
        self.restart_keepalive(now);
        Ok(std::mem::take(&mut self.out))
    }

    /// Sends a ROUTE-REFRESH (Established only): a request (subtype 0) needs the route refresh
    /// capability, BoRR/EoRR (1/2) the enhanced one; the family must be negotiated.
    pub fn send_route_refresh(&mut self, rr: RouteRefresh) -> Result<Vec<Action>, SessionError> {
        let negotiated = self.established()?;
        let allowed = match rr.subtype {
            subtype::NORMAL => negotiated.route_refresh || negotiated.enhanced_route_refresh,
            _ => negotiated.enhanced_route_refresh,
        };
        if !allowed {
            return Err(SessionError::RouteRefreshNotNegotiated);
        }
        if !negotiated.has_family(rr.afi, rr.safi) {
            return Err(SessionError::FamilyNotNegotiated {
                afi: rr.afi,
                safi: rr.safi,
            });
        }
        Ok(vec![Action::Send(Message::RouteRefresh(rr))])
    }

    fn established(&self) -> Result<&Negotiated, SessionError> {
        match (&self.negotiated, self.state) {
            (Some(n), State::Established) => Ok(n),
            _ => Err(SessionError::NotEstablished(self.state)),
        }
    }

    fn step(&mut self, now: Instant, event: Event) {
        match self.state {
            State::Idle => self.idle(now, event),
            State::Connect | State::Active => self.connect_or_active(now, event),
            State::OpenSent => self.open_sent(now, event),
            State::OpenConfirm => self.open_confirm(now, event),
            State::Established => self.established_state(now, event),
        }
    }

    // --- Actions shared by the states -------------------------------------------------------

    fn set_state(&mut self, to: State) {
        if to != self.state {
            self.out.push(Action::StateChange {
                from: self.state,
                to,
            });
            self.state = to;
        }
    }

    /// Starts the ConnectRetryTimer, unless this side never connects.
    fn start_connect_retry(&mut self, now: Instant) {
        if self.config.passive {
            self.timers.connect_retry.stop();
        } else {
            self.timers
                .connect_retry
                .start(now, self.config.connect_retry_time);
        }
    }

    fn close(&mut self) {
        self.out.push(Action::Close);
        self.connected = false;
        self.negotiated = None;
    }

    /// Sends OPEN, sets the HoldTimer to the large value, moves to OpenSent.
    fn send_open(&mut self, now: Instant) {
        self.timers.delay_open.stop();
        self.out
            .push(Action::Send(Message::Open(self.config.open())));
        self.timers.hold.start(now, self.config.large_hold_time);
        self.set_state(State::OpenSent);
    }

    fn send_keepalive(&mut self, now: Instant) {
        self.out.push(Action::Send(Message::Keepalive));
        self.restart_keepalive(now);
    }

    fn restart_keepalive(&mut self, now: Instant) {
        match self.negotiated.as_ref().map(|n| n.keepalive_time) {
            Some(k) if !k.is_zero() => self.timers.keepalive.start(now, k),
            _ => self.timers.keepalive.stop(),
        }
    }

    fn restart_hold(&mut self, now: Instant) {
        match self.negotiated.as_ref().map(|n| n.hold_time) {
            Some(h) if !h.is_zero() => self.timers.hold.start(now, h),
            _ => self.timers.hold.stop(),
        }
    }

    /// A valid OPEN (event 19, or 20 when `delayed`): check it, send KEEPALIVE (and our OPEN
    /// first if it was delayed), start the negotiated timers, move to OpenConfirm.
    fn accept_open(&mut self, now: Instant, open: &Open, delayed: bool) {
        match negotiate(&self.config, open) {
            Err(n) => self.error(now, n),
            Ok(negotiated) => {
                self.timers.connect_retry.stop();
                self.timers.delay_open.stop();
                if delayed {
                    self.out
                        .push(Action::Send(Message::Open(self.config.open())));
                }
                self.out.push(Action::Send(Message::Keepalive));
                self.negotiated = Some(negotiated);
                self.restart_keepalive(now);
                self.restart_hold(now);
                self.set_state(State::OpenConfirm);
            }
        }
    }

    /// An error we detected: send its NOTIFICATION, go Idle.
    fn error(&mut self, now: Instant, n: Notification) {
        let reason = DownReason::ErrorSent(n.clone());
        self.go_idle(now, reason, Some(n), Counter::Increment);
    }

    /// Collision detection chose the other connection: Cease 6/7 (RFC 4486).
    fn collision_dump(&mut self, now: Instant) {
        let n = Notification::new(
            code::CEASE,
            cease_subcode::CONNECTION_COLLISION_RESOLUTION,
            [],
        );
        self.go_idle(now, DownReason::CollisionDump, Some(n), Counter::Increment);
    }

    fn stop(&mut self, now: Instant, reason: StopReason, counter: Counter) {
        let n = reason.notification();
        self.go_idle(now, DownReason::Stopped(reason), Some(n), counter);
    }

    fn max_prefix(&mut self, now: Instant, afi: Afi, safi: Safi, limit: u32) {
        let n = Notification::new(
            code::CEASE,
            cease_subcode::MAXIMUM_NUMBER_OF_PREFIXES_REACHED,
            max_prefix_data(afi, safi, limit),
        );
        let reason = DownReason::MaxPrefixExceeded { afi, safi, limit };
        self.go_idle(now, reason, Some(n), Counter::Increment);
    }

    /// Sends the NOTIFICATION if a connection is up, closes, stops the timers, goes Idle, and
    /// arms the IdleHoldTimer unless the operator stopped the session.
    fn go_idle(
        &mut self,
        now: Instant,
        reason: DownReason,
        notification: Option<Notification>,
        counter: Counter,
    ) {
        let from = self.state;
        if let Some(n) = notification.filter(|_| self.connected) {
            self.out.push(Action::Send(Message::Notification(n)));
        }
        let graceful_restart = self.stale_routes(from, &reason);
        self.close();
        self.timers.stop_session_timers();
        match counter {
            Counter::Reset => self.connect_retry_counter = 0,
            Counter::Increment => {
                self.connect_retry_counter = self.connect_retry_counter.saturating_add(1)
            }
            Counter::Keep => {}
        }
        let manual = counter == Counter::Reset && matches!(reason, DownReason::Stopped(_));
        self.set_state(State::Idle);
        self.out.push(Action::Down {
            reason,
            from,
            graceful_restart,
        });
        match self.config.idle_hold_time {
            Some(idle_hold) if !manual => self.timers.idle_hold.start(now, idle_hold),
            _ => self.timers.idle_hold.stop(),
        }
    }

    /// RFC 4724 §4.2: when an Established session's TCP connection drops (no NOTIFICATION either
    /// way), a helper keeps the routes of the families in the peer's Graceful Restart capability.
    fn stale_routes(&self, from: State, reason: &DownReason) -> Option<StaleRoutes> {
        if from != State::Established || *reason != DownReason::ConnectionFailed {
            return None;
        }
        let negotiated = self.negotiated.as_ref()?;
        let gr = negotiated.graceful_restart.as_ref()?;
        let families: Vec<(Afi, Safi)> = gr
            .families
            .iter()
            .map(|f| (f.afi, f.safi))
            .filter(|&(afi, safi)| negotiated.has_family(afi, safi))
            .collect();
        (!families.is_empty() && !gr.restart_time.is_zero()).then_some(StaleRoutes {
            families,
            restart_time: gr.restart_time,
        })
    }
}
