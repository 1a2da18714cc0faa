//! The routers of one VRRP group on one lossless shared segment, run on virtual time.
//!
//! A [`Group`] holds the [`VirtualRouter`]s of one VRID on one LAN and carries their
//! advertisements to each other instantly, through the real codec (encoded from the sender's
//! primary address, decoded and checksummed at each receiver). It is what the embedded mode
//! needs to elect a master in virtual time, and what the tests use to check elections.
//!
//! Timers due at the same instant fire together before any advertisement is delivered: routers
//! that time out at once both become master and then settle it by priority and address, as
//! real routers would. Not here: packet loss, delay, or several VRIDs (use one `Group` each).

use std::time::Duration;

use super::packet::Advertisement;
use super::virtual_router::{Action, Event, State, VirtualRouter};

/// Guard against a storm within one instant; RFC 5798 exchanges settle in a few messages.
const MAX_DELIVERIES_PER_INSTANT: usize = 10_000;

/// One router of a [`Group`].
#[derive(Clone, Debug)]
struct Member {
    router: VirtualRouter,
    /// False while the router is cut off the segment (crashed, link down): it neither sends nor
    /// hears.
    connected: bool,
}

/// The routers of one VRRP group on a shared segment.
///
/// ```
/// use dataplane::vrrp::{Config, Event, Group, State, VirtualRouter};
/// use std::time::Duration;
///
/// let vip = vec!["10.0.0.1".parse().unwrap()];
/// let mut group = Group::new();
/// let a = group.add(VirtualRouter::new(Config::new(1, 200, "10.0.0.2".parse().unwrap(), vip.clone())).unwrap());
/// let b = group.add(VirtualRouter::new(Config::new(1, 100, "10.0.0.3".parse().unwrap(), vip)).unwrap());
/// group.handle(Duration::ZERO, a, Event::Startup);
/// group.handle(Duration::ZERO, b, Event::Startup);
/// group.advance(Duration::from_secs(10));
/// assert_eq!(group.master(), Some(a));
///
/// // The master crashes: the backup takes over after its Master_Down_Interval.
/// group.set_connected(a, false);
/// group.advance(Duration::from_secs(20));
/// assert_eq!(group.router(b).unwrap().state(), State::Master);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Group {
    members: Vec<Member>,
    now: Duration,
}

impl Group {
    /// An empty group at time zero.
    pub fn new() -> Self {
        Group::default()
    }

    /// Adds a router (in whatever state it is), connected; returns its index.
    pub fn add(&mut self, router: VirtualRouter) -> usize {
        self.members.push(Member {
            router,
            connected: true,
        });
        self.members.len() - 1
    }

    /// The router at `index`.
    pub fn router(&self, index: usize) -> Option<&VirtualRouter> {
        self.members.get(index).map(|m| &m.router)
    }

    /// The group's time: the last instant it was advanced to.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// The routers in state Master.
    pub fn masters(&self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|i| self.router(*i).is_some_and(|r| r.state() == State::Master))
            .collect()
    }

    /// The master, when there is exactly one.
    pub fn master(&self) -> Option<usize> {
        match self.masters()[..] {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Cuts `index` off the segment or plugs it back. A cut-off router keeps its state and
    /// timers (it does not know), but nothing it sends arrives and it hears nothing.
    pub fn set_connected(&mut self, index: usize, connected: bool) {
        if let Some(m) = self.members.get_mut(index) {
            m.connected = connected;
        }
    }

    /// Hands `event` to router `index` at `now` (advancing the group's time to it first), and
    /// delivers what it sends. Returns every router's actions, by index, in order.
    pub fn handle(&mut self, now: Duration, index: usize, event: Event) -> Vec<(usize, Action)> {
        let mut log = self.advance(now);
        let actions = match self.members.get_mut(index) {
            Some(m) => m.router.handle(self.now, event),
            None => Vec::new(),
        };
        self.settle(vec![(index, actions)], &mut log);
        log
    }

    /// Fires every timer due up to `until`, in time order, delivering advertisements as they
    /// are sent; then sets the group's time to `until`. Returns the actions, by router index.
    pub fn advance(&mut self, until: Duration) -> Vec<(usize, Action)> {
        let mut log = Vec::new();
        while let Some(t) = self.next_deadline().filter(|t| *t <= until) {
            self.now = self.now.max(t);
            let now = self.now;
            let fired: Vec<(usize, Vec<Action>)> = self
                .members
                .iter_mut()
                .enumerate()
                .filter(|(_, m)| m.router.next_deadline().is_some_and(|d| d <= now))
                .map(|(i, m)| (i, m.router.poll(now)))
                .collect();
            self.settle(fired, &mut log);
        }
        self.now = self.now.max(until);
        log
    }

    /// The next time any router has a timer due.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.members
            .iter()
            .filter_map(|m| m.router.next_deadline())
            .min()
    }

    /// Logs `batch` and delivers the advertisements in it, and those the deliveries cause, at
    /// the current instant.
    fn settle(&mut self, batch: Vec<(usize, Vec<Action>)>, log: &mut Vec<(usize, Action)>) {
        let mut queue = std::collections::VecDeque::new();
        for (i, actions) in batch {
            for action in actions {
                if let Action::Send(ad) = &action {
                    queue.push_back((i, ad.clone()));
                }
                log.push((i, action));
            }
        }
        let mut deliveries = 0;
        while let Some((from, ad)) = queue.pop_front() {
            let Some(sender) = self.members.get(from) else {
                continue;
            };
            if !sender.connected {
                continue;
            }
            let source = sender.router.config().primary_address;
            let Ok(bytes) = ad.encode(source) else {
                continue;
            };
            for to in 0..self.members.len() {
                deliveries += 1;
                if to == from || deliveries > MAX_DELIVERIES_PER_INSTANT {
                    continue;
                }
                let Some(member) = self.members.get_mut(to) else {
                    continue;
                };
                if !member.connected {
                    continue;
                }
                let Ok(advertisement) = Advertisement::decode(&bytes, source) else {
                    continue;
                };
                let event = Event::Received {
                    source,
                    advertisement,
                };
                for action in member.router.handle(self.now, event) {
                    if let Action::Send(ad) = &action {
                        queue.push_back((to, ad.clone()));
                    }
                    log.push((to, action));
                }
            }
        }
    }
}
