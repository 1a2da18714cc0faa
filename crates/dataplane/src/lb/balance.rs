//! Which server gets the next request: HAProxy 2.6's three algorithms, step for step, so the
//! model picks the server HAProxy picks, also after servers go down and come back.
//!
//! - `roundrobin` is HAProxy's "fast weighted round robin" (`lb_fwrr.c`): servers carry a
//!   position, sit in a *current*, *init* or *next* tree, and the lowest position not past the
//!   group's current position is served. Every server weighs the same here (the API has no
//!   weights), so in steady state it alternates in declaration order, but a server coming
//!   back up is placed by the same arithmetic HAProxy uses (it is not simply "next").
//! - `leastconn` (`lb_fwlc.c`): the server with the fewest requests in flight; ties keep their
//!   queue order, and a server that was used goes to the back of its tie.
//! - `first` (`lb_fas.c`): the first usable server in declaration order.
//!
//! When no server is usable the backup (the failover host) is used, if there is one. Requests
//! complete at once in the model, so no server is ever saturated and `max_connections` never
//! bites.

use std::collections::{BTreeSet, VecDeque};

use super::config::ForwardPortAlgorithm;

/// HAProxy's `BE_WEIGHT_SCALE`.
const BE_WEIGHT_SCALE: u32 = 16;
/// HAProxy's `SRV_UWGHT_RANGE`.
const SRV_UWGHT_RANGE: u32 = 256;
/// HAProxy's `SRV_EWGHT_MAX`.
const SRV_EWGHT_MAX: u32 = SRV_UWGHT_RANGE * BE_WEIGHT_SCALE;
/// The effective weight of a server of weight 1.
const EWEIGHT: u32 = BE_WEIGHT_SCALE;

/// What the balancer picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Server `i` of the backend.
    Server(usize),
    /// The backup server (failover host): no server is usable.
    Backup,
}

/// One backend's balancing state.
#[derive(Clone, Debug)]
pub struct Balancer {
    algorithm: Algorithm,
    usable: Vec<bool>,
    backup: bool,
}

#[derive(Clone, Debug)]
enum Algorithm {
    Roundrobin(Fwrr),
    Leastconn(VecDeque<usize>),
    First,
}

impl Balancer {
    /// A balancer over `servers` servers, all usable (HAProxy starts every checked server up),
    /// with a backup server if `backup`.
    pub fn new(algorithm: ForwardPortAlgorithm, servers: usize, backup: bool) -> Self {
        let algorithm = match algorithm {
            ForwardPortAlgorithm::Roundrobin => Algorithm::Roundrobin(Fwrr::new(servers)),
            ForwardPortAlgorithm::Leastconn => Algorithm::Leastconn((0..servers).collect()),
            ForwardPortAlgorithm::First => Algorithm::First,
        };
        Balancer {
            algorithm,
            usable: vec![true; servers],
            backup,
        }
    }

    /// How many servers are usable.
    pub fn usable_count(&self) -> usize {
        self.usable.iter().filter(|u| **u).count()
    }

    /// Whether server `i` is usable.
    pub fn is_usable(&self, i: usize) -> bool {
        self.usable.get(i).copied().unwrap_or(false)
    }

    /// Server `i` went up (`true`) or down.
    pub fn set_usable(&mut self, i: usize, usable: bool) {
        let Some(slot) = self.usable.get_mut(i) else {
            return;
        };
        if *slot == usable {
            return;
        }
        *slot = usable;
        match &mut self.algorithm {
            Algorithm::Roundrobin(fwrr) if usable => fwrr.set_up(i),
            Algorithm::Roundrobin(fwrr) => fwrr.set_down(i),
            Algorithm::Leastconn(queue) => {
                queue.retain(|s| *s != i);
                if usable {
                    queue.push_back(i);
                }
            }
            Algorithm::First => {}
        }
    }

    /// The next server, avoiding `avoid` if another one is usable; `None` if nothing is.
    pub fn pick(&mut self, avoid: Option<usize>) -> Option<Pick> {
        if self.usable_count() == 0 {
            return self.backup.then_some(Pick::Backup);
        }
        let i = match &mut self.algorithm {
            Algorithm::Roundrobin(fwrr) => fwrr.next_server(avoid),
            Algorithm::Leastconn(queue) => {
                let at = queue
                    .iter()
                    .position(|s| Some(*s) != avoid)
                    .or((!queue.is_empty()).then_some(0));
                let s = at.and_then(|at| queue.remove(at));
                if let Some(s) = s {
                    queue.push_back(s);
                }
                s
            }
            Algorithm::First => {
                let usable = |i: &usize| self.usable.get(*i).copied().unwrap_or(false);
                (0..self.usable.len())
                    .filter(usable)
                    .find(|i| Some(*i) != avoid)
                    .or_else(|| (0..self.usable.len()).find(usable))
            }
        };
        i.map(Pick::Server)
    }
}

