//! What the tables share: byte builders for messages and attributes, the session [`Cx`], the
//! [`Expect`]ed answer, the [`Case`] rows, and [`run`], which checks a table row by row.

use bgp_wire::rfc7606::Action;
use bgp_wire::{AddPath, Context, Message, decode};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// Byte builders.
// ---------------------------------------------------------------------------------------------

/// A message: marker, the length field computed from `body`, type, body.
pub fn msg(message_type: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(19 + body.len()).expect("test message fits a length field");
    msg_len(message_type, len, body)
}

/// A message with an explicit (possibly wrong) length field.
pub fn msg_len(message_type: u8, len: u16, body: &[u8]) -> Vec<u8> {
    [&[0xff; 16][..], &len.to_be_bytes(), &[message_type], body].concat()
}

/// A path attribute; the length field is two octets when `flags` has Extended Length (0x10).
pub fn attr(flags: u8, type_code: u8, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(value.len()).expect("attribute value fits");
    attr_len(flags, type_code, len, value)
}

/// A path attribute with an explicit (possibly wrong) length field.
pub fn attr_len(flags: u8, type_code: u8, len: u16, value: &[u8]) -> Vec<u8> {
    let len_field = if flags & 0x10 != 0 {
        len.to_be_bytes().to_vec()
    } else {
        vec![u8::try_from(len).expect("one-octet length")]
    };
    [&[flags, type_code][..], &len_field, value].concat()
}

/// An UPDATE with explicit (possibly wrong) withdrawn-routes and total-attribute lengths.
pub fn update_fields(
    w_len: u16,
    withdrawn: &[u8],
    a_len: u16,
    attrs: &[u8],
    nlri: &[u8],
) -> Vec<u8> {
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
pub fn update(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let w = u16::try_from(withdrawn.len()).unwrap();
    let a = u16::try_from(attrs.len()).unwrap();
    update_fields(w, withdrawn, a, attrs, nlri)
}

/// An UPDATE announcing [`NLRI`] with these attributes.
pub fn upd(attrs: &[&[u8]]) -> Vec<u8> {
    update(&[], &attrs.concat(), NLRI)
}

/// The valid base UPDATE of a 4-octet AS session: ORIGIN, AS_PATH, NEXT_HOP, one /24.
pub fn base_update() -> Vec<u8> {
    upd(&[ORIGIN_IGP, AS_PATH_4, NEXT_HOP])
}

/// The base UPDATE plus one more attribute at the end.
pub fn base_plus(extra: &[u8]) -> Vec<u8> {
    upd(&[ORIGIN_IGP, AS_PATH_4, NEXT_HOP, extra])
}

/// The base UPDATE of a 2-octet AS session plus one more attribute at the end.
pub fn base2_plus(extra: &[u8]) -> Vec<u8> {
    upd(&[ORIGIN_IGP, AS_PATH_2, NEXT_HOP, extra])
}

/// An UPDATE announcing IPv6 routes in MP_REACH_NLRI only (no IPv4 NLRI, no NEXT_HOP).
pub fn mp_update(mp: &[u8]) -> Vec<u8> {
    update(&[], &[ORIGIN_IGP, AS_PATH_4, mp].concat(), &[])
}

/// An MP_REACH_NLRI value: AFI 2 (IPv6), SAFI 1, next hop length and next hop, reserved, NLRI.
pub fn mp_reach_v6(next_hop: &[u8], nlri: &[u8]) -> Vec<u8> {
    [&[0, 2, 1, next_hop.len() as u8][..], next_hop, &[0], nlri].concat()
}

/// The valid MP_REACH_NLRI attribute (optional non-transitive, 0x80) of [`mp_update`].
pub fn mp_reach_ok() -> Vec<u8> {
    attr(0x80, 14, &mp_reach_v6(NH_V6, NLRI_V6))
}

/// An OPEN with every field given, the optional parameters length included.
pub fn open_fields(version: u8, hold: u16, id: [u8; 4], opt_len: u8, params: &[u8]) -> Vec<u8> {
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
pub fn open(params: &[u8]) -> Vec<u8> {
    open_fields(4, 90, ID, params.len() as u8, params)
}

/// The same bytes with `at..at + with.len()` overwritten.
pub fn patch(mut bytes: Vec<u8>, at: usize, with: &[u8]) -> Vec<u8> {
    bytes[at..at + with.len()].copy_from_slice(with);
    bytes
}

pub const ORIGIN_IGP: &[u8] = &[0x40, 1, 1, 0];
/// AS_SEQUENCE [65001] with 4-octet AS numbers.
pub const AS_PATH_4: &[u8] = &[0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9];
/// AS_SEQUENCE [65001] with 2-octet AS numbers.
pub const AS_PATH_2: &[u8] = &[0x40, 2, 4, 2, 1, 0xfd, 0xe9];
/// NEXT_HOP 192.0.2.1.
pub const NEXT_HOP: &[u8] = &[0x40, 3, 4, 192, 0, 2, 1];
/// 198.51.100.0/24.
pub const NLRI: &[u8] = &[24, 198, 51, 100];
/// 2001:db8::1.
pub const NH_V6: &[u8] = &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// 2001:db8::/32.
pub const NLRI_V6: &[u8] = &[32, 0x20, 0x01, 0x0d, 0xb8];
/// BGP Identifier 192.0.2.1.
pub const ID: [u8; 4] = [192, 0, 2, 1];
/// Capabilities parameter: multiprotocol IPv4 unicast, 4-octet AS 65001.
pub const CAPS: &[u8] = &[2, 12, 1, 4, 0, 1, 0, 1, 65, 4, 0, 0, 0xfd, 0xe9];

/// An UPDATE of more than 4096 octets: the base attributes and 1100 /24s.
pub fn big_update() -> Vec<u8> {
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
pub fn big_open() -> Vec<u8> {
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
pub enum Cx {
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
    pub fn context(self) -> Context {
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
pub enum Expect {
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

pub use Expect::{Discard, Notify, ResetUpdate, Valid, Withdraw};

pub struct Case {
    pub name: &'static str,
    pub rfc: &'static str,
    pub cx: Cx,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

pub fn row(name: &'static str, rfc: &'static str, cx: Cx, bytes: Vec<u8>, expect: Expect) -> Case {
    Case {
        name,
        rfc,
        cx,
        bytes,
        expect,
    }
}

/// Type codes, for readability of the rows.
pub const ORIGIN: u8 = 1;
pub const AS_PATH: u8 = 2;
pub const NEXT_HOP_T: u8 = 3;
pub const MED: u8 = 4;
pub const LOCAL_PREF: u8 = 5;
pub const ATOMIC_AGG: u8 = 6;
pub const AGGREGATOR: u8 = 7;
pub const COMMUNITIES: u8 = 8;
pub const ORIGINATOR_ID: u8 = 9;
pub const CLUSTER_LIST: u8 = 10;
pub const MP_REACH: u8 = 14;
pub const MP_UNREACH: u8 = 15;
pub const EXT_COMM: u8 = 16;
pub const AS4_PATH: u8 = 17;
pub const AS4_AGG: u8 = 18;
pub const LARGE_COMM: u8 = 32;

/// Checks one row; `Err` describes the disagreement.
pub fn check(case: &Case) -> Result<(), String> {
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

/// Checks every row of a table; fails listing every row that disagrees with the RFCs.
pub fn run(cases: &[Case]) {
    assert!(!cases.is_empty(), "an empty table");
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
