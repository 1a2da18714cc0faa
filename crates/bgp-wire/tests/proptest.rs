//! Property tests of the codec: valid messages round-trip exactly under every context, and any
//! input decodes to `Ok` or `Err` without panicking; whatever decodes re-encodes to the same
//! bytes (malformed attributes and unusual flags are kept raw).
//!
//! `cargo test -p bgp-wire --test proptest`. Set `PROPTEST_CASES` to run more cases.

mod strategies;

use bgp_wire::attribute::type_code;
use bgp_wire::header::{HEADER_LEN, MARKER};
use bgp_wire::rfc7606::Action;
use bgp_wire::{AttributeValue, Context, Message, Rfc7606, Update, decode};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use strategies::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        // Counterexamples go to the report and to regular tests below, not to files in src/.
        failure_persistence: None,
        max_global_rejects: 100_000,
        ..ProptestConfig::default()
    }
}

fn cx_name(cx: &Context) -> String {
    format!(
        "four_octet_as={} add_path.ipv4={} add_path.ipv6={} extended_message={}",
        cx.four_octet_as, cx.add_path.ipv4, cx.add_path.ipv6, cx.extended_message
    )
}

/// If `bytes` decodes under `cx`, encoding the result must succeed and give back `bytes`. If it
/// does not, the NOTIFICATION it decodes to must fit the session, so it can be sent.
fn check_exact_round_trip(bytes: &[u8], cx: &Context) -> Result<(), TestCaseError> {
    let decoded = match decode(bytes, cx) {
        Ok(decoded) => decoded,
        Err(notification) => {
            let answer = Message::Notification(notification).to_vec(cx);
            prop_assert!(
                answer.is_ok(),
                "unsendable answer {answer:?} to {}",
                hex::encode(bytes)
            );
            return Ok(());
        }
    };
    match decoded.message.to_vec(cx) {
        Ok(again) => prop_assert!(
            again == bytes,
            "decoded but re-encoded differently under {}\n input {}\noutput {}\n{:?}",
            cx_name(cx),
            hex::encode(bytes),
            hex::encode(&again),
            decoded
        ),
        Err(e) => prop_assert!(
            false,
            "decoded but cannot re-encode under {}: {e}\n input {}\n{:?}",
            cx_name(cx),
            hex::encode(bytes),
            decoded
        ),
    }
    Ok(())
}

/// A valid message encodes, decodes to itself with no RFC 7606 outcome, and re-encodes to the
/// same bytes.
fn check_valid(m: &Message, cx: &Context) -> Result<(), TestCaseError> {
    let bytes = m
        .to_vec(cx)
        .map_err(|e| TestCaseError::fail(format!("encode: {e}")))?;
    prop_assert_eq!(bytes.len(), m.encoded_len(cx));
    let decoded = decode(&bytes, cx).map_err(|n| {
        TestCaseError::fail(format!(
            "valid message refused with {n} under {}\n{}",
            cx_name(cx),
            hex::encode(&bytes)
        ))
    })?;
    prop_assert_eq!(&decoded.message, m, "bytes {}", hex::encode(&bytes));
    prop_assert_eq!(decoded.rfc7606, None, "bytes {}", hex::encode(&bytes));
    prop_assert_eq!(decoded.message.to_vec(cx).unwrap(), bytes);
    Ok(())
}

/// A whole message with a valid header of `message_type` around `body`.
fn framed(message_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MARKER);
    out.extend_from_slice(&((HEADER_LEN + body.len()) as u16).to_be_bytes());
    out.push(message_type);
    out.extend_from_slice(body);
    out
}

