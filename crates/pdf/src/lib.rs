//! Quotes, sales orders and invoices to PDF (docs/adr/0010).
//!
//! A template is Typst source. It runs in a sandbox that serves exactly four
//! files — the template as `/main.typ`, our helpers as `/courtyard.typ`, the
//! document as `/data.json` and the business logo as `/logo` — and only the
//! embedded DejaVu Sans fonts. Every value a customer or staff member typed
//! reaches the template as a JSON string, never as markup, so a customer
//! called `#eval("…")` is printed as written.
//!
//! This crate is plain and synchronous: the application runs it on its own
//! threads, never on the async workers.

use std::sync::LazyLock;
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub mod sandbox;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// The helpers every template may import: `#import "/courtyard.typ": *`.
pub const HELPERS: &str = include_str!("../templates/courtyard.typ");

/// Templates larger than this are refused when saved.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// The built-in template of a document type ("quote", "order", "invoice").
pub fn builtin(kind: &str) -> &'static str {
    match kind {
        "quote" => include_str!("../templates/quote.typ"),
        "order" => include_str!("../templates/order.typ"),
        _ => include_str!("../templates/invoice.typ"),
    }
}

/// A party on the document: the business or the customer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    /// Address lines, email, phone, tax number: printed one per line.
    pub lines: Vec<String>,
}

/// A label and its value, already formatted ("Due", "31 Dec 2026").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pair {
    pub label: String,
    pub value: String,
}

impl Pair {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// One line of the document, amounts already formatted in its currency.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub amount: String,
}

/// Everything a template can print. Amounts are formatted strings: Typst's
/// numbers are floats, and money is not.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocData {
    /// "quote", "order" or "invoice".
    pub kind: String,
    /// "Quote", "Sales order", "Invoice".
    pub title: String,
    pub number: String,
    pub subject: String,
    pub status: String,
    pub currency: String,
    /// Issued, due or valid until, paid on…
    pub dates: Vec<Pair>,
    pub business: Party,
    pub customer: Party,
    pub lines: Vec<Line>,
    /// Whether any line has a discount (the column is shown only then).
    pub has_discounts: bool,
    /// One row per tax rate: "VAT 20 % on £1,000.00" → "£200.00".
    pub taxes: Vec<Pair>,
    /// Subtotal, tax, total, paid…
    pub totals: Vec<Pair>,
    /// The figure that matters: total, or balance due on an invoice.
    pub grand_total: Pair,
    pub terms: String,
    /// Printed small at the foot of every page.
    pub footer: String,
    /// The brand colour, `#rrggbb`.
    pub accent: String,
    /// Whether `/logo` holds an image.
    pub has_logo: bool,
}

/// What went wrong while rendering, in words staff can act on.
#[derive(Debug, thiserror::Error, Serialize, Deserialize)]
pub enum PdfError {
    /// The template does not compile: each problem with its line.
    #[error("the template has errors: {}", .0.join("; "))]
    Template(Vec<String>),
    #[error("the template is larger than 64 KiB")]
    TooLarge,
    #[error("the template took {0} ms to render a test document; the limit is 2000 ms")]
    TooSlow(u128),
    #[error("the PDF could not be written: {0}")]
    Export(String),
}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    use dejavu::sans;
    [
        sans::regular(),
        sans::bold(),
        sans::oblique(),
        sans::bold_oblique(),
    ]
    .into_iter()
    .flat_map(|data| Font::iter(Bytes::new(data)))
    .collect()
});

static BOOK: LazyLock<LazyHash<FontBook>> =
    LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

static MAIN: LazyLock<FileId> = LazyLock::new(|| file_id("/main.typ"));
static HELPERS_ID: LazyLock<FileId> = LazyLock::new(|| file_id("/courtyard.typ"));
static DATA: LazyLock<FileId> = LazyLock::new(|| file_id("/data.json"));
static LOGO: LazyLock<FileId> = LazyLock::new(|| file_id("/logo"));

/// The sandbox a template compiles in: four files, embedded fonts, a fixed
/// date. Nothing else exists for it.
struct Sandbox {
    main: Source,
    helpers: Source,
    data: Bytes,
    logo: Option<Bytes>,
    today: Datetime,
}

