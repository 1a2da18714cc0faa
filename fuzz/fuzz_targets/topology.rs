//! The topology file parser (`topology::format::parse`, what `peerlab up` reads): any UTF-8
//! text gives a topology or a one-line `FormatError` of the documented shape,
//! `fuzzed.toml:LINE: what`, with LINE inside the text. Nothing may panic. Seeds: the real
//! files of `topologies/` (scripts/fuzz.sh passes that directory).
#![no_main]

use libfuzzer_sys::fuzz_target;

const PATH: &str = "fuzzed.toml";

fuzz_target!(|data: &[u8]| {
    // The runner reads files with `read_to_string`: text that is not UTF-8 never gets here.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match topology::format::parse(PATH, text) {
        Ok(topology) => {
            for router in &topology.routers {
                let _ = topology.line(&router.name);
            }
            for host in &topology.hosts {
                let _ = topology.line(&host.name);
                let _ = host.ip();
            }
        }
        Err(e) => {
            let shown = e.to_string();
            let Some(line) = e.location.line else {
                panic!("no line in {shown:?}");
            };
            let lines = text.split('\n').count();
            assert!((1..=lines).contains(&line), "line {line} of {lines}: {shown:?}");
            assert!(shown.starts_with(&format!("{PATH}:{line}: ")), "{shown:?}");
            assert!(!shown.contains('\n'), "not one line: {shown:?}");
        }
    }
});
