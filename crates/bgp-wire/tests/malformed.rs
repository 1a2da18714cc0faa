//! Malformed messages and the answer the RFCs require, one table row each.
//!
//! Every expectation is derived from the RFC text quoted in the row (RFC 4271 §4, §6; RFC 7606;
//! RFC 4760; RFC 5492; RFC 6286; RFC 6793; RFC 7313; RFC 8092; RFC 8654), not from what the crate
//! happens to do. A row the crate disagrees with stays in the table and fails.
//!
//! Conventions:
//! - "the attribute" as NOTIFICATION data is the whole attribute as received: flags, type code,
//!   length, value. RFC 4271 §4.3 defines the Attribute Type as "a two-octet field that consists
//!   of the Attribute Flags octet, followed by the Attribute Type Code octet", so the "(type,
//!   length, and value)" of §6.3 starts at the flags octet.
//! - Unless the row says otherwise the session is a modern one (4-octet AS, no ADD-PATH, 4096
//!   octet messages) and UPDATEs carry IPv4 NLRI, so that treat-as-withdraw has routes to
//!   withdraw (RFC 7606 §5.2 requires a session reset when an UPDATE with attribute errors other
//!   than attribute-discard announces nothing).
//! - LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST rows assume an internal peer: from an external
//!   peer RFC 7606 §7.5/§7.9/§7.10 discard the attribute whatever its form, which the session, not
//!   the codec, knows.
//! - Every row that decodes must re-encode to exactly the input bytes (malformed attributes are
//!   kept raw).

use bgp_wire::rfc7606::Action;
use bgp_wire::{AddPath, Context, Message, decode};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// Byte builders.
// ---------------------------------------------------------------------------------------------

/// A message: marker, the length field computed from `body`, type, body.
fn msg(message_type: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(19 + body.len()).expect("test message fits a length field");
    msg_len(message_type, len, body)
}

/// A message with an explicit (possibly wrong) length field.
fn msg_len(message_type: u8, len: u16, body: &[u8]) -> Vec<u8> {
    [&[0xff; 16][..], &len.to_be_bytes(), &[message_type], body].concat()
}

/// A path attribute; the length field is two octets when `flags` has Extended Length (0x10).
fn attr(flags: u8, type_code: u8, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(value.len()).expect("attribute value fits");
    attr_len(flags, type_code, len, value)
}

/// A path attribute with an explicit (possibly wrong) length field.
fn attr_len(flags: u8, type_code: u8, len: u16, value: &[u8]) -> Vec<u8> {
    let len_field = if flags & 0x10 != 0 {
        len.to_be_bytes().to_vec()
    } else {
        vec![u8::try_from(len).expect("one-octet length")]
    };
    [&[flags, type_code][..], &len_field, value].concat()
}

/// An UPDATE with explicit (possibly wrong) withdrawn-routes and total-attribute lengths.
fn update_fields(w_len: u16, withdrawn: &[u8], a_len: u16, attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let body = [
        &w_len.to_be_bytes()[..],
        withdrawn,
        &a_len.to_be_bytes(),
        attrs,
        nlri,
    ]
    .concat();
    msg(2, &body)
}

/// An UPDATE whose length fields match its fields.
fn update(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let w = u16::try_from(withdrawn.len()).unwrap();
    let a = u16::try_from(attrs.len()).unwrap();
    update_fields(w, withdrawn, a, attrs, nlri)
}

/// An UPDATE announcing [`NLRI`] with these attributes.
fn upd(attrs: &[&[u8]]) -> Vec<u8> {
    update(&[], &attrs.concat(), NLRI)
}

/// The valid base UPDATE of a 4-octet AS session: ORIGIN, AS_PATH, NEXT_HOP, one /24.
fn base_update() -> Vec<u8> {
    upd(&[ORIGIN_IGP, AS_PATH_4, NEXT_HOP])
}

/// The base UPDATE plus one more attribute at the end.
fn base_plus(extra: &[u8]) -> Vec<u8> {
    upd(&[ORIGIN_IGP, AS_PATH_4, NEXT_HOP, extra])
}

/// The base UPDATE of a 2-octet AS session plus one more attribute at the end.
fn base2_plus(extra: &[u8]) -> Vec<u8> {
    upd(&[ORIGIN_IGP, AS_PATH_2, NEXT_HOP, extra])
}

/// An UPDATE announcing IPv6 routes in MP_REACH_NLRI only (no IPv4 NLRI, no NEXT_HOP).
fn mp_update(mp: &[u8]) -> Vec<u8> {
    update(&[], &[ORIGIN_IGP, AS_PATH_4, mp].concat(), &[])
}

/// An MP_REACH_NLRI value: AFI 2 (IPv6), SAFI 1, next hop length and next hop, reserved, NLRI.
fn mp_reach_v6(next_hop: &[u8], nlri: &[u8]) -> Vec<u8> {
    [&[0, 2, 1, next_hop.len() as u8][..], next_hop, &[0], nlri].concat()
}

/// The valid MP_REACH_NLRI attribute (optional non-transitive, 0x80) of [`mp_update`].
fn mp_reach_ok() -> Vec<u8> {
    attr(0x80, 14, &mp_reach_v6(NH_V6, NLRI_V6))
}

/// An OPEN with every field given, the optional parameters length included.
fn open_fields(version: u8, hold: u16, id: [u8; 4], opt_len: u8, params: &[u8]) -> Vec<u8> {
    let body = [
        &[version][..],
        &65001u16.to_be_bytes(),
        &hold.to_be_bytes(),
        &id,
        &[opt_len],
        params,
    ]
    .concat();
    msg(1, &body)
}

