//! Unit tests of the Load Balancer model.

mod config;
mod isolation;
mod lifecycle;
mod private_networks;
mod resources;
mod support;
