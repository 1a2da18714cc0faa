//! Writes the fuzz targets' seed corpora: `cargo run --example make_seeds -- [SEEDS] [GOLDEN]`
//! (from fuzz/; defaults `seeds` and `../crates/bgp-wire/tests/golden`). scripts/fuzz.sh runs it.
//!
//! Each seed is the context byte (see fuzz_targets/common.rs; 0 = default 4-octet context)
//! followed by, for `message`, the whole message, and for the per-type targets, its body. The
//! messages are built with the bgp_wire encoder under several contexts (`built-*`), and read
//! from the golden vectors `GOLDEN/*.hex` when there are any (`golden-<file>-<n>`: lines that
//! are not `# ` comments are hex of whole messages; each gets the first context under which it
//! decodes cleanly, trying the 2-octet AS ones first for a file whose header says "2-octet AS",
//! else that file's first context, 1 or 0). The output is deterministic: SEEDS is rewritten whole.

use bgp_wire::attribute::{
    Aggregator, AsPath, AsSegment, Community, ExtendedCommunity, LargeCommunity, MpReachNlri,
    MpUnreachNlri, NextHop, Origin, flags,
};
use bgp_wire::capability::{AddPathFamily, GracefulRestart, GracefulRestartFamily, Multiprotocol};
use bgp_wire::header::{HEADER_LEN, message_type};
use bgp_wire::{
    AddPath, Afi, AttributeValue, Capability, Context, Message, Nlri, Notification, Open,
    OptionalParameter, PathAttribute, RouteRefresh, Safi, Update, decode,
};
use std::fs;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

const TARGETS: [&str; 6] = [
    "open",
    "update",
    "notification",
    "route_refresh",
    "keepalive",
    "message",
];

/// The inverse of the targets' `context(byte)`.
fn context_byte(cx: &Context) -> u8 {
    u8::from(!cx.four_octet_as)
        | u8::from(cx.add_path.ipv4) << 1
        | u8::from(cx.add_path.ipv6) << 2
        | u8::from(cx.extended_message) << 3
}

fn context(b: u8) -> Context {
    Context {
        four_octet_as: b & 1 == 0,
        add_path: AddPath {
            ipv4: b & 2 != 0,
            ipv6: b & 4 != 0,
        },
        extended_message: b & 8 != 0,
    }
}

fn target_of(message_type: u8) -> Option<&'static str> {
    Some(match message_type {
        message_type::OPEN => "open",
        message_type::UPDATE => "update",
        message_type::NOTIFICATION => "notification",
        message_type::KEEPALIVE => "keepalive",
        message_type::ROUTE_REFRESH => "route_refresh",
        _ => return None,
    })
}

struct Seeds {
    dir: PathBuf,
    count: usize,
}

impl Seeds {
    /// Writes one whole message as a seed of `message` and of its type's target.
    fn add(&mut self, name: &str, cx_byte: u8, message: &[u8]) {
        let write = |target: &str, payload: &[u8]| {
            let mut bytes = vec![cx_byte];
            bytes.extend_from_slice(payload);
            fs::write(self.dir.join(target).join(name), bytes).expect("write seed");
        };
        write("message", message);
        if let Some(target) = message.get(18).and_then(|&t| target_of(t)) {
            write(target, &message[HEADER_LEN.min(message.len())..]);
        }
        self.count += 1;
    }

    fn built(&mut self, name: &str, cx: Context, m: Message) {
        let bytes = m
            .to_vec(&cx)
            .unwrap_or_else(|e| panic!("seed {name} does not encode: {e}"));
        // A seed that does not round-trip would be a crash before fuzzing starts.
        let again = decode(&bytes, &cx).map(|d| d.message.to_vec(&cx));
        assert!(
            matches!(&again, Ok(Ok(b)) if *b == bytes),
            "seed {name} does not round-trip: {again:?}"
        );
        self.add(&format!("built-{name}"), context_byte(&cx), &bytes);
    }
}

fn v4(s: &str) -> Nlri {
    Nlri::new(s.parse().unwrap())
}

fn with_id(id: u32, s: &str) -> Nlri {
    Nlri {
        path_id: Some(id),
        prefix: s.parse().unwrap(),
    }
}

