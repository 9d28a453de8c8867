//! Where the core's time goes (run on demand: `cargo bench --bench breakdown`): the whole verification against its
//! parts, natively, for the Standard Webhooks bodies. Not part of `make bench`.

use carehook::{json::Object, SignInput};
use carehook_bench_native::{cases, NOW, STANDARD_KEY};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn breakdown(c: &mut Criterion) {
    let all = cases();
    for name in ["1k", "64k"] {
        let case = all.iter().find(|k| k.name == format!("v1-{name}")).expect("case");
        let text = String::from_utf8(case.body.clone()).expect("utf8");
        c.bench_function(&format!("whole-{name}"), |b| b.iter(|| black_box(case.run())));
        // HMAC-SHA256 over `id.ts.body` and base64: what signing costs, the crypto part of verifying.
        let input = SignInput {
            method: "POST",
            path: "/in/standard",
            query: "",
            body: &case.body,
            now: NOW,
            id: Some("msg_x"),
        };
        c.bench_function(&format!("hmac-{name}"), |b| {
            b.iter(|| black_box(carehook::sign("standard", STANDARD_KEY, black_box(&input))))
        });
        c.bench_function(&format!("utf8-{name}"), |b| {
            b.iter(|| black_box(std::str::from_utf8(black_box(&case.body)).is_ok()))
        });
        c.bench_function(&format!("json-object-{name}"), |b| {
            b.iter(|| black_box(Object::parse(black_box(&text)).is_some()))
        });
        let outer = Object::parse(&text).expect("object");
        let data = outer.raw("data").expect("data");
        c.bench_function(&format!("json-nested-data-{name}"), |b| {
            b.iter(|| black_box(Object::parse(black_box(data)).is_some()))
        });
        c.bench_function(&format!("copy-{name}"), |b| b.iter(|| black_box(black_box(&text).to_owned())));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(1000)).sample_size(20);
    targets = breakdown
}
criterion_main!(benches);
