//! pcap files of Ethernet frames (`--capture DIR`: `DIR/<cable>.pcap`), readable by tshark,
//! Wireshark and tcpdump: what the model carried on a cable, 802.1Q tags included.
//!
//! ```
//! use dataplane::pcap::PcapWriter;
//! use std::time::Duration;
//!
//! let mut pcap = PcapWriter::new(Vec::new()).unwrap();
//! let frame = [0u8; 60]; // an Ethernet frame, from its destination MAC on, without the FCS
//! pcap.write_frame(Duration::from_micros(1_700_000_000_250_000), &frame).unwrap();
//! let bytes = pcap.into_inner();
//! assert_eq!(bytes.len(), 24 + 16 + 60);
//! assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1]); // little-endian, microseconds
//! ```
//!
//! The classic libpcap format (a 24-octet file header, then a 16-octet header per record),
//! little-endian, microsecond timestamps, link type `LINKTYPE_ETHERNET` (1). Written by hand
//! rather than with the `pcap-file` crate: the format is these two headers, and that crate has
//! had no stable release since 2.0 (its 3.0 is a release candidate).
//!
//! Not here: pcapng, reading, or deciding what crossed a cable (the model does).

use std::io::{self, Write};
use std::time::Duration;

/// The file magic for microsecond timestamps, written little-endian.
pub const MAGIC_MICROSECONDS: u32 = 0xa1b2_c3d4;
/// `LINKTYPE_ETHERNET`: frames from the destination MAC address on.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// The largest frame kept whole; longer ones are truncated (their original length is kept).
pub const SNAPLEN: u32 = 262_144;

/// Writes a pcap file into `W` (a file, a `Vec<u8>` …).
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&MAGIC_MICROSECONDS.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes()); // version 2.4
        header[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone and sigfigs: 0 (timestamps are UTC).
        header[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
        header[20..24].copy_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        out.write_all(&header)?;
        Ok(PcapWriter { out })
    }

    /// Appends one Ethernet frame (without its FCS) seen at `time` since the Unix epoch (the
    /// virtual clock's or the wall clock's). Seconds past 2106 saturate.
    pub fn write_frame(&mut self, time: Duration, frame: &[u8]) -> io::Result<()> {
        let original = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        let kept = frame.get(..SNAPLEN as usize).unwrap_or(frame);
        let mut header = [0u8; 16];
        let seconds = u32::try_from(time.as_secs()).unwrap_or(u32::MAX);
        header[0..4].copy_from_slice(&seconds.to_le_bytes());
        header[4..8].copy_from_slice(&time.subsec_micros().to_le_bytes());
        header[8..12].copy_from_slice(&(kept.len() as u32).to_le_bytes());
        header[12..16].copy_from_slice(&original.to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(kept)
    }

    /// Flushes what was written.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_the_classic_format() {
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        w.write_frame(Duration::new(0x0102_0304, 5_000_999), &[0xaa; 3])
            .unwrap();
        let b = w.into_inner();
        assert_eq!(
            b[..24],
            [
                0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0
            ]
        );
        assert_eq!(
            b[24..],
            [
                4, 3, 2, 1, 0x88, 0x13, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0xaa, 0xaa, 0xaa
            ]
        );
    }

    #[test]
    fn a_frame_over_the_snaplen_is_truncated_with_its_length_kept() {
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        let big = vec![0u8; SNAPLEN as usize + 10];
        w.write_frame(Duration::ZERO, &big).unwrap();
        let b = w.into_inner();
        assert_eq!(b[32..36], SNAPLEN.to_le_bytes());
        assert_eq!(b[36..40], (SNAPLEN + 10).to_le_bytes());
        assert_eq!(b.len(), 24 + 16 + SNAPLEN as usize);
    }
}