impl World for Sandbox {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        *MAIN
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN {
            Ok(self.main.clone())
        } else if id == *HELPERS_ID {
            Ok(self.helpers.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *DATA {
            Ok(self.data.clone())
        } else if id == *LOGO {
            self.logo.clone().ok_or_else(|| not_found(id))
        } else if id == *MAIN || id == *HELPERS_ID {
            Ok(Bytes::new(self.source(id)?.text().as_bytes().to_vec()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

/// The document date, as (year, month, day).
pub type Date = (i32, u8, u8);

/// Render `source` with `data` (and the logo's bytes, if any) to a PDF.
pub fn render(
    source: &str,
    data: &DocData,
    logo: Option<&[u8]>,
    today: Date,
) -> Result<Pdf, PdfError> {
    let doc = compile(source, data, logo, today)?;
    let pages = doc.pages().len();
    let options = typst_pdf::PdfOptions {
        // Reproducible output: the identifier and timestamp come from the
        // document, not from the clock.
        ident: typst::foundations::Smart::Custom(format!("{}-{}", data.kind, data.number)),
        timestamp: typst_pdf::Timestamp::new_utc(
            Datetime::from_ymd_hms(today.0, today.1, today.2, 0, 0, 0)
                .ok_or_else(|| PdfError::Export("invalid document date".into()))?,
        )
        .into(),
        ..Default::default()
    };
    let bytes = typst_pdf::pdf(&doc, &options).map_err(|e| {
        PdfError::Export(
            e.iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    Ok(Pdf { bytes, pages })
}

/// Lay the document out (no PDF yet): for tests and for `check`.
pub fn compile(
    source: &str,
    data: &DocData,
    logo: Option<&[u8]>,
    today: Date,
) -> Result<PagedDocument, PdfError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(PdfError::TooLarge);
    }
    let world = Sandbox {
        main: Source::new(*MAIN, source.to_owned()),
        helpers: Source::new(*HELPERS_ID, HELPERS.to_owned()),
        data: Bytes::new(serde_json::to_vec(data).expect("document data serialises")),
        logo: logo.map(|l| Bytes::new(l.to_vec())),
        today: Datetime::from_ymd(today.0, today.1, today.2)
            .unwrap_or(Datetime::from_ymd(2026, 1, 1).expect("a valid date")),
    };
    let result = typst::compile::<PagedDocument>(&world).output;
    // Typst memoises across compilations; keep only what recent ones used.
    typst::comemo::evict(10);
    result.map_err(|errors| PdfError::Template(describe(&world, &errors)))
}

/// "line 12: unknown variable: totl" for each error.
fn describe(world: &Sandbox, diags: &[SourceDiagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let line = d.span.id().filter(|id| *id == *MAIN).and_then(|_| {
                let range = world.range(d.span)?;
                world.main.lines().byte_to_line(range.start)
            });
            match line {
                Some(l) => format!("line {}: {}", l + 1, d.message),
                None => d.message.to_string(),
            }
        })
        .collect()
}

/// A sample document with `lines` lines, to check templates against.
pub fn sample(kind: &str, lines: usize) -> DocData {
    let title = match kind {
        "quote" => "Quote",
        "order" => "Sales order",
        _ => "Invoice",
    };
    DocData {
        kind: kind.into(),
        title: title.into(),
        number: "SAMPLE-0001".into(),
        subject: "Sample document".into(),
        status: "Sent".into(),
        currency: "GBP".into(),
        dates: vec![
            Pair::new("Issued", "1 Mar 2026"),
            Pair::new("Due", "31 Mar 2026"),
        ],
        business: Party {
            name: "Courtyard Ltd".into(),
            lines: vec!["1 High Street".into(), "London EC1A 1AA".into()],
        },
        customer: Party {
            name: "Harbour Lane Architects".into(),
            lines: vec!["Amelia Hart".into(), "12 Quay Road".into()],
        },
        lines: (1..=lines)
            .map(|i| Line {
                description: format!("Line {i}: consulting and design work"),
                quantity: "2".into(),
                unit_price: "£50.00".into(),
                discount: String::new(),
                tax: "20 %".into(),
                amount: "£100.00".into(),
            })
            .collect(),
        has_discounts: false,
        taxes: vec![Pair::new("VAT 20 % on £100.00", "£20.00")],
        totals: vec![Pair::new("Subtotal", "£100.00"), Pair::new("Tax", "£20.00")],
        grand_total: Pair::new("Total", "£120.00"),
        terms: "Payment within 30 days.".into(),
        footer: "Courtyard Ltd · Registered in England".into(),
        accent: "#1d4ed8".into(),
        has_logo: false,
    }
}

/// A 1 × 1 PNG: the logo of the samples, so a template that breaks only
/// with a logo is caught when it is saved.
pub const SAMPLE_LOGO: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 4, 0,
    0, 0, 181, 28, 12, 2, 0, 0, 0, 11, 73, 68, 65, 84, 120, 218, 99, 100, 96, 0, 0, 0, 6, 0, 2, 48,
    129, 208, 47, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A sample unlike the plain ones: long and non-ASCII text, discounts,
/// several tax rates, empty terms, many lines. A template that is slow or
/// breaks only on data like a real customer's is caught when it is saved.
pub fn varied_sample(kind: &str, lines: usize) -> DocData {
    let mut d = sample(kind, lines);
    d.number = "QUO-2026-000123".into();
    d.subject = "Refurbishment of the Ærøskøbing studio — phase 2 of 3 (“Nordlys”)".into();
    d.status = "Partly paid".into();
    d.customer = Party {
        name: "Łódź & Søn Architecture Partnership (Scandinavia, Benelux and the Baltics) Ltd"
            .into(),
        lines: vec![
            "Zoë Ångström-Øvergaard, Head of Procurement and Facilities".into(),
            "Building 7, Unit 14–16, Harbourside Technology Park".into(),
            "2100 København Ø, Danmark".into(),
            "accounts.payable+courtyard@lodz-son.example".into(),
            "VAT DK 12 34 56 78".into(),
        ],
    };
    d.lines = (1..=lines)
        .map(|i| Line {
            description: format!(
                "{i}. Site survey, measured drawings and planning application for the \
                 north wing — includes two revisions, travel and printing (ref. #{i:05})"
            ),
            quantity: format!("{}.5", i % 13 + 1),
            unit_price: "kr 12,345.67".into(),
            discount: if i % 3 == 0 {
                "15 %".into()
            } else {
                String::new()
            },
            tax: if i % 2 == 0 {
                "25 %".into()
            } else {
                "0 %".into()
            },
            amount: "kr 1,234,567.89".into(),
        })
        .collect();
    d.has_discounts = true;
    d.taxes = vec![
        Pair::new("VAT 25 % on kr 9,876,543.21", "kr 2,469,135.80"),
        Pair::new("VAT 0 % on kr 123,456.78", "kr 0.00"),
    ];
    d.totals = vec![
        Pair::new("Subtotal", "kr 9,999,999.99"),
        Pair::new("Discounts", "−kr 123,456.78"),
        Pair::new("Tax", "kr 2,469,135.80"),
        Pair::new("Paid", "kr 1,000,000.00"),
    ];
    d.grand_total = Pair::new("Balance due", "kr 11,345,679.01");
    d.currency = "DKK".into();
    d.terms = String::new();
    d.footer = String::new();
    d.accent = "#7c2d12".into();
    d
}

/// Check a template before it is saved: it must compile against a one-line
/// sample without a logo, a forty-line sample with one, and a varied
/// two-hundred-line sample, each within two seconds.
pub fn check(kind: &str, source: &str) -> Result<(), PdfError> {
    let samples = [
        (sample(kind, 1), None),
        (sample(kind, 40), Some(SAMPLE_LOGO)),
        (varied_sample(kind, 200), Some(SAMPLE_LOGO)),
    ];
    for (mut data, logo) in samples {
        let started = Instant::now();
        data.has_logo = logo.is_some();
        render(source, &data, logo, (2026, 3, 1))?;
        let ms = started.elapsed().as_millis();
        if ms > 2000 {
            return Err(PdfError::TooSlow(ms));
        }
    }
    Ok(())
}

/// Make one render so fonts, the library and caches are warm before the
/// first customer waits.
pub fn warm_up() {
    let _ = render(
        builtin("invoice"),
        &sample("invoice", 3),
        None,
        (2026, 3, 1),
    );
}
