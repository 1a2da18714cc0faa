//! VPC API unit tests.
