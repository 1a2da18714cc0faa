//! How long a configuration change takes to be live on a real HAProxy (issue 12's target:
//! within 1 s): rendered, checked by `haproxy -c`, reloaded seamlessly, and HAProxy answering
//! with the new configuration (a client sees the ACL appear or disappear).
//!
//! Run as root, with Debian's haproxy: `cargo bench -p linux --bench haproxy_reload`.
//! Besides criterion's estimates it prints p50, p99 and the maximum of the whole change.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use dataplane::lb::{Acl, AclAction, AclHttpFilter, AclMatch, LbConfig};
use linux::haproxy::{HAPROXY, Haproxy, Layout, check, render};
use linux::service::HttpServer;
use support::*;

/// The configuration with or without a deny ACL on `/probe`.
fn config(deny: bool) -> LbConfig {
    let mut config = web_config(2);
    if deny {
        config.frontends[0].acls.push(Acl {
            name: "probe".into(),
            index: 0,
            action: AclAction::Deny,
            r#match: AclMatch {
                http_filter: AclHttpFilter::PathBegin,
                http_filter_value: vec!["/probe".into()],
                ..AclMatch::default()
            },
        });
    }
    config
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let lab = WebLab::new("bench", 2);
    let _apps: Vec<HttpServer> = (0..2)
        .map(|i| HttpServer::start(Some(&lab.apps[i]), 8080, app_service(i)).unwrap())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let haproxy = runtime.block_on(async {
        let haproxy = Haproxy::new(lab.options()).unwrap();
        haproxy.apply(&config(false)).await.unwrap();
        haproxy
    });

    let mut group = c.benchmark_group("lb_config_change");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));

    let layout = Layout {
        dir: lab.run_dir.path().join("bench"),
        stats_socket: lab.run_dir.path().join("bench.sock"),
    };
    let with_acl = config(true);
    group.bench_function("render", |b| b.iter(|| render(&with_acl, &layout).unwrap()));

    std::fs::create_dir_all(&layout.dir).unwrap();
    let file = layout.dir.join("haproxy.cfg");
    std::fs::write(&file, render(&with_acl, &layout).unwrap().config).unwrap();
    group.bench_function("haproxy -c", |b| {
        b.iter(|| runtime.block_on(check(Path::new(HAPROXY), &file)).unwrap())
    });

    let mut deny = false;
    let mut all = Vec::new();
    group.bench_function("apply until live", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                deny = !deny;
                let wanted = if deny { 403 } else { 200 };
                let start = Instant::now();
                runtime.block_on(haproxy.apply(&config(deny))).unwrap();
                while lab.get(80, "/probe", &[]).status != wanted {}
                let took = start.elapsed();
                all.push(took);
                total += took;
            }
            total
        })
    });
    group.finish();

    all.sort_unstable();
    if let Some(max) = all.last() {
        println!(
            "apply until live over {} changes: p50 {:?}, p99 {:?}, max {max:?}",
            all.len(),
            percentile(&all, 0.5),
            percentile(&all, 0.99)
        );
    }
    runtime.block_on(haproxy.stop());
}

criterion_group!(benches, bench);
criterion_main!(benches);
