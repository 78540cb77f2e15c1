#!/usr/bin/env bash
# PDF render benchmark (issue: documents, files and PDFs).
#
#   bench/pdf.sh
#
# Builds the render benchmark in release mode and runs it: the built-in
# invoice template, one page (3 lines) and ten pages, five warm-up renders
# then PDF_RUNS (default 200) timed renders each — compile and PDF export,
# as the server does them on its PDF thread — printing p50, p99 and max, the
# cold first render and the peak RSS of the process; then the one-page
# document rendered as a staff template is, in a child process.
# Target (docs/BENCHMARKS.md): one page under 50 ms p50 on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p courtyard-pdf --example pdf_bench --bin courtyard-pdf-render --quiet
PDF_CHILD="$PWD/target/release/courtyard-pdf-render" exec target/release/examples/pdf_bench
