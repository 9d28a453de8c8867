//! One case in a loop, for a profiler: `cargo run --release --example loop -- pipeline-mycure 2000000`.
fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "pipeline-mycure".into());
    let n: usize = std::env::args().nth(2).map_or(1_000_000, |s| s.parse().unwrap());
    let cases = carehook_bench_native::cases();
    let case = cases.iter().find(|c| c.name == name).expect("case");
    let t = std::time::Instant::now();
    let mut len = 0;
    for _ in 0..n {
        len += std::hint::black_box(case.run()).len();
    }
    println!("{name}: {:?}/call ({len})", t.elapsed() / n as u32);
}
