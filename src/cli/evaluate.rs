//! `p2review evaluate QUEUE [--format table|json|jsonl] [--as-of DATE]` (docs/evaluation-json.md).

use std::io::{BufWriter, Write};

use color_eyre::eyre::{self, WrapErr};

use super::Ctx;
use super::args::*;
use crate::engine::{Engine, Evaluation, Evaluator};
use crate::queue::{Disclosure, Queue, QueueIndex, load_path};

pub fn run(ctx: &Ctx, args: &EvaluateArgs) -> eyre::Result<u8> {
    let engine = Engine::load(ctx.global.policy.as_deref())?;
    let lq = load_path(&args.queue)?;
    for w in crate::queue::load_warnings(&lq.queue) {
        eprintln!("p2review: warning: {}: {w}", lq.path.display());
    }
    let as_of = args
        .as_of
        .or(lq.queue.as_of)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let ev = engine.for_date(as_of)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let q = &lq.queue;
    let written: std::io::Result<()> = (|| {
        match args.format {
            EvalFormat::Jsonl | EvalFormat::Json => {
                let json = args.format == EvalFormat::Json;
                if json {
                    out.write_all(b"[")?;
                }
                // Evaluate and serialize blocks on every core, write them in order: a
                // 100,000-item queue yields ~400 MB of JSON (the trace is most of it).
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
                let block = 2048;
                let mut first = true;
                for round in q.disclosures.chunks(block * threads) {
                    let bufs: Vec<std::io::Result<Vec<u8>>> = std::thread::scope(|s| {
                        let handles: Vec<_> = round
                            .chunks(block)
                            .map(|chunk| {
                                let ev = &ev;
                                let ix = &lq.index;
                                s.spawn(move || serialize(ev, q, ix, chunk, json))
                            })
                            .collect();
                        handles
                            .into_iter()
                            .map(|h| {
                                h.join().unwrap_or_else(|_| {
                                    Err(std::io::Error::other("evaluation thread panicked"))
                                })
                            })
                            .collect()
                    });
                    for buf in bufs {
                        let buf = buf?;
                        if buf.is_empty() {
                            continue;
                        }
                        if json {
                            out.write_all(if first { b"\n" } else { b",\n" })?;
                        }
                        out.write_all(&buf)?;
                        first = false;
                    }
                }
                if json {
                    out.write_all(b"\n]\n")?;
                }
            }
            EvalFormat::Table => {
                writeln!(out, "{}", table_header())?;
                for d in &q.disclosures {
                    writeln!(out, "{}", table_row(d, &ev.evaluate(q, &lq.index, d)))?;
                }
            }
        }
        out.flush()
    })();
    written.wrap_err("writing results to standard output")?;
    Ok(super::exit::OK)
}

/// One block of results: JSON Lines, or pretty objects joined by `,\n` for an array.
fn serialize(
    ev: &Evaluator<'_>,
    q: &Queue,
    ix: &QueueIndex,
    chunk: &[Disclosure],
    json: bool,
) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(chunk.len() * 4096);
    for (i, d) in chunk.iter().enumerate() {
        let e = ev.evaluate(q, ix, d);
        if json {
            if i > 0 {
                buf.extend_from_slice(b",\n");
            }
            serde_json::to_writer_pretty(&mut buf, &e)?;
        } else {
            serde_json::to_writer(&mut buf, &e)?;
            buf.push(b'\n');
        }
    }
    Ok(buf)
}

/// Column widths: 12+8+16+12+13+10+1 plus 6 separators = 78 columns.
const W: [usize; 6] = [12, 8, 16, 12, 13, 10];

/// Exactly `w` cells of display width, marking a cut.
fn fit(s: &str, w: usize) -> String {
    crate::text::fit(&crate::text::escape(s), w, false)
}

pub fn table_header() -> String {
    let cols = ["ID", "PATIENT", "RECIPIENT", "PURPOSE", "PART 2", "HIPAA"];
    let mut line: Vec<String> = cols.iter().zip(W).map(|(c, w)| fit(c, w)).collect();
    line.push("!".to_owned());
    line.join(" ")
}

pub fn table_row(d: &Disclosure, e: &Evaluation) -> String {
    let cells = [
        fit(&d.id, W[0]),
        fit(&d.patient, W[1]),
        fit(&d.recipient.name, W[2]),
        fit(d.purpose.as_str(), W[3]),
        fit(e.part2.status.word(), W[4]),
        fit(e.hipaa.status.word(), W[5]),
        if e.stricter { "!" } else { " " }.to_owned(),
    ];
    cells.join(" ").trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fits_80_columns_and_cells_are_escaped() {
        assert!(table_header().chars().count() <= 80);
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdefgh", 5), "abcd…");
        assert!(!fit("a\u{1b}[2Jb", 17).contains('\u{1b}'));
        // By display width: a CJK name takes two cells a character and is cut with `…`.
        let name = "東京都立総合精神保健福祉センター";
        assert_eq!(crate::text::width(&fit(name, 16)), 16);
        assert!(fit(name, 16).ends_with("… "), "{}", fit(name, 16));
        let row: String = W
            .iter()
            .map(|&w| fit(name, w))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(crate::text::width(&row), 76);
    }
}