fn attr(value: AttributeValue) -> PathAttribute {
    PathAttribute::new(value)
}

fn ip4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn ip6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn open(parameters: Vec<OptionalParameter>, extended: bool) -> Message {
    Message::Open(Open {
        my_as: bgp_wire::AS_TRANS,
        hold_time: 90,
        bgp_identifier: ip4("192.0.2.1"),
        parameters,
        extended_parameters_length: extended,
    })
}

fn built_seeds(seeds: &mut Seeds) {
    let default = Context::default();
    let two_octet = context(1);
    let add_path_v4 = context(2);
    let add_path_v6 = context(4);
    let extended = context(8);
    let family = |afi, safi| {
        Capability::Multiprotocol(Multiprotocol {
            afi,
            reserved: 0,
            safi,
        })
    };

    // OPEN
    let caps = vec![
        family(Afi::IPV4, Safi::UNICAST),
        family(Afi::IPV6, Safi::UNICAST),
        Capability::RouteRefresh,
        Capability::EnhancedRouteRefresh,
        Capability::ExtendedMessage,
        Capability::FourOctetAs(4_200_000_001),
        Capability::AddPath(vec![
            AddPathFamily {
                afi: Afi::IPV4,
                safi: Safi::UNICAST,
                send_receive: 3,
            },
            AddPathFamily {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                send_receive: 1,
            },
        ]),
        Capability::GracefulRestart(GracefulRestart {
            flags: 8,
            restart_time: 120,
            families: vec![GracefulRestartFamily {
                afi: Afi::IPV4,
                safi: Safi::UNICAST,
                flags: 0x80,
            }],
        }),
        // FQDN (73), unknown to the crate.
        Capability::Unknown {
            code: 73,
            value: b"\x04peer\x07example".to_vec(),
        },
    ];
    seeds.built(
        "open-all-capabilities",
        default,
        open(vec![OptionalParameter::Capabilities(caps.clone())], false),
    );
    seeds.built(
        "open-one-parameter-each",
        default,
        open(
            caps.iter()
                .map(|c| OptionalParameter::Capabilities(vec![c.clone()]))
                .collect(),
            false,
        ),
    );
    seeds.built(
        "open-extended-parameters",
        default,
        open(vec![OptionalParameter::Capabilities(caps)], true),
    );
    seeds.built("open-no-parameters", default, open(vec![], false));

    // UPDATE
    let full = Update {
        withdrawn: vec![v4("198.51.100.0/24")],
        attributes: vec![
            attr(AttributeValue::Origin(Origin::Igp)),
            attr(AttributeValue::AsPath(AsPath(vec![
                AsSegment::Sequence(vec![65001, 4_200_000_001]),
                AsSegment::Set(vec![65010, 65011]),
            ]))),
            attr(AttributeValue::NextHop(ip4("192.0.2.1"))),
            attr(AttributeValue::MultiExitDisc(10)),
            attr(AttributeValue::LocalPref(100)),
            attr(AttributeValue::AtomicAggregate),
            attr(AttributeValue::Aggregator(Aggregator {
                asn: 65001,
                address: ip4("192.0.2.1"),
            })),
            attr(AttributeValue::Communities(vec![
                Community(0xfde8_0064),
                Community::NO_EXPORT,
            ])),
            attr(AttributeValue::OriginatorId(ip4("192.0.2.9"))),
            attr(AttributeValue::ClusterList(vec![ip4("192.0.2.10")])),
            attr(AttributeValue::ExtendedCommunities(vec![
                ExtendedCommunity([0, 2, 0xfd, 0xe8, 0, 0, 1, 0x2c]),
            ])),
            attr(AttributeValue::LargeCommunities(vec![LargeCommunity([
                4_200_000_001,
                1,
                2,
            ])])),
            PathAttribute {
                flags: Some(flags::OPTIONAL | flags::TRANSITIVE | flags::PARTIAL),
                value: AttributeValue::Unknown {
                    type_code: 99,
                    value: vec![1, 2, 3],
                },
            },
        ],
        unparsed_attributes: vec![],
        nlri: vec![v4("203.0.113.0/24"), v4("10.0.0.0/8"), v4("0.0.0.0/0")],
    };
    seeds.built("update-ipv4-all-attributes", default, Message::Update(full));

    let basic = || {
        vec![
            attr(AttributeValue::Origin(Origin::Incomplete)),
            attr(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![65001, 23456],
            )]))),
            attr(AttributeValue::NextHop(ip4("192.0.2.1"))),
        ]
    };
    let mut as4 = basic();
    as4.push(attr(AttributeValue::Aggregator(Aggregator {
        asn: 23456,
        address: ip4("192.0.2.1"),
    })));
    as4.push(attr(AttributeValue::As4Path(AsPath(vec![
        AsSegment::Sequence(vec![65001, 4_200_000_001]),
    ]))));
    as4.push(attr(AttributeValue::As4Aggregator(Aggregator {
        asn: 4_200_000_001,
        address: ip4("192.0.2.1"),
    })));
    seeds.built(
        "update-two-octet-as4",
        two_octet,
        Message::Update(Update {
            attributes: as4,
            nlri: vec![v4("203.0.113.0/24")],
            ..Update::default()
        }),
    );
    seeds.built(
        "update-add-path-ipv4",
        add_path_v4,
        Message::Update(Update {
            withdrawn: vec![with_id(7, "198.51.100.0/24")],
            attributes: basic(),
            nlri: vec![with_id(1, "203.0.113.0/24"), with_id(2, "203.0.113.0/24")],
            ..Update::default()
        }),
    );
    let mp_v6 = |cx: &Context| {
        let id = |n| cx.add_path.ipv6.then_some(n);
        Update {
            attributes: vec![
                attr(AttributeValue::Origin(Origin::Igp)),
                attr(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                    vec![65001],
                )]))),
                attr(AttributeValue::MpReachNlri(MpReachNlri {
                    afi: Afi::IPV6,
                    safi: Safi::UNICAST,
                    next_hop: NextHop::Ipv6LinkLocal([ip6("2001:db8::1"), ip6("fe80::1")]),
                    reserved: 0,
                    nlri: vec![
                        Nlri {
                            path_id: id(1),
                            prefix: "2001:db8:1::/48".parse().unwrap(),
                        },
                        Nlri {
                            path_id: id(2),
                            prefix: "2001:db8:2::/64".parse().unwrap(),
                        },
                    ],
                })),
                attr(AttributeValue::MpUnreachNlri(MpUnreachNlri {
                    afi: Afi::IPV6,
                    safi: Safi::UNICAST,
                    withdrawn: vec![Nlri {
                        path_id: id(3),
                        prefix: "2001:db8:3::/48".parse().unwrap(),
                    }],
                })),
            ],
            ..Update::default()
        }
    };
    seeds.built("update-mp-ipv6", default, Message::Update(mp_v6(&default)));
    seeds.built(
        "update-mp-ipv6-add-path",
        add_path_v6,
        Message::Update(mp_v6(&add_path_v6)),
    );
    seeds.built(
        "update-mp-ipv4-ipv6-next-hop",
        default,
        Message::Update(Update {
            attributes: vec![
                attr(AttributeValue::Origin(Origin::Igp)),
                attr(AttributeValue::AsPath(AsPath(vec![]))),
                attr(AttributeValue::MpReachNlri(MpReachNlri {
                    afi: Afi::IPV4,
                    safi: Safi::UNICAST,
                    next_hop: NextHop::Ipv6(ip6("2001:db8::1")),
                    reserved: 0,
                    nlri: vec![v4("203.0.113.0/24")],
                })),
            ],
            ..Update::default()
        }),
    );
    seeds.built(
        "update-end-of-rib-ipv4",
        default,
        Message::Update(Update::default()),
    );
    seeds.built(
        "update-end-of-rib-ipv6",
        default,
        Message::Update(Update {
            attributes: vec![attr(AttributeValue::MpUnreachNlri(MpUnreachNlri {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                withdrawn: vec![],
            }))],
            ..Update::default()
        }),
    );
    seeds.built(
        "update-withdraw",
        default,
        Message::Update(Update {
            withdrawn: vec![v4("198.51.100.0/24"), v4("10.1.0.0/16"), v4("10.1.2.3/32")],
            ..Update::default()
        }),
    );
    // RFC 7606 cases: a bad ORIGIN value (treat-as-withdraw), a repeated attribute
    // (attribute-discard), and an attribute overrunning the field (kept unparsed).
    let mut malformed = basic();
    malformed[0] = attr(AttributeValue::Malformed {
        type_code: 1,
        value: vec![5],
    });
    malformed.push(attr(AttributeValue::Malformed {
        type_code: 3,
        value: vec![192, 0, 2, 2],
    }));
    seeds.built(
        "update-rfc7606-malformed",
        default,
        Message::Update(Update {
            attributes: malformed,
            unparsed_attributes: vec![0x40, 0x05, 0x09, 0, 0],
            nlri: vec![v4("203.0.113.0/24")],
            ..Update::default()
        }),
    );
    seeds.built(
        "update-extended-message",
        extended,
        Message::Update(Update {
            attributes: vec![attr(AttributeValue::Unknown {
                type_code: 200,
                value: vec![0xab; 5000],
            })],
            ..Update::default()
        }),
    );

    // NOTIFICATION
    let mut shutdown = vec![13];
    shutdown.extend_from_slice(b"maintenance !");
    seeds.built(
        "notification-shutdown",
        default,
        Message::Notification(Notification::new(6, 2, shutdown)),
    );
    seeds.built(
        "notification-bad-length",
        default,
        Message::Notification(Notification::new(1, 2, [0x10, 0x01])),
    );
    seeds.built(
        "notification-hold-timer",
        default,
        Message::Notification(Notification::new(4, 0, [])),
    );

    // ROUTE-REFRESH
    for (name, subtype, afi) in [
        ("route-refresh-ipv4", 0, Afi::IPV4),
        ("route-refresh-borr-ipv6", 1, Afi::IPV6),
        ("route-refresh-eorr-ipv6", 2, Afi::IPV6),
    ] {
        seeds.built(
            name,
            default,
            Message::RouteRefresh(RouteRefresh {
                afi,
                subtype,
                safi: Safi::UNICAST,
            }),
        );
    }

    // KEEPALIVE
    seeds.built("keepalive", default, Message::Keepalive);
}