/// Sets the header's length field to the buffer's length, when it fits.
fn fix_length(bytes: &mut [u8]) {
    if bytes.len() >= HEADER_LEN
        && let Ok(len) = u16::try_from(bytes.len())
    {
        bytes[16..18].copy_from_slice(&len.to_be_bytes());
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    /// XOR the byte at (index mod len) with a non-zero value.
    Flip(usize, u8),
    /// Keep the first (n mod len) bytes.
    Truncate(usize),
    /// Append bytes.
    Extend(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => vec(any::<u8>(), 1..16).prop_map(Mutation::Extend),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Flip(i, x) => {
            let i = i % bytes.len();
            bytes[i] ^= x;
        }
        Mutation::Truncate(n) => bytes.truncate(n % bytes.len()),
        Mutation::Extend(extra) => bytes.extend_from_slice(extra),
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn valid_messages_round_trip((cx, m) in context_and_message()) {
        check_valid(&m, &cx)?;
    }

    /// One attribute in an otherwise empty UPDATE. It decodes to itself, except AS4_PATH and
    /// AS4_AGGREGATOR between 4-octet speakers, kept raw as unusable (RFC 6793 §6); and an
    /// MP_REACH_NLRI announcing routes lacks ORIGIN and AS_PATH (treat-as-withdraw).
    #[test]
    fn each_attribute_alone_round_trips(
        (cx, attribute) in any_context().prop_flat_map(|cx| (Just(cx), any_attribute(cx)))
    ) {
        let m = Message::Update(Update { attributes: vec![attribute.clone()], ..Update::default() });
        prop_assume!(m.check_encodable(&cx).is_ok());
        let bytes = m.to_vec(&cx).unwrap();
        let decoded = decode(&bytes, &cx).map_err(|n| {
            TestCaseError::fail(format!(
                "refused with {n} under {}: {}", cx_name(&cx), hex::encode(&bytes)
            ))
        })?;
        prop_assert_eq!(&decoded.message.to_vec(&cx).unwrap(), &bytes);
        let code = attribute.value.type_code();
        let as4 = code == type_code::AS4_PATH || code == type_code::AS4_AGGREGATOR;
        let announces = matches!(
            &attribute.value,
            AttributeValue::MpReachNlri(r) if !r.nlri.is_empty()
        );
        if cx.four_octet_as && as4 {
            let Message::Update(u) = &decoded.message else {
                return Err(TestCaseError::fail("not an UPDATE"));
            };
            let raw = &bytes[bytes.len() - attribute.value.value_len(&cx)..];
            prop_assert!(
                matches!(&u.attributes[..], [a] if a.flags == attribute.flags
                    && a.value == AttributeValue::Malformed { type_code: code, value: raw.to_vec() }),
                "{:?}", u
            );
            prop_assert_eq!(
                decoded.rfc7606,
                Some(Rfc7606 { action: Action::AttributeDiscard, attribute: Some(code) })
            );
        } else if announces {
            prop_assert_eq!(&decoded.message, &m, "bytes {}", hex::encode(&bytes));
            prop_assert_eq!(
                decoded.rfc7606,
                Some(Rfc7606 { action: Action::TreatAsWithdraw, attribute: Some(type_code::ORIGIN) })
            );
        } else {
            prop_assert_eq!(&decoded.message, &m, "bytes {}", hex::encode(&bytes));
            prop_assert_eq!(decoded.rfc7606, None);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..5000)) {
        for cx in all_contexts() {
            check_exact_round_trip(&bytes, &cx)?;
        }
    }

    #[test]
    fn arbitrary_bodies_never_panic(
        message_type in 1u8..=5,
        body in prop_oneof![
            8 => vec(any::<u8>(), 0..64),
            4 => vec(any::<u8>(), 0..600),
            1 => vec(any::<u8>(), 0..5000),
        ],
    ) {
        let bytes = framed(message_type, &body);
        for cx in all_contexts() {
            check_exact_round_trip(&bytes, &cx)?;
        }
    }

    /// UPDATE bodies made of plausible pieces: length fields that are mostly right, attribute
    /// headers with random flags and known type codes, random values.
    #[test]
    fn structured_update_bodies_never_panic(
        withdrawn in vec(any::<u8>(), 0..20),
        attributes in vec(
            (any::<u8>(), prop_oneof![3 => 1u8..=18, 1 => Just(32u8), 1 => any::<u8>()],
             vec(any::<u8>(), 0..40), any::<bool>()),
            0..6,
        ),
        nlri in vec(any::<u8>(), 0..20),
        off in prop_oneof![6 => Just(0i32), 1 => -3i32..=3],
    ) {
        let mut attrs = vec![];
        for (flags, code, value, right_len) in &attributes {
            attrs.push(*flags);
            attrs.push(*code);
            let len = if *right_len { value.len() } else { value.len() ^ 1 };
            if flags & 0x10 != 0 {
                attrs.extend_from_slice(&(len as u16).to_be_bytes());
            } else {
                attrs.push(len as u8);
            }
            attrs.extend_from_slice(value);
        }
        let mut body = vec![];
        body.extend_from_slice(&(withdrawn.len() as u16).to_be_bytes());
        body.extend_from_slice(&withdrawn);
        body.extend_from_slice(&((attrs.len() as i32 + off).max(0) as u16).to_be_bytes());
        body.extend_from_slice(&attrs);
        body.extend_from_slice(&nlri);
        let bytes = framed(2, &body);
        for cx in all_contexts() {
            check_exact_round_trip(&bytes, &cx)?;
        }
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        (cx, m) in context_and_message(),
        mutations in vec(mutation(), 1..4),
        fix in any::<bool>(),
        other in any_context(),
    ) {
        let mut bytes = m.to_vec(&cx).unwrap();
        for mu in &mutations {
            if bytes.is_empty() {
                break;
            }
            mutate(&mut bytes, mu);
        }
        if fix {
            fix_length(&mut bytes);
        }
        check_exact_round_trip(&bytes, &cx)?;
        check_exact_round_trip(&bytes, &other)?;
    }
}

// -------------------------------------------------------------------------------------------
// Regular tests: the strategies' building blocks, and counterexamples found.

#[test]
fn context_bits_zero_is_default() {
    assert_eq!(context_from_bits(0), Context::default());
    assert_eq!(all_contexts().len(), 16);
}

/// RFC 7313 §5 answers a BoRR/EoRR of the wrong length with 7/1 carrying the whole message; a
/// long one must be cut so the NOTIFICATION still fits the session (found by fuzzing).
#[test]
fn long_eorr_gets_a_sendable_notification() {
    let mut body = vec![0x00, 0x01, 0x02, 0x01];
    body.resize(4096 - 19, 0);
    let bytes = framed(5, &body);
    let cx = Context::default();
    let answer = decode(&bytes, &cx).unwrap_err();
    assert_eq!((answer.code, answer.subcode), (7, 1));
    assert_eq!(answer.data[..], bytes[..4096 - 21]);
    assert_eq!(
        Message::Notification(answer).to_vec(&cx).unwrap().len(),
        4096
    );
}
