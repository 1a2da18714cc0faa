//! Unit tests of the Load Balancer model.
