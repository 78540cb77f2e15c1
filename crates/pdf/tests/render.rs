//! The built-in templates render professional documents: content asserted
//! from the text extracted from the PDF bytes, page by page.

use courtyard_pdf::{builtin, check, render, sample, PdfError};

fn pages_text(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(bytes).expect("the PDF parses")
}

/// Extraction may break lines between words; compare without whitespace.
fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn one_page_invoice_has_parties_lines_totals_and_page_number() {
    let mut d = sample("invoice", 3);
    d.number = "INV-0042".into();
    d.customer.name = "Harbour Lane Architects".into();
    let pdf = render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert_eq!(pdf.pages, 1);
    let pages = pages_text(&pdf.bytes);
    assert_eq!(pages.len(), 1);
    let p = squash(&pages[0]);
    for want in [
        "INVOICE",
        "INV-0042",
        "HarbourLaneArchitects",
        "CourtyardLtd",
        "Line3:consultinganddesignwork",
        "VAT20%on£100.00",
        "£120.00",
        "Paymentwithin30days.",
        "Page1/1",
    ] {
        assert!(p.contains(want), "page 1 lacks {want:?}: {p}");
    }
}

#[test]
fn long_invoice_repeats_the_table_header_and_numbers_every_page() {
    let d = sample("invoice", 120);
    let pdf = render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
    assert!(
        pdf.pages >= 3,
        "120 lines should take several pages, got {}",
        pdf.pages
    );
    let pages = pages_text(&pdf.bytes);
    assert_eq!(pages.len(), pdf.pages);
    let n = pages.len();
    for (i, text) in pages.iter().enumerate() {
        let p = squash(text);
        assert!(
            p.contains("Description"),
            "page {} lacks the column header",
            i + 1
        );
        assert!(
            p.contains(&format!("Page{}/{n}", i + 1)),
            "page {} lacks its number: {p}",
            i + 1
        );
    }
    assert!(squash(&pages[0]).contains("HarbourLaneArchitects"));
    assert!(
        squash(&pages[n - 1]).contains("£120.00"),
        "totals on the last page"
    );
    assert!(squash(&pages[n - 1]).contains("Line120:"));
}

#[test]
fn every_builtin_passes_its_own_check() {
    for kind in ["quote", "order", "invoice"] {
        check(kind, builtin(kind)).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
    let quote = render(builtin("quote"), &sample("quote", 2), None, (2026, 3, 1)).unwrap();
    let p = squash(&pages_text(&quote.bytes)[0]);
    assert!(p.contains("QUOTE") && p.contains("ACCEPTANCE"), "{p}");
}

#[test]
fn typed_values_are_printed_never_evaluated() {
    let mut d = sample("invoice", 1);
    d.customer.name = "#eval(\"1 + 1\") ]) #panic()".into();
    d.lines[0].description = "*bold* $x^2$ <label> @ref".into();
    let pdf = render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
    let p = squash(&pages_text(&pdf.bytes)[0]);
    assert!(p.contains("#eval(\"1+1\")])#panic()"), "{p}");
    assert!(p.contains("*bold*$x^2$<label>@ref"), "{p}");
}

#[test]
fn templates_see_only_their_four_files() {
    let d = sample("invoice", 1);
    for source in [
        "#read(\"/etc/passwd\")",
        "#read(\"../../Cargo.toml\")",
        "#import \"@preview/cetz:0.3.0\": *",
        "#image(\"/logo\")",
    ] {
        match render(source, &d, None, (2026, 3, 1)) {
            Err(PdfError::Template(e)) => assert!(!e.is_empty(), "{source}"),
            other => panic!("{source} should fail, got {other:?}"),
        }
    }
    // …and may read their data and the helpers.
    render(
        "#import \"/courtyard.typ\": *\n#json(\"/data.json\").number",
        &d,
        None,
        (2026, 3, 1),
    )
    .unwrap();
}

#[test]
fn template_errors_name_their_line() {
    let e = check("invoice", "#let d = json(\"/data.json\")\n\n#d.totl").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("line 3"), "{msg}");
    let big = "a".repeat(70 * 1024);
    assert!(matches!(check("invoice", &big), Err(PdfError::TooLarge)));
}
