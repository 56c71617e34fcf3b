//! The side-by-side tables (markdown, also printed to the terminal), the
//! issue's targets against the measured figures, and the JSON record.

use crate::child::{median, Measurement};
use crate::engine::EngineKind;
use crate::workload::{Workload, BATCH_JOBS};
use serde::Serialize;
use std::fmt::Write;

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    pub started_utc: String,
    pub host: Host,
    pub quick: bool,
    pub reps: usize,
    pub engines: Vec<EngineKind>,
    pub workloads: Vec<(Workload, String)>,
    /// One-off Cranelift compile of the module per wasmtime target, seconds
    /// (None: taken from the cache).
    pub wasmtime_compile_s: Vec<(EngineKind, Option<f64>)>,
    pub measurements: Vec<Measurement>,
}

#[derive(Debug, Serialize)]
pub struct Host {
    pub cores: usize,
    pub load_before: String,
    pub load_after: String,
    pub native_ffmpeg: String,
    pub module: String,
    pub module_bytes: u64,
}

const MB: f64 = 1024.0 * 1024.0;

impl Report {
    fn get(&self, e: EngineKind, w: Workload) -> Option<&Measurement> {
        self.measurements
            .iter()
            .find(|m| m.engine == e && m.workload == w)
    }

    fn median(&self, e: EngineKind, w: Workload) -> Option<f64> {
        self.get(e, w).and_then(Measurement::median)
    }

    /// Module ready + first instance, seconds.
    pub fn startup(&self, e: EngineKind) -> Option<f64> {
        let m = self.get(e, Workload::Startup)?;
        if m.report.error.is_some() {
            return None;
        }
        Some(m.report.ready_s + m.report.times_s.first()?)
    }