fn unhex(line: &str) -> Option<Vec<u8>> {
    let line = line.trim();
    if !line.len().is_multiple_of(2) {
        return None;
    }
    (0..line.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(line.get(i..i + 2)?, 16).ok())
        .collect()
}

fn golden_seeds(seeds: &mut Seeds, golden: &Path) -> usize {
    let Ok(entries) = fs::read_dir(golden) else {
        return 0;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "hex"))
        .collect();
    files.sort();
    let mut n = 0;
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&file).expect("read golden file");
        // A file recorded without the 4-octet AS capability says so in its header: try the
        // 2-octet contexts first.
        let two_octet = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .any(|l| l.contains("2-octet AS"));
        let order: Vec<u8> = if two_octet {
            (0u8..16).map(|b| b ^ 1).collect()
        } else {
            (0u8..16).collect()
        };
        let messages = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        for (i, line) in messages.enumerate() {
            let Some(message) = unhex(line) else {
                eprintln!("{}: line {} is not hex, skipped", file.display(), i + 1);
                continue;
            };
            let clean = order
                .iter()
                .copied()
                .find(|&b| decode(&message, &context(b)).is_ok_and(|d| d.rfc7606.is_none()));
            seeds.add(
                &format!("golden-{stem}-{i:03}"),
                clean.unwrap_or(order[0]),
                &message,
            );
            n += 1;
        }
    }
    n
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "seeds".into()));
    let golden = PathBuf::from(args.next().unwrap_or_else(|| "../crates/bgp-wire/tests/golden".into()));
    for target in TARGETS {
        let d = dir.join(target);
        if d.exists() {
            fs::remove_dir_all(&d).expect("clear seed dir");
        }
        fs::create_dir_all(&d).expect("create seed dir");
    }
    let mut seeds = Seeds { dir, count: 0 };
    built_seeds(&mut seeds);
    let built = seeds.count;
    let golden_count = golden_seeds(&mut seeds, &golden);
    println!(
        "seeds: {built} built, {golden_count} from {} into {}",
        golden.display(),
        seeds.dir.display()
    );
}
