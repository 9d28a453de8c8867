//! criterion benches of the core, one per bench/run.mjs row that has a native counterpart.

use carehook_bench_native::cases;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn core(c: &mut Criterion) {
    for case in cases() {
        case.check();
        c.bench_function(&case.name, |b| b.iter(|| black_box(black_box(&case).run())));
    }
}

fn config() -> Criterion {
    let quick = std::env::var_os("CAREHOOK_BENCH_QUICK").is_some();
    let (warm, measure) = if quick { (200, 500) } else { (1000, 3000) };
    Criterion::default()
        .warm_up_time(Duration::from_millis(warm))
        .measurement_time(Duration::from_millis(measure))
        .sample_size(if quick { 20 } else { 60 })
}

criterion_group! { name = benches; config = config(); targets = core }
criterion_main!(benches);