    /// Workload 8 against eight sequential runs: the afmpeg baseline is
    /// measured (`8-seq`), other engines' is 8 x their workload-1 median.
    pub fn batch_speedup(&self, e: EngineKind) -> Option<(f64, &'static str)> {
        let par = self.median(e, Workload::W(8))?;
        if let Some(seq) = self.median(e, Workload::BatchSequential) {
            return Some((seq / par, "measured 8 sequential runs"));
        }
        let one = self.median(e, Workload::W(1))?;
        Some((BATCH_JOBS as f64 * one / par, "8 x workload-1 median"))
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let h = &self.host;
        let _ = writeln!(
            s,
            "Run {} UTC on {} cores (shared machine; load average before: {}, after: {}), \
             {} fixtures, {} repetition(s) per cell, median shown.\n\
             Module: {} ({} bytes). Native: {}.\n",
            self.started_utc,
            h.cores,
            h.load_before,
            h.load_after,
            if self.quick { "--quick" } else { "full-size" },
            self.reps,
            h.module,
            h.module_bytes,
            h.native_ffmpeg
        );
        let engines = &self.engines;
        let header = |s: &mut String, first: &str| {
            let _ = write!(s, "| {first} |");
            for e in engines {
                let _ = write!(s, " {} |", e.name());
            }
            let _ = write!(s, "\n|---|");
            for _ in engines {
                let _ = write!(s, "---:|");
            }
            s.push('\n');
        };

        let _ = writeln!(
            s,
            "**Median wall time, seconds (ratio to afmpeg: engine / afmpeg)**\n"
        );
        header(&mut s, "workload");
        let rows: Vec<Workload> = self
            .workloads
            .iter()
            .map(|(w, _)| *w)
            .filter(|w| *w != Workload::Startup)
            .collect();
        for &w in &rows {
            let _ = write!(s, "| {} |", w.label());
            let base = self.median(EngineKind::Afmpeg, w);
            for &e in engines {
                let cell = match (self.get(e, w), self.median(e, w)) {
                    (None, _) => "–".to_owned(),
                    (Some(_), Some(t)) => match base {
                        Some(b) if b > 0.0 => format!("{t:.3} ({:.2}x)", t / b),
                        _ => format!("{t:.3}"),
                    },
                    (Some(m), None) => format!("error: {}", short(m.report.error.as_deref())),
                };
                let _ = write!(s, " {cell} |");
            }
            s.push('\n');
        }

        let _ = writeln!(
            s,
            "\n**Peak RSS of the measuring process, MB** (one process per cell; \
                             native: the largest ffmpeg process)\n"
        );
        header(&mut s, "workload");
        for &w in &rows {
            let _ = write!(s, "| {} |", w.label());
            for &e in engines {
                let cell = self.get(e, w).map_or("–".to_owned(), |m| {
                    format!("{:.0}", m.peak_rss as f64 / MB)
                });
                let _ = write!(s, " {cell} |");
            }
            s.push('\n');
        }
        let mem: Vec<String> = rows
            .iter()
            .filter_map(|&w| {
                let g = self.get(EngineKind::WasmiWasi, w)?.report.guest_memory?;
                Some(format!("{}: {:.0} MB", w.label(), g as f64 / MB))
            })
            .collect();
        if !mem.is_empty() {
            let _ = writeln!(
                s,
                "\nPeak guest linear memory (read from the wasmi-wasi instance after each run): {}.",
                mem.join(", ")
            );
        }

        if self.workloads.iter().any(|(w, _)| *w == Workload::Startup) {
            let _ = writeln!(
                s,
                "\n**Startup: module ready + first instance (a first `ffmpeg -version` run), ms**\n"
            );
            let _ = writeln!(s, "| engine | module ready | first run | total | warm run (median) | one-off compile |");
            let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
            for &e in engines {
                let Some(m) = self.get(e, Workload::Startup) else {
                    continue;
                };
                if let Some(err) = &m.report.error {
                    let _ = writeln!(s, "| {} | error: {} | | | | |", e.name(), short(Some(err)));
                    continue;
                }
                let first = m.report.times_s.first().copied().unwrap_or(f64::NAN);
                let warm = median(m.report.times_s.get(1..).unwrap_or(&[]))
                    .map_or("–".to_owned(), |t| format!("{:.1}", t * 1e3));
                let compile = self
                    .wasmtime_compile_s
                    .iter()
                    .find(|(k, _)| *k == e)
                    .map_or("–".to_owned(), |(_, c)| {
                        c.map_or("cached".to_owned(), |c| format!("{:.1} s", c))
                    });
                let _ = writeln!(
                    s,
                    "| {} | {:.1} | {:.1} | {:.1} | {warm} | {compile} |",
                    e.name(),
                    m.report.ready_s * 1e3,
                    first * 1e3,
                    (m.report.ready_s + first) * 1e3
                );
            }
        }

        let speedups: Vec<String> = engines
            .iter()
            .filter_map(|&e| {
                let (x, how) = self.batch_speedup(e)?;
                Some(format!("{} {x:.2}x ({how})", e.name()))
            })
            .collect();
        if !speedups.is_empty() {
            let _ = writeln!(
                s,
                "\n**Batch (8) speed-up over sequential** on {} cores: {}.",
                h.cores,
                speedups.join("; ")
            );
        }

        let _ = writeln!(s, "\n**Targets of issue #5 (from this run)**\n");
        let _ = writeln!(s, "| target | measured | met |");
        let _ = writeln!(s, "|---|---:|:---:|");
        for t in self.targets() {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                t.what,
                t.measured
                    .map_or("not measured".to_owned(), |v| format!("{v:.3}")),
                match t.measured {
                    None => "–",
                    Some(v) if t.ok(v) => "yes",
                    Some(_) => "**no**",
                }
            );
        }
        s
    }

    pub fn targets(&self) -> Vec<Target> {
        use EngineKind::*;
        let ratio = |w: u8, other: EngineKind| {
            Some(self.median(Afmpeg, Workload::W(w))? / self.median(other, Workload::W(w))?)
        };
        let mut t = Vec::new();
        for w in [1, 2, 3, 6, 7] {
            t.push(Target::max(
                format!("w{w}: afmpeg / wasmi-wasi"),
                ratio(w, WasmiWasi),
                1.02,
            ));
            t.push(Target::max(
                format!("w{w}: afmpeg / pulley"),
                ratio(w, Pulley),
                0.5,
            ));
        }
        t.push(Target::max(
            "w4: afmpeg / wasmi-wasi".into(),
            ratio(4, WasmiWasi),
            0.5,
        ));
        t.push(Target::max(
            "w2: afmpeg / native-c".into(),
            ratio(2, NativeC),
            10.0,
        ));
        t.push(Target::max(
            "afmpeg startup, ms (ready + first run)".into(),
            self.startup(Afmpeg).map(|s| s * 1e3),
            20.0,
        ));
        t.push(Target::min(
            "w8: afmpeg batch speed-up over sequential".into(),
            self.batch_speedup(Afmpeg).map(|(x, _)| x),
            1.85,
        ));
        for w in [1u8, 2, 3, 4, 6, 7] {
            let over = (|| {
                let rss = self.get(Afmpeg, Workload::W(w))?.peak_rss as f64;
                let guest = self.get(WasmiWasi, Workload::W(w))?.report.guest_memory? as f64;
                Some((rss - guest) / MB)
            })();
            t.push(Target::max(
                format!("w{w}: afmpeg peak RSS - guest memory, MB"),
                over,
                20.0,
            ));
        }
        // Issue #16's targets, when the native tier ran (feature `native-tier`).
        let tier = |w: u8, other: EngineKind| {
            Some(self.median(NativeTier, Workload::W(w))? / self.median(other, Workload::W(w))?)
        };
        if (1..=8).any(|w| self.median(NativeTier, Workload::W(w)).is_some()) {
            for w in 1..=8u8 {
                t.push(Target::max(
                    format!("w{w}: native-tier / native-c"),
                    tier(w, NativeC),
                    1.3,
                ));
            }
            for w in [2u8, 3, 6] {
                t.push(Target::min(
                    format!("w{w}: afmpeg / native-tier"),
                    ratio(w, NativeTier),
                    8.0,
                ));
                t.push(Target::max(
                    format!("w{w}: native-tier / cranelift"),
                    tier(w, Cranelift),
                    1.0,
                ));
            }
            t.push(Target::max(
                "native-tier startup, ms (ready + first run)".into(),
                self.startup(NativeTier).map(|s| s * 1e3),
                5.0,
            ));
        }
        t
    }
}

pub struct Target {
    pub what: String,
    pub measured: Option<f64>,
    bound: f64,
    at_most: bool,
}

impl Target {
    fn max(what: String, measured: Option<f64>, bound: f64) -> Self {
        Target {
            what: format!("{what} ≤ {bound}"),
            measured,
            bound,
            at_most: true,
        }
    }

    fn min(what: String, measured: Option<f64>, bound: f64) -> Self {
        Target {
            what: format!("{what} ≥ {bound}"),
            measured,
            bound,
            at_most: false,
        }
    }

    fn ok(&self, v: f64) -> bool {
        if self.at_most {
            v <= self.bound
        } else {
            v >= self.bound
        }
    }
}

fn short(e: Option<&str>) -> String {
    let e = e.unwrap_or("").replace(['\n', '|'], " ");
    e.chars().take(80).collect()
}
