//! Render time of the built-in invoice, one page and ten pages: five warm-up
//! renders, then 200 timed ones each (compile + PDF export), p50 and p99.
//! Run with `bench/pdf.sh` (a release build).

use std::time::Instant;

use courtyard_pdf::{builtin, render, sample};

fn main() {
    let runs: usize = std::env::var("PDF_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let cold = Instant::now();
    let first = render(
        builtin("invoice"),
        &sample("invoice", 3),
        None,
        (2026, 3, 1),
    )
    .expect("render");
    println!(
        "cold first render: {:.1} ms ({} page)",
        ms(cold),
        first.pages
    );
    // Lines per page measured from the template: find the count for ten pages.
    let ten = (1..400)
        .step_by(5)
        .find(|n| {
            render(
                builtin("invoice"),
                &sample("invoice", *n),
                None,
                (2026, 3, 1),
            )
            .unwrap()
            .pages
                >= 10
        })
        .expect("ten pages within 400 lines");
    for (label, lines) in [("1 page", 3), ("10 pages", ten)] {
        let mut d = sample("invoice", lines);
        if let Ok(dir) = std::env::var("PDF_OUT") {
            // Keep a copy to look at.
            let pdf = render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
            std::fs::write(format!("{dir}/invoice-{lines}.pdf"), pdf.bytes).unwrap();
        }
        for _ in 0..5 {
            render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
        }
        let mut times = Vec::with_capacity(runs);
        let mut pages = 0;
        for i in 0..runs {
            // A different number each time, as real documents differ.
            d.number = format!("INV-{i:05}");
            let t = Instant::now();
            let pdf = render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
            times.push(ms(t));
            pages = pdf.pages;
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
        println!(
            "{label}: {lines} lines, {pages} pages, {runs} renders: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            pct(0.50),
            pct(0.99),
            times[times.len() - 1]
        );
    }
    // A staff template's render in a child process (docs/adr/0013): the
    // same one-page document, the child given by PDF_CHILD.
    if let Ok(child) = std::env::var("PDF_CHILD") {
        let sandbox = courtyard_pdf::sandbox::Sandbox::new(
            child.into(),
            vec![courtyard_pdf::sandbox::CHILD_ARG.into()],
            courtyard_pdf::sandbox::Limits::default(),
        );
        let d = sample("invoice", 3);
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            sandbox
                .render(builtin("invoice"), &d, None, (2026, 3, 1))
                .expect("renders in the child");
            times.push(ms(t));
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
        println!(
            "1 page in a child process, {runs} renders: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            pct(0.50),
            pct(0.99),
            times[times.len() - 1]
        );
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(l) = status.lines().find(|l| l.starts_with("VmHWM")) {
            println!("peak RSS: {}", l.trim_start_matches("VmHWM:").trim());
        }
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}
