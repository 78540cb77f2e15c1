//! Files as record pages show them, and the headers every download of a
//! stored file gets: attachment, no sniffing, a sandbox CSP, no caching.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use courtyard_app::domain::files::{display_name, human_size, FileKind};
use courtyard_app::files::FileRow;

use crate::kit::layout::when;

/// A file as listed on a record's page.
pub(crate) struct FileView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub by: String,
    pub when: String,
    pub shared: bool,
    /// A short type tag shown as the file's icon: PDF, IMG, TXT, …
    pub tag: &'static str,
    /// Whether an image thumbnail replaces the tag.
    pub thumb: bool,
    /// The message it came with, if any.
    pub comment_id: Option<String>,
}

/// A short type tag shown as a file's icon: PDF, IMG, TXT, …
pub(crate) fn file_tag(kind: &str) -> &'static str {
    match FileKind::parse(kind) {
        Some(FileKind::Pdf) => "PDF",
        Some(k) if k.is_image() => "IMG",
        Some(FileKind::Csv) => "CSV",
        Some(FileKind::Docx) => "DOC",
        Some(FileKind::Xlsx) => "XLS",
        _ => "TXT",
    }
}

pub(crate) fn views(rows: &[FileRow]) -> Vec<FileView> {
    rows.iter()
        .map(|f| FileView {
            id: f.id.clone(),
            // Names stored before format characters were dropped lose them here.
            name: display_name(&f.display_name),
            size: human_size(f.size as u64),
            by: f.uploaded_by_name.clone(),
            when: when(f.created_at),
            shared: f.shared == 1,
            tag: file_tag(&f.kind),
            thumb: f.thumb_key.is_some(),
            comment_id: f.comment_id.clone(),
        })
        .collect()
}

/// No sniffing and a sandbox CSP: what we serve from a file is never run.
pub(crate) fn sandboxed(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
}

/// A download a browser saves and never renders: attachment with an RFC 6266
/// filename, no sniffing, a sandbox CSP and no caching.
pub(crate) fn attachment(bytes: Bytes, content_type: &'static str, name: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    sandboxed(h);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) fn file_response(f: &FileRow, bytes: Bytes) -> Response {
    let kind = FileKind::parse(&f.kind).unwrap_or(FileKind::Pdf);
    attachment(bytes, kind.content_type(), &display_name(&f.display_name))
}

/// A thumbnail is an image we made ourselves (PNG); same headers otherwise,
/// but it may be shown inline. Not cached, like every authenticated answer:
/// a shared computer's cache must not keep a customer's pictures.
pub(crate) fn thumb_response(bytes: Bytes) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    sandboxed(h);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A PDF download: an attachment named after the document, never cached,
/// never sniffed.
pub(crate) fn pdf_response(f: courtyard_app::pdf::PdfFile) -> Response {
    attachment(f.bytes.into(), "application/pdf", &f.filename)
}