/// Which tree a server sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tree {
    Curr,
    T0,
    T1,
}

/// `lb_fwrr.c`'s per-server fields.
#[derive(Clone, Copy, Debug, Default)]
struct FwrrServer {
    npos: u32,
    lpos: u32,
    rweight: u32,
    /// The tree the server belongs to (`lb_tree`), even while dequeued.
    lb_tree: Option<Tree>,
    /// Its node, when it is actually in a tree: (tree, key, insertion sequence).
    node: Option<(Tree, u32, u64)>,
}

/// `lb_fwrr.c`'s active group, for servers of equal weight.
#[derive(Clone, Debug)]
struct Fwrr {
    servers: Vec<FwrrServer>,
    scratch: FwrrServer,
    curr: BTreeSet<(u32, u64, usize)>,
    t0: BTreeSet<(u32, u64, usize)>,
    t1: BTreeSet<(u32, u64, usize)>,
    init: Tree,
    next: Tree,
    curr_pos: u32,
    curr_weight: u32,
    next_weight: u32,
    seq: u64,
}

impl Fwrr {
    /// `fwrr_init_server_groups` with every server usable.
    fn new(servers: usize) -> Self {
        let total = u32::try_from(servers)
            .unwrap_or(u32::MAX / EWEIGHT)
            .wrapping_mul(EWEIGHT);
        let mut fwrr = Fwrr {
            servers: vec![FwrrServer::default(); servers],
            scratch: FwrrServer::default(),
            curr: BTreeSet::new(),
            t0: BTreeSet::new(),
            t1: BTreeSet::new(),
            init: Tree::T0,
            next: Tree::T1,
            curr_pos: total,
            curr_weight: total,
            next_weight: total,
            seq: 0,
        };
        for s in 0..servers {
            fwrr.queue_by_weight(Tree::T0, s);
        }
        fwrr
    }

    fn tree(&mut self, tree: Tree) -> &mut BTreeSet<(u32, u64, usize)> {
        match tree {
            Tree::Curr => &mut self.curr,
            Tree::T0 => &mut self.t0,
            Tree::T1 => &mut self.t1,
        }
    }

    fn insert(&mut self, tree: Tree, s: usize, key: u32) {
        self.seq += 1;
        let seq = self.seq;
        self.tree(tree).insert((key, seq, s));
        if let Some(srv) = self.servers.get_mut(s) {
            srv.node = Some((tree, key, seq));
            srv.lb_tree = Some(tree);
        }
    }

    /// `fwrr_dequeue_srv`: out of its tree, `lb_tree` unchanged.
    fn dequeue(&mut self, s: usize) {
        if let Some((tree, key, seq)) = self.servers.get_mut(s).and_then(|srv| srv.node.take()) {
            self.tree(tree).remove(&(key, seq, s));
        }
    }

    fn first(&self, tree: Tree) -> Option<usize> {
        let set = match tree {
            Tree::Curr => &self.curr,
            Tree::T0 => &self.t0,
            Tree::T1 => &self.t1,
        };
        set.first().map(|(_, _, s)| *s)
    }

    /// Server `s`'s fields. Indices come from this balancer's trees and from callers that
    /// `Balancer` bounds; an index out of range reads and writes a scratch entry instead of
    /// panicking.
    fn srv(&mut self, s: usize) -> &mut FwrrServer {
        match self.servers.get_mut(s) {
            Some(srv) => srv,
            None => &mut self.scratch,
        }
    }

    /// `fwrr_queue_by_weight`.
    fn queue_by_weight(&mut self, tree: Tree, s: usize) {
        self.insert(tree, s, SRV_EWGHT_MAX - EWEIGHT);
    }

    /// `fwrr_queue_srv` for a usable server.
    fn queue_srv(&mut self, s: usize) {
        let (curr_weight, next_weight) = (self.curr_weight, self.next_weight);
        let srv = *self.srv(s);
        if srv.npos >= curr_weight.wrapping_mul(2)
            || srv.npos >= curr_weight.wrapping_add(next_weight)
        {
            self.srv(s).npos = srv.npos.wrapping_sub(curr_weight);
            let next = self.next;
            self.queue_by_weight(next, s);
        } else {
            let key = SRV_UWGHT_RANGE.wrapping_mul(srv.npos).wrapping_add(
                SRV_EWGHT_MAX
                    .wrapping_add(srv.rweight)
                    .wrapping_sub(EWEIGHT)
                    / BE_WEIGHT_SCALE,
            );
            self.insert(Tree::Curr, s, key);
        }
    }

