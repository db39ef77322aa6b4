fn main() {
    let p = std::path::Path::new("/tmp/ql100k.yaml");
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let lq = p2review::queue::load_path(p).unwrap();
        eprintln!("{:?}", t.elapsed());
        std::hint::black_box(lq);
    }
}