/// A valid OPEN except for what `params` holds; the optional parameters length matches it.
fn open(params: &[u8]) -> Vec<u8> {
    open_fields(4, 90, ID, params.len() as u8, params)
}

/// The same bytes with `at..at + with.len()` overwritten.
fn patch(mut bytes: Vec<u8>, at: usize, with: &[u8]) -> Vec<u8> {
    bytes[at..at + with.len()].copy_from_slice(with);
    bytes
}

const ORIGIN_IGP: &[u8] = &[0x40, 1, 1, 0];
/// AS_SEQUENCE [65001] with 4-octet AS numbers.
const AS_PATH_4: &[u8] = &[0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9];
/// AS_SEQUENCE [65001] with 2-octet AS numbers.
const AS_PATH_2: &[u8] = &[0x40, 2, 4, 2, 1, 0xfd, 0xe9];
/// NEXT_HOP 192.0.2.1.
const NEXT_HOP: &[u8] = &[0x40, 3, 4, 192, 0, 2, 1];
/// 198.51.100.0/24.
const NLRI: &[u8] = &[24, 198, 51, 100];
/// 2001:db8::1.
const NH_V6: &[u8] = &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// 2001:db8::/32.
const NLRI_V6: &[u8] = &[32, 0x20, 0x01, 0x0d, 0xb8];
/// BGP Identifier 192.0.2.1.
const ID: [u8; 4] = [192, 0, 2, 1];
/// Capabilities parameter: multiprotocol IPv4 unicast, 4-octet AS 65001.
const CAPS: &[u8] = &[2, 12, 1, 4, 0, 1, 0, 1, 65, 4, 0, 0, 0xfd, 0xe9];

/// An UPDATE of more than 4096 octets: the base attributes and 1100 /24s.
fn big_update() -> Vec<u8> {
    let nlri: Vec<u8> = (0..1100u16)
        .flat_map(|i| {
            let [hi, lo] = i.to_be_bytes();
            [24, 10, hi, lo]
        })
        .collect();
    update(&[], &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(), &nlri)
}

/// A well-formed OPEN of more than 4096 octets: RFC 9072 extended optional parameters holding
/// seventeen 255-octet unknown capabilities.
fn big_open() -> Vec<u8> {
    let caps: Vec<u8> = (0..17)
        .flat_map(|_| [&[200u8, 255][..], &[0; 255]].concat())
        .collect();
    let param = [&[2u8][..], &(caps.len() as u16).to_be_bytes(), &caps].concat();
    let params = [&[255u8][..], &(param.len() as u16).to_be_bytes(), &param].concat();
    open_fields(4, 90, ID, 255, &params)
}

// ---------------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------------

/// What the session negotiated.
#[derive(Clone, Copy, Debug)]
enum Cx {
    /// 4-octet AS, no ADD-PATH, 4096-octet messages.
    Default,
    /// 2-octet AS numbers (the 4-octet AS capability was not exchanged).
    As2,
    /// ADD-PATH for IPv4 unicast in both directions.
    AddPath,
    /// Extended messages (RFC 8654) negotiated.
    ExtMsg,
}

impl Cx {
    fn context(self) -> Context {
        let d = Context::default();
        match self {
            Cx::Default => d,
            Cx::As2 => Context {
                four_octet_as: false,
                ..d
            },
            Cx::AddPath => Context {
                add_path: AddPath {
                    ipv4: true,
                    ipv6: false,
                },
                ..d
            },
            Cx::ExtMsg => Context {
                extended_message: true,
                ..d
            },
        }
    }
}

/// The answer the RFCs require.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// Reset the session with exactly this NOTIFICATION: code, subcode, data.
    Notify(u8, u8, Vec<u8>),
    /// Reset the session with an UPDATE Message Error (code 3); the RFCs fix no subcode.
    ResetUpdate,
    /// Decodes into an UPDATE; "treat-as-withdraw", naming this attribute type.
    Withdraw(Option<u8>),
    /// Decodes into an UPDATE; "attribute discard" of this attribute type.
    Discard(u8),
    /// Decodes, with no error at all.
    Valid,
}

use Expect::{Discard, Notify, ResetUpdate, Valid, Withdraw};

struct Case {
    name: &'static str,
    rfc: &'static str,
    cx: Cx,
    bytes: Vec<u8>,
    expect: Expect,
}

fn row(name: &'static str, rfc: &'static str, cx: Cx, bytes: Vec<u8>, expect: Expect) -> Case {
    Case {
        name,
        rfc,
        cx,
        bytes,
        expect,
    }
}

/// Type codes, for readability of the rows.
const ORIGIN: u8 = 1;
const AS_PATH: u8 = 2;
const NEXT_HOP_T: u8 = 3;
const MED: u8 = 4;
const LOCAL_PREF: u8 = 5;
const ATOMIC_AGG: u8 = 6;
const AGGREGATOR: u8 = 7;
const COMMUNITIES: u8 = 8;
const ORIGINATOR_ID: u8 = 9;
const CLUSTER_LIST: u8 = 10;
const MP_REACH: u8 = 14;
const MP_UNREACH: u8 = 15;
const EXT_COMM: u8 = 16;
const AS4_PATH: u8 = 17;
const AS4_AGG: u8 = 18;
const LARGE_COMM: u8 = 32;

