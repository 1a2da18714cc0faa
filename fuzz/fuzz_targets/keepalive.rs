//! A KEEPALIVE body after a valid header; the first byte picks the context.
#![no_main]

mod common;

use bgp_wire::header::message_type;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::check_body(data, message_type::KEEPALIVE));
