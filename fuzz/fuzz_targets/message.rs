//! Any bytes as one whole message, header included; the first byte picks the context.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::check_message(data));
