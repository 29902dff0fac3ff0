//! The language server's latency after an edit: analysing the largest definition (the 60-action
//! bench definition) and writing its diagnostics as LSP publishes them, against `miniapp check`'s
//! own work on the same bytes (the baseline, measured in the same run).
//!
//! `cargo bench -p miniapp-cli --bench lsp`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may panic: that is how it fails

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use miniapp_cli::lsp::{Analysis, hover};

const SIXTY_ACTIONS: &str = include_str!("../../compiler/benches/data/sixty-actions.json");
const ACME_SHOP: &str = include_str!("../../examples/definitions/acme-shop.json");

fn bench(c: &mut Criterion) {
    let uri: lsp_types::Uri = "file:///bench.json".parse().unwrap();
    for (name, text) in [("sixty-actions", SIXTY_ACTIONS), ("acme-shop", ACME_SHOP)] {
        let mut group = c.benchmark_group(format!("lsp/{name}"));
        group.bench_function(BenchmarkId::new("baseline", "check"), |b| {
            b.iter(|| miniapp_compiler::check(black_box(text.as_bytes()), &miniapp_compiler::Options::default()).diagnostics.len())
        });
        // An edit: the text with one typo, analysed and published.
        let edited = text.replacen("\"POST\"", "\"PSOT\"", 1);
        group.bench_function(BenchmarkId::new("edit", "analyse+publish"), |b| {
            b.iter(|| Analysis::new(black_box(edited.clone()), None).diagnostics(&uri).len())
        });
        let analysis = Analysis::new(text.to_string(), None);
        let at = text.find("{{").unwrap_or(0) + 3;
        group.bench_function(BenchmarkId::new("request", "hover"), |b| b.iter(|| hover(black_box(&analysis), at).is_some()));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