    /// `fwrr_get_srv`: fix the position of a server about to be (re)queued.
    fn get_srv(&mut self, s: usize) {
        let (init, next, curr_weight, curr_pos) =
            (self.init, self.next, self.curr_weight, self.curr_pos);
        let srv = self.srv(s);
        match srv.lb_tree {
            Some(t) if t == init => {
                srv.npos = 0;
                srv.rweight = 0;
            }
            Some(t) if t == next => srv.npos = srv.npos.wrapping_add(curr_weight),
            None => srv.npos = curr_pos,
            Some(_) => {}
        }
    }

    /// `fwrr_switch_trees`.
    fn switch_trees(&mut self) {
        std::mem::swap(&mut self.init, &mut self.next);
        self.curr_weight = self.next_weight;
        self.curr_pos = self.curr_weight;
    }

    /// `fwrr_get_server_from_group`.
    fn server_from_group(&mut self) -> Option<usize> {
        let s1 = self.first(Tree::Curr);
        if let Some(s1) = s1
            && self.srv(s1).npos <= self.curr_pos
        {
            return Some(s1);
        }
        if let Some(s2) = self.first(self.init) {
            let srv = self.srv(s2);
            srv.npos = 0;
            srv.rweight = 0;
            return Some(s2);
        }
        s1
    }

    /// `fwrr_update_position`.
    fn update_position(&mut self, s: usize) {
        let (curr_pos, next_weight) = (self.curr_pos, self.next_weight);
        let srv = self.srv(s);
        if srv.npos == 0 {
            srv.npos = curr_pos;
        }
        srv.lpos = srv.npos;
        srv.npos = srv.npos.wrapping_add(next_weight / EWEIGHT);
        srv.rweight = srv.rweight.wrapping_add(next_weight % EWEIGHT);
        if srv.rweight >= EWEIGHT {
            srv.rweight -= EWEIGHT;
            srv.npos = srv.npos.wrapping_add(1);
        }
    }

    /// `fwrr_get_next_server` (no server is ever saturated in the model).
    fn next_server(&mut self, avoid: Option<usize>) -> Option<usize> {
        let mut switched = false;
        let mut avoided: Option<usize> = None;
        let mut full: Vec<usize> = Vec::new();
        let chosen = loop {
            if self.curr_weight == 0 {
                self.curr_weight = self.next_weight;
                self.curr_pos = self.next_weight;
            }
            let srv = loop {
                if let Some(s) = self.server_from_group() {
                    break Some(s);
                }
                if switched {
                    break None;
                }
                switched = true;
                self.switch_trees();
            };
            let Some(srv) = srv else {
                // Nothing left: take the avoided server if there was one.
                if let Some(a) = avoided {
                    self.queue_srv(a);
                    full.retain(|s| *s != a);
                    self.requeue(&full, switched);
                    return Some(a);
                }
                self.requeue(&full, switched);
                return None;
            };
            self.update_position(srv);
            self.dequeue(srv);
            self.curr_pos = self.curr_pos.wrapping_add(1);
            if Some(srv) != avoid || avoided.is_some() {
                break srv;
            }
            avoided = Some(srv);
            full.push(srv);
        };
        self.queue_srv(chosen);
        full.retain(|s| *s != chosen);
        self.requeue(&full, switched);
        Some(chosen)
    }

    fn requeue(&mut self, full: &[usize], switched: bool) {
        for &s in full {
            if switched {
                let init = self.init;
                self.queue_by_weight(init, s);
            } else {
                self.queue_srv(s);
            }
        }
    }

    /// `fwrr_set_server_status_down`.
    fn set_down(&mut self, s: usize) {
        self.next_weight = self.next_weight.wrapping_sub(EWEIGHT);
        self.dequeue(s);
        self.srv(s).lb_tree = None;
    }

    /// `fwrr_set_server_status_up`.
    fn set_up(&mut self, s: usize) {
        self.next_weight = self.next_weight.wrapping_add(EWEIGHT);
        self.get_srv(s);
        let (curr_pos, curr_weight, next_weight) =
            (self.curr_pos, self.curr_weight, self.next_weight);
        self.srv(s).npos = curr_pos
            .wrapping_add(next_weight.wrapping_add(curr_weight).wrapping_sub(curr_pos) / EWEIGHT);
        self.queue_srv(s);
    }
}
