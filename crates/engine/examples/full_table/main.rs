//! The "full table" benchmark: receivers of 1,000,000 IPv4 routes over one eBGP session.
//!
//! Receivers: peerlab's engine, BIRD 2 and FRR bgpd, each in its own process (so its CPU time
//! and peak RSS are its own) in a network namespace, on Scaleway's side of a veth pair; sources
//! in another namespace: BIRD exporting static routes, and a fast speaker sending precomputed
//! 4096-octet UPDATEs (see `speaker.rs`). Each receiver is measured from Established until it
//! holds every route, then until its CPU goes quiet (see `measure.rs`). The table and the
//! filter are in `routes.rs`. The result is printed as markdown on stdout, progress on stderr.
//!
//! Needs root (namespaces), BIRD 2 and FRR. Run it with `scripts/bench-full-table.sh`, which
//! builds in release and cleans up after an interruption. The binary also holds the two child
//! modes it re-executes itself in: `receiver` (peerlab) and `speaker` (the fast source).

mod engine_receiver;
mod interrupt;
mod measure;
mod poll;
mod receivers;
mod replay;
mod report;
mod routes;
mod sources;
mod speaker;
mod testbed;
mod usage;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
use measure::Sample;
use receivers::ReceiverKind;
use report::Row;
use sources::{BirdSource, FastSource, Source};
use std::process::ExitCode;
use std::time::Duration;
use testbed::Testbed;

/// Receivers of a full IPv4 table: peerlab against BIRD and FRR.
#[derive(Parser)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
    #[command(flatten)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Mode {
    /// (child) The peerlab receiver, controlled over stdin/stdout.
    #[command(hide = true)]
    Receiver {
        /// tokio worker threads; 0 for a current-thread runtime.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// (child) The fast source.
    #[command(hide = true)]
    Speaker {
        /// Routes to announce.
        #[arg(long)]
        routes: usize,
        /// Send them in prefix order instead of the drawing order.
        #[arg(long)]
        sorted: bool,
    },
    /// The receive path in-process, without sockets: decode and Adj-RIB-In (see `replay.rs`).
    Replay {
        /// Routes to replay.
        #[arg(long, default_value_t = 1_000_000)]
        routes: usize,
        /// In prefix order instead of the drawing order.
        #[arg(long)]
        sorted: bool,
        /// Rounds, each into a fresh Adj-RIB-In.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
}

/// The sources of the main comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SourceKind {
    /// BIRD exporting static routes.
    Bird,
    /// The fast speaker, routes in prefix order.
    FastSorted,
    /// The fast speaker, routes in the drawing order (scattered).
    Fast,
}

#[derive(Args)]
struct Bench {
    /// Routes of the main comparison (both sources, every receiver).
    #[arg(long, default_value_t = 1_000_000)]
    routes: usize,
    /// Sizes of the scaling series (fast source); `--sizes` alone for none.
    #[arg(long, value_delimiter = ',', num_args = 0.., default_value = "100000,250000,500000")]
    sizes: Vec<usize>,
    /// Receivers of the main comparison.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "peerlab,peerlab-ct,bird,frr"
    )]
    receivers: Vec<ReceiverKind>,
    /// Receivers of the scaling series.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "peerlab,peerlab-ct,bird,frr"
    )]
    scale_receivers: Vec<ReceiverKind>,
    /// Sources of the main comparison (the scaling series needs `fast`).
    #[arg(long, value_delimiter = ',', default_value = "bird,fast-sorted,fast")]
    sources: Vec<SourceKind>,
    /// How often receivers are asked for their route count, in milliseconds.
    #[arg(long, default_value_t = 100)]
    poll_ms: u64,
    /// Runs per receiver, source and size; the tables show the best time and CPU, and the
    /// median memory, of the runs.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.mode {
        Some(Mode::Receiver { threads }) => engine_receiver::run(threads),
        Some(Mode::Speaker { routes, sorted }) => speaker::run(routes, sorted),
        Some(Mode::Replay {
            routes,
            sorted,
            rounds,
        }) => replay::run(routes, sorted, rounds),
        None => bench(&cli.bench),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("full_table: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The whole series: each source at the main size with every receiver; with the fast source,
/// the scaling sizes too.
fn bench(args: &Bench) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        bail!("needs root (network namespaces): run it with sudo");
    }
    interrupt::install();
    let testbed = Testbed::create()?;
    let mut rows = Vec::new();
    for &kind in &args.sources {
        for mut series in series_of(kind, &testbed, args)? {
            rows.extend(measure_series(&testbed, &mut series, args)?);
        }
    }
    println!("{}", report::render(&rows, args.routes));
    Ok(())
}

