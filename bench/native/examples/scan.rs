fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let n: usize = std::env::args().nth(2).map_or(200_000, |s| s.parse().unwrap());
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let mut ok = 0;
        for _ in 0..n {
            ok += usize::from(carehook::json::Object::parse(std::hint::black_box(&text)).is_some());
        }
        let a = t.elapsed() / n as u32;
        let t = std::time::Instant::now();
        for _ in 0..n {
            ok += usize::from(serde_json::from_str::<serde::de::IgnoredAny>(std::hint::black_box(&text)).is_ok());
        }
        println!("{ok} ours {a:?} serde IgnoredAny {:?}", t.elapsed() / n as u32);
    }
}
