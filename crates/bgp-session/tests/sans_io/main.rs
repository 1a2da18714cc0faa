//! The sans-I/O core driven in virtual time: no sockets, no sleeps.

mod fsm;
mod negotiation;
mod peer;
mod support;
