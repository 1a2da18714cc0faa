//! `peerlab decode` and `peerlab encode`: hex BGP messages ⇄ JSON lines.
//!
//! The JSON is `bgp_wire`'s serde form of a message, plus a few read-only annotations
//! (`name` on NOTIFICATION, `rfc7606` and `end_of_rib` on UPDATE) that `encode` ignores.
//! `decode | encode` gives back the input bytes.

use anyhow::{Context as _, Result};
use bgp_wire::{AddPath, Context, Decoded, Message, Notification};
use serde_json::{Value, json};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

/// What the session negotiated, which changes the wire format.
#[derive(clap::Args, Debug)]
pub struct ContextArgs {
    /// Messages use 2-octet AS numbers (no 4-octet AS capability on the session).
    #[arg(long)]
    as2: bool,
    /// Families whose NLRI carry ADD-PATH path identifiers: ipv4, ipv6 or both (ipv4,ipv6).
    #[arg(long, value_delimiter = ',', value_parser = ["ipv4", "ipv6"])]
    add_path: Vec<String>,
    /// Messages may be up to 65535 octets (RFC 8654).
    #[arg(long)]
    extended_message: bool,
}

impl ContextArgs {
    fn context(&self) -> Context {
        Context {
            four_octet_as: !self.as2,
            add_path: AddPath {
                ipv4: self.add_path.iter().any(|f| f == "ipv4"),
                ipv6: self.add_path.iter().any(|f| f == "ipv6"),
            },
            extended_message: self.extended_message,
        }
    }
}

/// Arguments of `peerlab decode`.
#[derive(clap::Args, Debug)]
pub struct DecodeArgs {
    /// Files of hex messages, one per line; `-` or none reads stdin. Blank lines and lines
    /// starting with `#` are skipped.
    files: Vec<PathBuf>,
    #[command(flatten)]
    context: ContextArgs,
}

/// Arguments of `peerlab encode`.
#[derive(clap::Args, Debug)]
pub struct EncodeArgs {
    /// Files of JSON messages, one per line; `-` or none reads stdin.
    files: Vec<PathBuf>,
    #[command(flatten)]
    context: ContextArgs,
}

/// Decodes every line; returns whether all of them decoded into a message.
pub fn decode(args: &DecodeArgs) -> Result<bool> {
    let cx = args.context.context();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut all_ok = true;
    for_each_line(&args.files, |line| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let value = match parse_hex(line) {
            Err(e) => {
                all_ok = false;
                json!({ "error": { "input": e } })
            }
            Ok(bytes) => match bgp_wire::decode(&bytes, &cx) {
                Ok(decoded) => message_json(&decoded)?,
                Err(notification) => {
                    all_ok = false;
                    error_json(&notification)
                }
            },
        };
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(all_ok)
}

/// Encodes every line; returns whether all of them encoded.
pub fn encode(args: &EncodeArgs) -> Result<bool> {
    let cx = args.context.context();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut all_ok = true;
    let mut number = 0usize;
    for_each_line(&args.files, |line| {
        number += 1;
        if line.trim().is_empty() {
            return Ok(());
        }
        match encode_line(line, &cx) {
            Ok(hex) => writeln!(out, "{hex}")?,
            Err(e) => {
                all_ok = false;
                out.flush()?;
                eprintln!("peerlab encode: line {number}: {e:#}");
            }
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(all_ok)
}

fn encode_line(line: &str, cx: &Context) -> Result<String> {
    let value: Value = serde_json::from_str(line).context("not JSON")?;
    if let Some(error) = value.get("error") {
        anyhow::bail!("an error line has no message to encode ({error})");
    }
    let message: Message = serde_json::from_value(value).context("not a BGP message")?;
    Ok(hex::encode(message.to_vec(cx)?))
}

/// The JSON of a decoded message, with its read-only annotations.
fn message_json(decoded: &Decoded) -> Result<Value> {
    let mut value = serde_json::to_value(&decoded.message)?;
    let Some(object) = value.as_object_mut() else {
        return Ok(value);
    };
    match &decoded.message {
        Message::Notification(n) => {
            object.insert("name".into(), n.name().into());
            if let Some(text) = n.shutdown_communication() {
                object.insert("shutdown_communication".into(), text.into());
            }
        }
        Message::Update(update) => {
            if let Some((afi, safi)) = update.end_of_rib() {
                object.insert("end_of_rib".into(), format!("{afi} {safi}").into());
            }
            if let Some(outcome) = decoded.rfc7606 {
                let mut o = serde_json::to_value(outcome)?;
                if let (Some(map), Some(code)) = (o.as_object_mut(), outcome.attribute) {
                    map.insert("attribute_name".into(), attribute_name(code).into());
                }
                object.insert("rfc7606".into(), o);
            }
        }
        _ => {}
    }
    Ok(value)
}

/// The line of a message that ends the session: the NOTIFICATION the receiver sends.
fn error_json(n: &Notification) -> Value {
    json!({ "error": {
        "code": n.code,
        "subcode": n.subcode,
        "name": n.name(),
        "data": hex::encode(&n.data),
    }})
}

fn attribute_name(code: u8) -> String {
    bgp_wire::attribute::type_code::name(code)
        .map_or_else(|| format!("type {code}"), str::to_string)
}

/// Hex text to bytes; spaces and colons between digits are allowed.
fn parse_hex(line: &str) -> Result<Vec<u8>, String> {
    let digits: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    hex::decode(&digits).map_err(|e| format!("not hexadecimal: {e}"))
}

/// Calls `f` with every line of the files, or of stdin when there are none (or for `-`).
fn for_each_line(files: &[PathBuf], mut f: impl FnMut(&str) -> Result<()>) -> Result<()> {
    let stdin = [PathBuf::from("-")];
    let files = if files.is_empty() { &stdin[..] } else { files };
    let mut line = String::new();
    for path in files {
        let mut reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(io::stdin().lock())
        } else {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            Box::new(BufReader::new(file))
        };
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                break;
            }
            f(line.trim_end_matches(['\n', '\r']))?;
        }
    }
    Ok(())
}
