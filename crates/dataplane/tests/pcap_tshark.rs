//! pcap files from `dataplane::pcap`, read back by Debian's tshark: the frames, their 802.1Q
//! VLAN IDs, addresses and timestamps come back as written.

use dataplane::pcap::PcapWriter;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TSHARK: &str = "/usr/bin/tshark";
const PROVIDER_MAC: [u8; 6] = [0x02, 0x00, 0x5c, 0xa1, 0xe0, 0x01];
const ROUTER_MAC: [u8; 6] = [0x02, 0x00, 0x5c, 0xa1, 0xe0, 0x02];

/// An Ethernet frame with an optional 802.1Q tag around `payload` of `ethertype`.
fn ethernet(vlan: Option<u16>, ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&PROVIDER_MAC);
    f.extend_from_slice(&ROUTER_MAC);
    if let Some(vlan) = vlan {
        f.extend_from_slice(&0x8100u16.to_be_bytes());
        f.extend_from_slice(&vlan.to_be_bytes()); // PCP 0, DEI 0
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    while f.len() < 60 {
        f.push(0);
    }
    f
}

fn checksum(bytes: &[u8]) -> u16 {
    let mut sum = 0u32;
    for pair in bytes.chunks(2) {
        let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An IPv4 ICMP echo request.
fn icmp_echo(src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
    let icmp = {
        let mut m = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1, b'p', b'l'];
        let c = checksum(&m);
        m[2..4].copy_from_slice(&c.to_be_bytes());
        m
    };
    let mut ip = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 1, 0, 0];
    let total = u16::try_from(20 + icmp.len()).unwrap();
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    ip.extend_from_slice(&icmp);
    ip
}

/// An IPv6 packet carrying a TCP SYN to port 179.
fn tcp_syn_v6(src: Ipv6Addr, dst: Ipv6Addr) -> Vec<u8> {
    let tcp = [
        0xc3, 0x50, 0, 179, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
    ];
    let mut ip = vec![0x60, 0, 0, 0, 0, 20, 6, 64];
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    ip.extend_from_slice(&tcp);
    ip
}

struct Sent {
    time: Duration,
    vlan: Option<u16>,
    src: IpAddr,
    dst: IpAddr,
    frame: Vec<u8>,
}

fn sample() -> Vec<Sent> {
    let base = Duration::from_secs(1_700_000_000);
    let v4 = |s: &str| s.parse::<Ipv4Addr>().unwrap();
    let v6 = |s: &str| s.parse::<Ipv6Addr>().unwrap();
    let mut sent = Vec::new();
    for (i, (vlan, src, dst)) in [
        (Some(2001), "10.1.0.10", "172.16.4.10"),
        (Some(2002), "172.16.4.10", "10.1.0.10"),
        (None, "169.254.0.1", "169.254.0.0"),
    ]
    .into_iter()
    .enumerate()
    {
        let frame = ethernet(vlan, 0x0800, &icmp_echo(v4(src), v4(dst)));
        sent.push(Sent {
            time: base + Duration::from_micros(10_000 * i as u64 + 7),
            vlan,
            src: v4(src).into(),
            dst: v4(dst).into(),
            frame,
        });
    }
    let (src, dst) = (v6("fd12:876::1"), v6("fd12:876::"));
    sent.push(Sent {
        time: base + Duration::from_secs(2),
        vlan: Some(3899),
        src: src.into(),
        dst: dst.into(),
        frame: ethernet(Some(3899), 0x86dd, &tcp_syn_v6(src, dst)),
    });
    sent
}

#[test]
fn tshark_reads_vlans_addresses_and_times() {
    assert!(
        Path::new(TSHARK).is_file(),
        "{TSHARK} is missing: install it with `apt-get install -y tshark`"
    );
    let sent = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("onprem-dc2-xconnect.pcap");
    let mut pcap = PcapWriter::new(std::fs::File::create(&path).unwrap()).unwrap();
    for s in &sent {
        pcap.write_frame(s.time, &s.frame).unwrap();
    }
    pcap.flush().unwrap();
    drop(pcap);

    let out = Command::new(TSHARK)
        .args(["-n", "-r"])
        .arg(&path)
        .args(["-T", "fields", "-E", "separator=|", "-E", "occurrence=f"])
        .args(["-e", "frame.time_epoch", "-e", "frame.len", "-e", "vlan.id"])
        .args([
            "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
        ])
        .args(["-e", "_ws.col.Protocol"])
        .output()
        .unwrap();
    assert!(out.status.success(), "tshark: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('|').collect()).collect();
    assert_eq!(lines.len(), sent.len(), "{text}");
    for (fields, s) in lines.iter().zip(&sent) {
        let want_time = format!("{}.{:06}", s.time.as_secs(), s.time.subsec_micros());
        assert!(
            fields[0].starts_with(&want_time),
            "{fields:?} vs {want_time}"
        );
        assert_eq!(fields[1], s.frame.len().to_string(), "{fields:?}");
        let vlan = s.vlan.map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(fields[2], vlan, "{fields:?}");
        let (src, dst) = match s.src {
            IpAddr::V4(_) => (fields[3], fields[4]),
            IpAddr::V6(_) => (fields[5], fields[6]),
        };
        assert_eq!(src, s.src.to_string(), "{fields:?}");
        assert_eq!(dst, s.dst.to_string(), "{fields:?}");
        let protocol = if s.src.is_ipv4() { "ICMP" } else { "TCP" };
        assert_eq!(fields[7], protocol, "{fields:?}");
    }
}