fn cases() -> Vec<Case> {
    use Cx::*;
    let keepalive = msg(4, &[]);
    let base = base_update();
    let base_len = base.len() as u16;
    let big = big_update();
    let big_len = big.len() as u16;
    let big_open = big_open();
    let big_open_len = big_open.len() as u16;
    let rr_borr_long = msg(5, &[0, 1, 1, 1, 0]);
    let rr_eorr_short = msg(5, &[0, 1, 2]);

    vec![
        // ===================================================================== header §6.1
        row(
            "marker not all ones",
            "RFC 4271 §6.1: Marker not as expected -> Connection Not Synchronized (no data specified)",
            Default,
            patch(keepalive.clone(), 0, &[0]),
            Notify(1, 1, vec![]),
        ),
        row(
            "length field 18 (< 19)",
            "RFC 4271 §6.1: Length less than 19 -> Bad Message Length, data = the Length field",
            Default,
            msg_len(2, 18, &[]),
            Notify(1, 2, vec![0, 18]),
        ),
        row(
            "UPDATE of more than 4096 octets, no extended message",
            "RFC 4271 §6.1: Length greater than 4096 -> 1/2, data = Length; RFC 8654 §4: not advertised -> Bad Message Length",
            Default,
            big.clone(),
            Notify(1, 2, big_len.to_be_bytes().to_vec()),
        ),
        row(
            "UPDATE of more than 4096 octets, extended message negotiated",
            "RFC 8654 §4: a speaker that advertised the capability MUST accept up to 65535 octets",
            ExtMsg,
            big,
            Valid,
        ),
        row(
            "OPEN of more than 4096 octets, extended message negotiated",
            "RFC 8654 §4, §6: the capability applies to all messages except OPEN and KEEPALIVE -> RFC 4271 §6.1 1/2",
            ExtMsg,
            big_open,
            Notify(1, 2, big_open_len.to_be_bytes().to_vec()),
        ),
        row(
            "KEEPALIVE of 4097 octets, extended message negotiated",
            "RFC 8654 §4: not for KEEPALIVE; RFC 4271 §6.1: KEEPALIVE Length not 19 -> 1/2, data = Length",
            ExtMsg,
            msg_len(4, 4097, &[0; 4078]),
            Notify(1, 2, vec![0x10, 0x01]),
        ),
        row(
            "KEEPALIVE of length 20",
            "RFC 4271 §6.1: Length of a KEEPALIVE not equal to 19 -> 1/2, data = Length",
            Default,
            msg(4, &[0]),
            Notify(1, 2, vec![0, 20]),
        ),
        row(
            "OPEN of length 28 (< 29)",
            "RFC 4271 §6.1 + §4.2 (minimum OPEN is 29) -> 1/2, data = Length",
            Default,
            msg(1, &[4, 0xfd, 0xe9, 0, 90, 192, 0, 2, 1]),
            Notify(1, 2, vec![0, 28]),
        ),
        row(
            "UPDATE of length 22 (< 23)",
            "RFC 4271 §6.1 + §4.3 (minimum UPDATE is 23) -> 1/2, data = Length",
            Default,
            msg(2, &[0, 0, 0]),
            Notify(1, 2, vec![0, 22]),
        ),
        row(
            "NOTIFICATION of length 20 (< 21)",
            "RFC 4271 §6.1 + §4.5 (minimum NOTIFICATION is 21) -> 1/2, data = Length",
            Default,
            msg(3, &[6]),
            Notify(1, 2, vec![0, 20]),
        ),
        row(
            "buffer 2 octets shorter than the Length field",
            "API contract (RFC 4271 §6.1 by analogy): bytes disagree with Length -> 1/2, data = Length",
            Default,
            base[..base.len() - 2].to_vec(),
            Notify(1, 2, base_len.to_be_bytes().to_vec()),
        ),
        row(
            "buffer 2 octets longer than the Length field",
            "API contract (RFC 4271 §6.1 by analogy): bytes disagree with Length -> 1/2, data = Length",
            Default,
            [&base[..], &[0, 0]].concat(),
            Notify(1, 2, base_len.to_be_bytes().to_vec()),
        ),
        row(
            "unknown message type 6",
            "RFC 4271 §6.1: Type not recognized -> Bad Message Type, data = the Type field",
            Default,
            msg(6, &[]),
            Notify(1, 3, vec![6]),
        ),
        // ============================================================ ROUTE-REFRESH RFC 7313
        row(
            "ROUTE-REFRESH subtype 0 with a 5-octet body",
            "RFC 2918/7313 give no rule for subtype 0; RFC 4271 §6.1 by analogy -> 1/2, data = Length (unsure)",
            Default,
            msg(5, &[0, 1, 0, 1, 0]),
            Notify(1, 2, vec![0, 24]),
        ),
        row(
            "BoRR (subtype 1) with a 5-octet body",
            "RFC 7313 §5: subtype 1 or 2 and length not 4 -> 7/1 Invalid Message Length, data = the complete message",
            Default,
            rr_borr_long.clone(),
            Notify(7, 1, rr_borr_long),
        ),
        row(
            "EoRR (subtype 2) with a 3-octet body",
            "RFC 7313 §5: subtype 1 or 2 and length not 4 -> 7/1 Invalid Message Length, data = the complete message",
            Default,
            rr_eorr_short.clone(),
            Notify(7, 1, rr_eorr_short),
        ),
        row(
            "ROUTE-REFRESH with unknown subtype 3",
            "RFC 7313 §5: a subtype other than 0, 1, 2 MUST be ignored (no NOTIFICATION)",
            Default,
            msg(5, &[0, 1, 3, 1]),
            Valid,
        ),
        // ======================================================================= OPEN §6.2
        row(
            "valid OPEN (control)",
            "RFC 4271 §4.2, RFC 5492",
            Default,
            open(CAPS),
            Valid,
        ),
        row(
            "OPEN version 3",
            "RFC 4271 §6.2: Unsupported Version Number, data = 2-octet smallest supported version greater than the bid = 4",
            Default,
            open_fields(3, 90, ID, CAPS.len() as u8, CAPS),
            Notify(2, 1, vec![0, 4]),
        ),
        row(
            "OPEN hold time 1",
            "RFC 4271 §6.2: MUST reject Hold Time values of one or two seconds -> Unacceptable Hold Time",
            Default,
            open_fields(4, 1, ID, CAPS.len() as u8, CAPS),
            Notify(2, 6, vec![]),
        ),
        row(
            "OPEN hold time 2",
            "RFC 4271 §6.2: MUST reject Hold Time values of one or two seconds -> Unacceptable Hold Time",
            Default,
            open_fields(4, 2, ID, CAPS.len() as u8, CAPS),
            Notify(2, 6, vec![]),
        ),
        row(
            "OPEN BGP Identifier 0",
            "RFC 6286 §2.2: the BGP Identifier is a non-zero 4-octet value; zero -> Bad BGP Identifier",
            Default,
            open_fields(4, 90, [0; 4], CAPS.len() as u8, CAPS),
            Notify(2, 3, vec![]),
        ),
        row(
            "Optional Parameters Length 20 overruns the 14 octets present",
            "RFC 4271 §6.2: error while processing OPEN -> code 2; §6: no subcode specified -> 0 (Unspecific)",
            Default,
            open_fields(4, 90, ID, 20, CAPS),
            Notify(2, 0, vec![]),
        ),
        row(
            "Optional Parameters Length 14 with 2 octets left over",
            "RFC 4271 §6.2: error while processing OPEN -> code 2; §6: no subcode specified -> 0 (Unspecific)",
            Default,
            open_fields(4, 90, ID, 14, &[CAPS, &[0, 0]].concat()),
            Notify(2, 0, vec![]),
        ),
        row(
            "Capabilities parameter length 20 overruns Optional Parameters",
            "RFC 4271 §6.2: a recognized Optional Parameter that is malformed -> 0 (Unspecific)",
            Default,
            open_fields(4, 90, ID, 8, &[2, 20, 65, 4, 0, 0, 0xfd, 0xe9]),
            Notify(2, 0, vec![]),
        ),
        row(
            "capability length 8 overruns its 6-octet parameter",
            "RFC 4271 §6.2 + RFC 5492 §4: malformed recognized Capabilities parameter -> 0 (Unspecific)",
            Default,
            open(&[2, 6, 65, 8, 0, 0, 0xfd, 0xe9]),
            Notify(2, 0, vec![]),
        ),
        row(
            "unsupported Optional Parameter type 3",
            "RFC 4271 §6.2: Optional Parameter not recognized -> Unsupported Optional Parameter (no data specified)",
            Default,
            open(&[3, 2, 0, 0]),
            Notify(2, 4, vec![]),
        ),
        row(
            "Multiprotocol capability of length 3",
            "RFC 4760 §8: the MP capability value is 4 octets; RFC 4271 §6.2: malformed recognized parameter -> 0",
            Default,
            open(&[2, 5, 1, 3, 0, 1, 1]),
            Notify(2, 0, vec![]),
        ),
        // =================================================== UPDATE framing, §6.3 / 7606 §3-§5
        row(
            "valid base UPDATE (control)",
            "RFC 4271 §4.3",
            Default,
            base.clone(),
            Valid,
        ),
        row(
            "Withdrawn Routes Length 100 overruns the message",
            "RFC 4271 §6.3 / RFC 7606 §3.b: W + A + 23 exceeds Length -> Malformed Attribute List",
            Default,
            update_fields(
                100,
                &[],
                20,
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                NLRI,
            ),
            Notify(3, 1, vec![]),
        ),
        row(
            "Total Path Attribute Length 200 overruns the message",
            "RFC 4271 §6.3 / RFC 7606 §3.b: W + A + 23 exceeds Length -> Malformed Attribute List",
            Default,
            update_fields(
                0,
                &[],
                200,
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                NLRI,
            ),
            Notify(3, 1, vec![]),
        ),
        row(
            "last attribute (COMMUNITIES, length 10) overruns the attribute field",
            "RFC 7606 §4: attribute length exceeds Total Attribute Length -> treat-as-withdraw",
            Default,
            base_plus(&attr_len(0xc0, COMMUNITIES, 10, &[0, 0, 0, 1])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "2 octets (flags, type 5) left in the attribute field",
            "RFC 7606 §4: fewer than three octets remain -> treat-as-withdraw (type octet is readable)",
            Default,
            base_plus(&[0x40, LOCAL_PREF]),
            Withdraw(Some(LOCAL_PREF)),
        ),
        row(
            "1 octet left in the attribute field",
            "RFC 7606 §4: fewer than three octets remain -> treat-as-withdraw (no type to name)",
            Default,
            base_plus(&[0x40]),
            Withdraw(None),
        ),
        row(
            "Extended Length flag with 3 octets left",
            "RFC 7606 §4: fewer than four octets remain with Extended Length -> treat-as-withdraw",
            Default,
            base_plus(&[0x50, COMMUNITIES, 0]),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "IPv4 NLRI prefix length 33",
            "RFC 7606 §5.3 (length > 32 is syntactically incorrect) + §3.j -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(
                &[],
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                &[33, 10, 0, 0, 0, 0],
            ),
            Notify(3, 10, vec![]),
        ),
        row(
            "IPv4 NLRI /24 with only 2 address octets",
            "RFC 7606 §5.3 (last NLRI exceeds the field) + §3.j -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(
                &[],
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                &[24, 198, 51],
            ),
            Notify(3, 10, vec![]),
        ),
        row(
            "withdrawn prefix length 33",
            "RFC 7606 §3.i: Withdrawn Routes checked like NLRI; §5.3 -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(&[33, 10, 0, 0, 0, 0], &[], &[]),
            Notify(3, 10, vec![]),
        ),
        row(
            "ADD-PATH NLRI with a 3-octet path identifier",
            "RFC 7911 §3 NLRI format; RFC 7606 §5.3 (last NLRI exceeds the field) -> RFC 4271 §6.3 Invalid Network Field",
            AddPath,
            update(&[], &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(), &[0, 0, 0]),
            Notify(3, 10, vec![]),
        ),
        row(
            "ADD-PATH NLRI, well formed (control)",
            "RFC 7911 §3",
            AddPath,
            update(
                &[],
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                &[0, 0, 0, 1, 24, 198, 51, 100],
            ),
            Valid,
        ),
        row(
            "UPDATE with only withdrawn routes, no attributes",
            "RFC 4271 §4.3/§5: well-known mandatory attributes are needed only with NLRI",
            Default,
            update(NLRI, &[], &[]),
            Valid,
        ),
        row(
            "empty UPDATE (IPv4 End-of-RIB)",
            "RFC 4724 §2; RFC 4271 §4.3",
            Default,
            update(&[], &[], &[]),
            Valid,
        ),
        // =============================================================== attributes, 7606 §7
        row(
            "ORIGIN value 3",
            "RFC 7606 §7.1: undefined value -> malformed -> treat-as-withdraw",
            Default,
            upd(&[&attr(0x40, ORIGIN, &[3]), AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "ORIGIN of length 2",
            "RFC 7606 §7.1: length not 1 -> malformed -> treat-as-withdraw",
            Default,
            upd(&[&attr(0x40, ORIGIN, &[0, 0]), AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "ORIGIN with the Optional bit set (flags 0xc0)",
            "RFC 7606 §3.c: O/T bits conflict -> malformed -> treat-as-withdraw (§3.e, §7.1)",
            Default,
            upd(&[&attr(0xc0, ORIGIN, &[0]), AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "AS_PATH segment overrun (count 2, one AS)",
            "RFC 7606 §7.2: Path Segment Length exceeds the Attribute Length -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                &attr(0x40, AS_PATH, &[2, 2, 0, 0, 0xfd, 0xe9]),
                NEXT_HOP,
            ]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "AS_PATH segment of length zero",
            "RFC 7606 §7.2: a Path Segment Length of zero -> malformed -> treat-as-withdraw",
            Default,
            upd(&[ORIGIN_IGP, &attr(0x40, AS_PATH, &[2, 0]), NEXT_HOP]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "AS_PATH segment type 5",
            "RFC 7606 §7.2: unrecognized segment type -> malformed -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                &attr(0x40, AS_PATH, &[5, 1, 0, 0, 0xfd, 0xe9]),
                NEXT_HOP,
            ]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "AS_PATH underrun (one octet after the last segment)",
            "RFC 7606 §7.2: only a single octet remains after the last segment -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                &attr(0x40, AS_PATH, &[2, 1, 0, 0, 0xfd, 0xe9, 2]),
                NEXT_HOP,
            ]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "NEXT_HOP of length 5",
            "RFC 7606 §7.3: length not 4 -> malformed -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                &attr(0x40, NEXT_HOP_T, &[192, 0, 2, 1, 0]),
            ]),
            Withdraw(Some(NEXT_HOP_T)),
        ),
        row(
            "MULTI_EXIT_DISC of length 3",
            "RFC 7606 §7.4: length not 4 -> malformed -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, MED, &[0, 0, 1])),
            Withdraw(Some(MED)),
        ),
        row(
            "MULTI_EXIT_DISC marked transitive (flags 0xc0)",
            "RFC 7606 §3.c: O/T bits conflict -> malformed -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, MED, &[0, 0, 0, 1])),
            Withdraw(Some(MED)),
        ),
        row(
            "LOCAL_PREF of length 2 (internal peer)",
            "RFC 7606 §7.5: from an internal neighbor, length not 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x40, LOCAL_PREF, &[0, 100])),
            Withdraw(Some(LOCAL_PREF)),
        ),
        row(
            "ATOMIC_AGGREGATE of length 1",
            "RFC 7606 §7.6: length not 0 -> malformed -> attribute discard",
            Default,
            base_plus(&attr(0x40, ATOMIC_AGG, &[0])),
            Discard(ATOMIC_AGG),
        ),
        row(
            "AGGREGATOR of length 7, 4-octet AS session",
            "RFC 7606 §7.7: length not 8 when 4-octet AS negotiated -> attribute discard",
            Default,
            base_plus(&attr(0xc0, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2])),
            Discard(AGGREGATOR),
        ),
        row(
            "AGGREGATOR of length 8, 2-octet AS session",
            "RFC 7606 §7.7: length not 6 when 4-octet AS not negotiated -> attribute discard",
            As2,
            base2_plus(&attr(0xc0, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2, 1])),
            Discard(AGGREGATOR),
        ),
        row(
            "AGGREGATOR marked non-transitive (flags 0x80)",
            "RFC 7606 §3.c: treated as malformed; §7.7/§3.f: malformed AGGREGATOR -> attribute discard (reading of 3.c's 'unless')",
            Default,
            base_plus(&attr(0x80, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2, 1])),
            Discard(AGGREGATOR),
        ),
        row(
            "COMMUNITIES of length 0",
            "RFC 7606 §7.8: not a non-zero multiple of 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, COMMUNITIES, &[])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "COMMUNITIES of length 5",
            "RFC 7606 §7.8: not a non-zero multiple of 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, COMMUNITIES, &[0xfd, 0xe9, 0, 1, 0])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "COMMUNITIES marked non-transitive (flags 0x80)",
            "RFC 7606 §3.c: O/T bits conflict (RFC 1997: optional transitive) -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, COMMUNITIES, &[0xfd, 0xe9, 0, 1])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "ORIGINATOR_ID of length 3 (internal peer)",
            "RFC 7606 §7.9: from an internal neighbor, length not 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, ORIGINATOR_ID, &[192, 0, 2])),
            Withdraw(Some(ORIGINATOR_ID)),
        ),
        row(
            "CLUSTER_LIST of length 6 (internal peer)",
            "RFC 7606 §7.10: from an internal neighbor, not a non-zero multiple of 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, CLUSTER_LIST, &[192, 0, 2, 1, 0, 0])),
            Withdraw(Some(CLUSTER_LIST)),
        ),
        row(
            "EXTENDED COMMUNITIES of length 7",
            "RFC 7606 §7.14: not a non-zero multiple of 8 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, EXT_COMM, &[0, 2, 0xfd, 0xe9, 0, 0, 1])),
            Withdraw(Some(EXT_COMM)),
        ),
        row(
            "LARGE_COMMUNITY of length 11",
            "RFC 8092 §6: not a non-zero multiple of 12 -> treat-as-withdraw",
            Default,
            base_plus(&attr(
                0xc0,
                LARGE_COMM,
                &[0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0],
            )),
            Withdraw(Some(LARGE_COMM)),
        ),
        row(
            "AS4_PATH with a zero-length segment, 2-octet AS session",
            "RFC 6793 §6: malformed AS4_PATH from an OLD speaker -> MUST discard the attribute and continue",
            As2,
            base2_plus(&attr(0xc0, AS4_PATH, &[2, 0])),
            Discard(AS4_PATH),
        ),
        row(
            "AS4_AGGREGATOR of length 7, 2-octet AS session",
            "RFC 6793 §6: malformed AS4_AGGREGATOR (length not 8) -> MUST discard the attribute and continue",
            As2,
            base2_plus(&attr(0xc0, AS4_AGG, &[0, 0, 0xfd, 0xe9, 192, 0, 2])),
            Discard(AS4_AGG),
        ),
        row(
            "well-formed AS4_PATH in a 4-octet AS session",
            "RFC 6793 §6 (and §4.1): AS4_PATH from a NEW speaker -> MUST discard the path attribute and continue",
            Default,
            base_plus(&attr(0xc0, AS4_PATH, &[2, 1, 0, 0, 0xfd, 0xe9])),
            Discard(AS4_PATH),
        ),
        row(
            "unrecognized well-known attribute type 99 (flags 0x40)",
            "RFC 4271 §6.3: Unrecognized Well-known Attribute, data = the attribute; not revised by RFC 7606",
            Default,
            base_plus(&attr(0x40, 99, &[0])),
            Notify(3, 2, vec![0x40, 99, 1, 0]),
        ),
        row(
            "ORIGIN twice (IGP, then EGP)",
            "RFC 7606 §3.g: occurrences other than the first SHALL be discarded, processing continues",
            Default,
            base_plus(&attr(0x40, ORIGIN, &[1])),
            Discard(ORIGIN),
        ),
        row(
            "COMMUNITIES twice",
            "RFC 7606 §3.g: occurrences other than the first SHALL be discarded, processing continues",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                NEXT_HOP,
                &attr(0xc0, COMMUNITIES, &[0xfd, 0xe9, 0, 1]),
                &attr(0xc0, COMMUNITIES, &[0xfd, 0xe9, 0, 2]),
            ]),
            Discard(COMMUNITIES),
        ),
        // ====================================================== missing attributes, 7606 §3.d
        row(
            "ORIGIN missing, IPv4 NLRI present",
            "RFC 7606 §3.d: a well-known mandatory attribute not present -> treat-as-withdraw",
            Default,
            upd(&[AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "AS_PATH missing, IPv4 NLRI present",
            "RFC 7606 §3.d: a well-known mandatory attribute not present -> treat-as-withdraw",
            Default,
            upd(&[ORIGIN_IGP, NEXT_HOP]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "NEXT_HOP missing, IPv4 NLRI present",
            "RFC 7606 §3.d: a well-known mandatory attribute not present -> treat-as-withdraw",
            Default,
            upd(&[ORIGIN_IGP, AS_PATH_4]),
            Withdraw(Some(NEXT_HOP_T)),
        ),
        row(
            "NEXT_HOP missing, routes only in MP_REACH_NLRI",
            "RFC 4760 §3: such an UPDATE SHOULD NOT carry NEXT_HOP; RFC 7606 §3.d note: NEXT_HOP is effectively discretionary",
            Default,
            mp_update(&mp_reach_ok()),
            Valid,
        ),
        // ===================================================== MP_REACH / MP_UNREACH, RFC 4760
        row(
            "MP_REACH_NLRI IPv6 with next hop length 5",
            "RFC 7606 §7.11: Next Hop length inconsistent -> session reset; RFC 4760 §7: 3/9, data = the attribute",
            Default,
            mp_update(&attr(
                0x80,
                MP_REACH,
                &mp_reach_v6(&[0x20, 1, 0xd, 0xb8, 0], NLRI_V6),
            )),
            Notify(
                3,
                9,
                attr(
                    0x80,
                    MP_REACH,
                    &mp_reach_v6(&[0x20, 1, 0xd, 0xb8, 0], NLRI_V6),
                ),
            ),
        ),
        row(
            "MP_REACH_NLRI ends before the reserved octet",
            "RFC 7606 §5.3: MP_REACH shorter than its fixed fields -> session reset; RFC 4760 §7: 3/9 + attribute",
            Default,
            mp_update(&attr(0x80, MP_REACH, &[&[0, 2, 1, 16][..], NH_V6].concat())),
            Notify(
                3,
                9,
                attr(0x80, MP_REACH, &[&[0, 2, 1, 16][..], NH_V6].concat()),
            ),
        ),
        row(
            "MP_REACH_NLRI with an IPv6 prefix length 129",
            "RFC 7606 §5.3: IPv6 NLRI longer than 128 -> incorrect -> session reset (§3.j); RFC 4760 §7: SHOULD be 3/9 + attribute",
            Default,
            mp_update(&attr(0x80, MP_REACH, &mp_reach_v6(NH_V6, &[129; 18]))),
            Notify(3, 9, attr(0x80, MP_REACH, &mp_reach_v6(NH_V6, &[129; 18]))),
        ),
        row(
            "MP_UNREACH_NLRI whose last IPv6 prefix (/64) has 2 octets",
            "RFC 7606 §5.3: last NLRI exceeds the attribute -> incorrect -> session reset; RFC 4760 §7: 3/9 + attribute",
            Default,
            update(
                &[],
                &attr(0x80, MP_UNREACH, &[0, 2, 1, 64, 0x20, 0x01]),
                &[],
            ),
            Notify(3, 9, attr(0x80, MP_UNREACH, &[0, 2, 1, 64, 0x20, 0x01])),
        ),
        row(
            "MP_UNREACH_NLRI of length 2",
            "RFC 7606 §5.3: MP_UNREACH length less than 3 -> session reset; RFC 4760 §7: 3/9 + attribute",
            Default,
            update(&[], &attr(0x80, MP_UNREACH, &[0, 2]), &[]),
            Notify(3, 9, attr(0x80, MP_UNREACH, &[0, 2])),
        ),
        row(
            "MP_REACH_NLRI twice",
            "RFC 7606 §3.g: MP_REACH more than once -> NOTIFICATION Malformed Attribute List (no data specified)",
            Default,
            mp_update(&[mp_reach_ok(), mp_reach_ok()].concat()),
            Notify(3, 1, vec![]),
        ),
        row(
            "MP_UNREACH_NLRI twice",
            "RFC 7606 §3.g: MP_UNREACH more than once -> NOTIFICATION Malformed Attribute List (no data specified)",
            Default,
            update(
                &[],
                &[
                    attr(0x80, MP_UNREACH, &[0, 2, 1]),
                    attr(0x80, MP_UNREACH, &[0, 2, 1]),
                ]
                .concat(),
                &[],
            ),
            Notify(3, 1, vec![]),
        ),
        row(
            "MP_REACH_NLRI marked transitive (flags 0xc0)",
            "RFC 7606 §5.3: flags inconsistent with RFC 4760 -> session reset; RFC 4271 §6.3: Attribute Flags Error + attribute",
            Default,
            mp_update(&attr(0xc0, MP_REACH, &mp_reach_v6(NH_V6, NLRI_V6))),
            Notify(3, 4, attr(0xc0, MP_REACH, &mp_reach_v6(NH_V6, NLRI_V6))),
        ),
        row(
            "MP_REACH_NLRI length overruns the attribute field",
            "RFC 7606 §3.j: TaW needs MP_REACH parsed, else session reset (§4's TaW yields to the stronger); subcode unfixed",
            Default,
            mp_update(&attr_len(0x80, MP_REACH, 40, &mp_reach_v6(NH_V6, NLRI_V6))),
            ResetUpdate,
        ),
        // ======================================================== several errors, 7606 §3.h
        row(
            "ATOMIC_AGGREGATE length 1 (discard), then MED length 3 (withdraw)",
            "RFC 7606 §3.h: different approaches -> the strongest, treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                NEXT_HOP,
                &attr(0x40, ATOMIC_AGG, &[0]),
                &attr(0x80, MED, &[0, 0, 1]),
            ]),
            Withdraw(Some(MED)),
        ),
        row(
            "MED length 3 (withdraw), then AGGREGATOR length 7 (discard)",
            "RFC 7606 §3.h: different approaches -> the strongest, treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                NEXT_HOP,
                &attr(0x80, MED, &[0, 0, 1]),
                &attr(0xc0, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2]),
            ]),
            Withdraw(Some(MED)),
        ),
        row(
            "MED length 3 (withdraw) and NLRI prefix length 33 (reset)",
            "RFC 7606 §3.h: the strongest -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(
                &[],
                &[
                    ORIGIN_IGP,
                    AS_PATH_4,
                    NEXT_HOP,
                    &attr(0x80, MED, &[0, 0, 1]),
                ]
                .concat(),
                &[33, 10, 0, 0, 0, 0],
            ),
            Notify(3, 10, vec![]),
        ),
        // ============================================== no reachable NLRI, RFC 7606 §5.2
        row(
            "MED length 3 in an UPDATE with attributes and no NLRI",
            "RFC 7606 §5.2: attributes, no reachable NLRI, error other than discard -> session reset; RFC 4271 §6.3 3/5 + attribute",
            Default,
            update(
                &[],
                &[
                    ORIGIN_IGP,
                    AS_PATH_4,
                    NEXT_HOP,
                    &attr(0x80, MED, &[0, 0, 1]),
                ]
                .concat(),
                &[],
            ),
            Notify(3, 5, attr(0x80, MED, &[0, 0, 1])),
        ),
        row(
            "ATOMIC_AGGREGATE length 1 in an UPDATE with attributes and no NLRI",
            "RFC 7606 §5.2: only 'attribute discard' errors -> no session reset; §7.6 attribute discard",
            Default,
            update(
                &[],
                &[
                    ORIGIN_IGP,
                    AS_PATH_4,
                    NEXT_HOP,
                    &attr(0x40, ATOMIC_AGG, &[0]),
                ]
                .concat(),
                &[],
            ),
            Discard(ATOMIC_AGG),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running the table.
// ---------------------------------------------------------------------------------------------

/// Checks one row; `Err` describes the disagreement.
fn check(case: &Case) -> Result<(), String> {
    let cx = case.cx.context();
    let got = decode(&case.bytes, &cx);
    let decoded = match (&case.expect, got) {
        (Notify(code, subcode, data), Err(n)) => {
            if (n.code, n.subcode, &n.data) == (*code, *subcode, data) {
                return Ok(());
            }
            return Err(format!(
                "want NOTIFICATION {code}/{subcode} data {}, got {}/{} data {}",
                hex::encode(data),
                n.code,
                n.subcode,
                hex::encode(&n.data)
            ));
        }
        (ResetUpdate, Err(n)) if n.code == 3 => return Ok(()),
        (want, Err(n)) => {
            return Err(format!(
                "want {want:?}, got NOTIFICATION {}/{} data {}",
                n.code,
                n.subcode,
                hex::encode(&n.data)
            ));
        }
        (want @ (Notify(..) | ResetUpdate), Ok(d)) => {
            return Err(format!(
                "want {want:?}, got a decoded {:?} with rfc7606 {:?}",
                d.message.message_type(),
                d.rfc7606
            ));
        }
        (_, Ok(d)) => d,
    };
    let want = match &case.expect {
        Withdraw(a) => Some((Action::TreatAsWithdraw, *a)),
        Discard(a) => Some((Action::AttributeDiscard, Some(*a))),
        _ => None,
    };
    let got = decoded.rfc7606.map(|r| (r.action, r.attribute));
    if got != want {
        return Err(format!(
            "want {:?}, got rfc7606 {:?}",
            case.expect, decoded.rfc7606
        ));
    }
    if want.is_some() && !matches!(decoded.message, Message::Update(_)) {
        return Err(format!("RFC 7606 outcome on a {:?}", decoded.message));
    }
    match decoded.message.to_vec(&cx) {
        Ok(again) if again == case.bytes => Ok(()),
        Ok(again) => Err(format!(
            "re-encoding differs:\n      in  {}\n      out {}",
            hex::encode(&case.bytes),
            hex::encode(again)
        )),
        Err(e) => Err(format!("re-encoding failed: {e}")),
    }
}

#[test]
fn malformed_messages_get_the_rfc_answer() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut report = String::new();
    let mut failed = 0;
    for (i, case) in cases.iter().enumerate() {
        match check(case) {
            Ok(()) => writeln!(report, "ok   {:2} {}", i + 1, case.name).unwrap(),
            Err(why) => {
                failed += 1;
                writeln!(
                    report,
                    "FAIL {:2} {} [{:?}]\n      {}\n      {}\n      bytes {}",
                    i + 1,
                    case.name,
                    case.cx,
                    case.rfc,
                    why,
                    hex::encode(&case.bytes)
                )
                .unwrap();
            }
        }
    }
    println!("{report}");
    println!(
        "{} cases, {} pass, {failed} fail",
        cases.len(),
        cases.len() - failed
    );
    assert_eq!(
        failed,
        0,
        "{failed} of {} rows disagree with the RFCs:\n{report}",
        cases.len()
    );
}

/// RFC 7606 §3.g: "all the occurrences of the attribute other than the first one SHALL be
/// discarded": the first ORIGIN (IGP) is the one in force, the second (EGP) is kept raw only.
#[test]
fn duplicate_attribute_keeps_the_first() {
    let cx = Context::default();
    let d = decode(&base_plus(&attr(0x40, ORIGIN, &[1])), &cx).unwrap();
    let Message::Update(u) = d.message else {
        panic!("not an UPDATE");
    };
    assert_eq!(
        u.attribute(ORIGIN),
        Some(&bgp_wire::AttributeValue::Origin(
            bgp_wire::attribute::Origin::Igp
        ))
    );
}