/// One source and the receivers it is measured with.
struct Series {
    source: Box<dyn Source>,
    receivers: Vec<ReceiverKind>,
}

/// The series of a source kind: the main size with the main receivers; for the fast source,
/// with every receiver of either list, then each scaling size with the scaling receivers.
fn series_of(kind: SourceKind, testbed: &Testbed, args: &Bench) -> Result<Vec<Series>> {
    let main = |source: Box<dyn Source>, receivers: Vec<ReceiverKind>| {
        Ok(vec![Series { source, receivers }])
    };
    match kind {
        SourceKind::Bird => main(
            Box::new(BirdSource::start(&testbed.source, args.routes)?),
            args.receivers.clone(),
        ),
        SourceKind::FastSorted => main(
            Box::new(FastSource::new(&testbed.source, args.routes, true)?),
            args.receivers.clone(),
        ),
        SourceKind::Fast => {
            let mut receivers = args.receivers.clone();
            let extra = args.scale_receivers.iter();
            receivers.extend(extra.filter(|k| !args.receivers.contains(k)));
            let source = Box::new(FastSource::new(&testbed.source, args.routes, false)?);
            let mut series = vec![Series { source, receivers }];
            let mut sizes = args.sizes.clone();
            sizes.retain(|&n| n != args.routes);
            sizes.sort_unstable();
            for n in sizes {
                series.push(Series {
                    source: Box::new(FastSource::new(&testbed.source, n, false)?),
                    receivers: args.scale_receivers.clone(),
                });
            }
            Ok(series)
        }
    }
}

/// Every receiver of a series against its source, `repeat` rounds; within a round each
/// receiver runs once, so that a burst of load on the machine falls on all of them alike. A
/// row holds the aggregate of the runs that succeeded (see [`Sample::aggregate`]), or why they
/// all failed; an interruption ends the series.
fn measure_series(testbed: &Testbed, series: &mut Series, args: &Bench) -> Result<Vec<Row>> {
    let source = series.source.as_mut();
    let mut outcomes: Vec<Outcomes> = series
        .receivers
        .iter()
        .map(|_| Outcomes::default())
        .collect();
    for round in 1..=args.repeat.max(1) {
        for (&kind, outcomes) in series.receivers.iter().zip(&mut outcomes) {
            eprintln!(
                "{} ← {} source, {} routes, run {round}",
                kind.name(),
                source.name(),
                report::thousands(source.routes())
            );
            let outcome = attempt(testbed, kind, source, args);
            interrupt::check()?;
            outcomes.record(outcome);
        }
    }
    let rows = series
        .receivers
        .iter()
        .zip(outcomes)
        .map(|(kind, outcomes)| Row {
            receiver: kind.name(),
            source: source.name(),
            routes: source.routes(),
            runs: outcomes.samples.len(),
            outcome: Sample::aggregate(&outcomes.samples).ok_or(outcomes.last_error),
        });
    Ok(rows.collect())
}

/// The runs of one receiver in a series.
struct Outcomes {
    samples: Vec<Sample>,
    last_error: String,
}

impl Default for Outcomes {
    fn default() -> Self {
        Self {
            samples: Vec::new(),
            last_error: String::from("no run"),
        }
    }
}

impl Outcomes {
    /// Keeps a sample, or the error; both are printed.
    fn record(&mut self, outcome: Result<Sample>) {
        match outcome {
            Ok(s) => {
                eprintln!(
                    "  all routes after {:.2} s, quiet after {:.2} s, {:.2} CPU s, \
                     peak RSS {:.1} MiB",
                    s.converged.as_secs_f64(),
                    s.settled.as_secs_f64(),
                    s.cpu.as_secs_f64(),
                    s.peak_rss as f64 / (1024.0 * 1024.0)
                );
                self.samples.push(s);
            }
            Err(e) => {
                eprintln!("  failed: {e:#}");
                self.last_error = format!("{e:#}");
            }
        }
    }
}

/// One run: a fresh receiver, the source connected, then both stopped.
fn attempt(
    testbed: &Testbed,
    kind: ReceiverKind,
    source: &mut dyn Source,
    args: &Bench,
) -> Result<Sample> {
    let poll = Duration::from_millis(args.poll_ms.max(1));
    let mut receiver = kind.start(&testbed.receiver)?;
    let routes = source.routes() as u64;
    let sample = measure::run(receiver.as_mut(), routes, poll, || source.connect());
    // The receiver goes first, so that it does not spend time withdrawing the table.
    drop(receiver);
    let disconnected = source.disconnect();
    let sample = sample?;
    disconnected?;
    Ok(sample)
}
