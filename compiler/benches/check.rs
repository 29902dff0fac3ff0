//! How long checking a definition takes, against a baseline measured in the same run: plain
//! `serde_json` parsing of the same bytes (the least any JSON tool must do). Each pipeline stage is
//! measured too, so a regression can be located.
//!
//! The `generate` groups measure what `include_miniapp!` does at expansion time: check, lower,
//! emit and format, then parse the code back into tokens.
//!
//! `cargo bench -p miniapp-compiler --bench check`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use miniapp_compiler::{Options, check, model, schema, source};
use std::hint::black_box;

const SIXTY_ACTIONS: &[u8] = include_bytes!("data/sixty-actions.json");
const CHATLY: &[u8] = include_bytes!("../../examples/definitions/chatly.json");
const ACME_SHOP: &[u8] = include_bytes!("../../examples/definitions/acme-shop.json");

fn bench(c: &mut Criterion) {
    let options = Options::default();
    for (name, bytes) in [("sixty-actions", SIXTY_ACTIONS), ("chatly", CHATLY)] {
        let mut group = c.benchmark_group(format!("check/{name}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("baseline", "serde_json::from_slice"), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).map(|v| v.is_object()))
        });
        let text = std::str::from_utf8(bytes).expect("utf-8 bench input");
        group.bench_function(BenchmarkId::new("stage", "parse"), |b| b.iter(|| source::parse(black_box(text)).root.is_some()));
        let root = source::parse(text).root.expect("bench input parses");
        group.bench_function(BenchmarkId::new("stage", "schema"), |b| b.iter(|| schema::validate(black_box(&root), &root.to_json()).len()));
        group.bench_function(BenchmarkId::new("stage", "rules"), |b| {
            b.iter(|| miniapp_compiler::check::run(black_box(&root), &options, false).0.len())
        });
        group.bench_function(BenchmarkId::new("stage", "model"), |b| b.iter(|| model::Definition::from_node(black_box(&root)).is_ok()));
        group.bench_function(BenchmarkId::new("full", "check"), |b| b.iter(|| check(black_box(bytes), &options).diagnostics.len()));
        group.finish();
    }
}

fn bench_generate(c: &mut Criterion) {
    let options = Options::default();
    for (name, bytes) in [("acme-shop", ACME_SHOP), ("sixty-actions", SIXTY_ACTIONS)] {
        let mut group = c.benchmark_group(format!("generate/{name}"));
        group.bench_function(BenchmarkId::new("baseline", "serde_json::from_slice"), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).map(|v| v.is_object()))
        });
        group.bench_function(BenchmarkId::new("full", "check"), |b| b.iter(|| check(black_box(bytes), &options).diagnostics.len()));
        group.bench_function(BenchmarkId::new("full", "generate"), |b| {
            b.iter(|| miniapp_compiler::generate(black_box(bytes), &options).map(|g| g.code.len()))
        });
        let code = miniapp_compiler::generate(bytes, &options).map(|g| g.code).unwrap_or_default();
        group.bench_function(BenchmarkId::new("stage", "code-to-tokens"), |b| {
            b.iter(|| black_box(&code).parse::<proc_macro2::TokenStream>().map(|t| t.is_empty()))
        });
        group.finish();
    }
}

criterion_group!(benches, bench, bench_generate);
criterion_main!(benches);
