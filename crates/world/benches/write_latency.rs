//! Write latency of `peerlab serve --state`: the SQLite store (`world::store`) against the
//! JSON-file design it replaces, in the same run, with 1k, 10k and 100k stored resources.
//!
//! A write is what the API does under its lock for one acknowledged write: the model call, then
//! making it durable. The writes cycle through creating a routing policy, updating one and
//! deleting the one created (so the number stored stays the same); every write is timed alone,
//! and the p50, p99 and maximum are printed.
//!
//! - **sqlite**: [`Store::commit`] (the changed rows, one transaction, WAL, `synchronous=FULL`).
//! - **json**: what `api::persistence` did before: both models serialized whole
//!   (`provider::snapshot::to_json_with_ovh`), written to `FILE.tmp`, fsynced, renamed over
//!   `FILE`, and the directory fsynced.
//!
//! `cargo bench -p world --bench write_latency` (files go in the target directory's tmp, on
//! the disk of the build). `-- --quick` measures fewer writes.

use chrono::{DateTime, TimeZone, Utc};
use provider::catalogue::{Catalogue, demo};
use provider::interlink::{CreateRoutingPolicyRequest, UpdateRoutingPolicyRequest};
use provider::{Caller, Region};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use uuid::Uuid;
use world::store::{Models, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn create(models: &mut Models, i: usize) -> Uuid {
    let req = CreateRoutingPolicyRequest {
        name: format!("policy-{i}"),
        prefix_filter_in: Some(vec![format!("10.{}.{}.0/24", (i >> 8) & 255, i & 255)]),
        prefix_filter_out: Some(vec!["172.16.0.0/16".into()]),
        tags: Some(vec!["bench".into()]),
        ..Default::default()
    };
    models
        .interlink
        .create_routing_policy(Region::FrPar, &me(), req, now())
        .unwrap()
        .id
}

/// The models of the demo catalogue with `n` routing policies more.
fn models_with(n: usize) -> (Models, Vec<Uuid>) {
    let mut models = Models::new(&Catalogue::default(), now()).unwrap();
    let ids = (0..n).map(|i| create(&mut models, i)).collect();
    (models, ids)
}

/// Write number `k` of the cycle: create, update, delete what was created.
fn write(models: &mut Models, ids: &mut Vec<Uuid>, k: usize) {
    match k % 3 {
        0 => ids.push(create(models, 1_000_000 + k)),
        1 => {
            let id = ids[k % (ids.len() - 1)];
            let req = UpdateRoutingPolicyRequest {
                tags: Some(vec![format!("t{k}")]),
                ..Default::default()
            };
            models
                .interlink
                .update_routing_policy(Region::FrPar, &me(), id, req, now())
                .unwrap();
        }
        _ => {
            let id = ids.pop().unwrap();
            models
                .interlink
                .delete_routing_policy(Region::FrPar, &me(), id)
                .unwrap();
        }
    }
}

/// The JSON-file design: the removed `api::persistence::write_atomic` of the whole snapshot.
fn save_json(models: &Models, path: &Path, tmp: &Path) {
    let bytes =
        provider::snapshot::to_json_with_ovh(&models.interlink, &models.ovh_connect).unwrap();
    let mut file = File::create(tmp).unwrap();
    file.write_all(&bytes).unwrap();
    file.sync_all().unwrap();
    drop(file);
    std::fs::rename(tmp, path).unwrap();
    File::open(path.parent().unwrap())
        .unwrap()
        .sync_all()
        .unwrap();
}

/// Each write's latency (model call and persistence), and the persistence part alone.
#[derive(Default)]
struct Times {
    write: Vec<Duration>,
    persist: Vec<Duration>,
}

impl Times {
    fn push(&mut self, start: Instant, made: Instant) {
        let end = Instant::now();
        self.write.push(end - start);
        self.persist.push(end - made);
    }

    fn summarize(self, file_bytes: u64) -> Summary {
        Summary {
            write: Quantiles::of(self.write),
            persist: Quantiles::of(self.persist),
            file_bytes,
        }
    }
}

struct Quantiles {
    n: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Quantiles {
    /// The nearest-rank quantiles.
    fn of(mut t: Vec<Duration>) -> Self {
        t.sort();
        let at = |q: f64| t[((t.len() as f64 * q).ceil() as usize).clamp(1, t.len()) - 1];
        Self {
            n: t.len(),
            p50: at(0.50),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

struct Summary {
    write: Quantiles,
    persist: Quantiles,
    file_bytes: u64,
}

fn sqlite(n: usize, writes: usize, dir: &Path) -> Summary {
    let path = dir.join(format!("state-{n}.db"));
    let (mut store, _) = Store::open(&path, &Catalogue::default(), now()).unwrap();
    // The same catalogue (same IDs) and n policies, stored in one transaction (not timed).
    let (mut models, mut ids) = models_with(n);
    store.commit(&mut models.persisted()).unwrap();
    let mut times = Times::default();
    for k in 0..writes + 30 {
        let start = Instant::now();
        write(&mut models, &mut ids, k);
        let made = Instant::now();
        store.commit(&mut models.persisted()).unwrap();
        if k >= 30 {
            times.push(start, made);
        }
    }
    assert!(store.resources().unwrap() >= n as u64);
    drop(store);
    let size = std::fs::metadata(&path).unwrap().len();
    times.summarize(size)
}

fn json(n: usize, writes: usize, dir: &Path) -> Summary {
    let path = dir.join(format!("state-{n}.json"));
    let tmp = dir.join(format!("state-{n}.json.tmp"));
    let (mut models, mut ids) = models_with(n);
    save_json(&models, &path, &tmp);
    let mut times = Times::default();
    for k in 0..writes + 3 {
        let start = Instant::now();
        write(&mut models, &mut ids, k);
        let made = Instant::now();
        save_json(&models, &path, &tmp);
        if k >= 3 {
            times.push(start, made);
        }
    }
    let size = std::fs::metadata(&path).unwrap().len();
    times.summarize(size)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    let base = std::env::var_os("PEERLAB_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_TARGET_TMPDIR").into());
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    println!("files in {}", dir.path().display());
    println!(
        "{:>8} {:>7} {:>7} {:>10} {:>10} {:>10} {:>12} {:>12} {:>12}",
        "stored",
        "design",
        "writes",
        "write p50",
        "write p99",
        "write max",
        "persist p50",
        "persist p99",
        "file bytes"
    );
    // (stored policies, SQLite writes, JSON writes): fewer JSON writes where each is slow.
    for (n, sqlite_writes, json_writes) in [
        (1_000, 3_000, 1_000),
        (10_000, 3_000, 300),
        (100_000, 3_000, 40),
    ] {
        for (design, s) in [
            ("sqlite", sqlite(n, sqlite_writes / scale, dir.path())),
            ("json", json(n, (json_writes / scale).max(10), dir.path())),
        ] {
            println!(
                "{n:>8} {design:>7} {:>7} {:>10.2?} {:>10.2?} {:>10.2?} {:>12.2?} {:>12.2?} {:>12}",
                s.write.n,
                s.write.p50,
                s.write.p99,
                s.write.max,
                s.persist.p50,
                s.persist.p99,
                s.file_bytes
            );
        }
    }
}
