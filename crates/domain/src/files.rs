//! What may be uploaded: allowed types checked by extension *and* by the
//! file's first bytes, and the user's filename kept only as a display name.

string_enum!(
    /// An allowed file type.
    FileKind {
        Pdf = "pdf" / "PDF document",
        Png = "png" / "PNG image",
        Jpeg = "jpeg" / "JPEG image",
        Gif = "gif" / "GIF image",
        Webp = "webp" / "WebP image",
        Text = "text" / "Text file",
        Csv = "csv" / "CSV file",
        Docx = "docx" / "Word document",
        Xlsx = "xlsx" / "Excel workbook",
    }
);

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    TooLarge {
        limit: u64,
    },
    /// The extension is not one we accept.
    TypeNotAllowed,
    /// The bytes are not what the extension says.
    ContentMismatch,
}

impl FileProblem {
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "The file is empty. Choose the file again.".into(),
            Self::TooLarge { limit } => format!(
                "The file is too large: the limit is {}.",
                human_size(*limit)
            ),
            Self::TypeNotAllowed => {
                "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), a text or CSV file, or a Word or Excel document.".into()
            }
            Self::ContentMismatch => {
                "The file's contents do not match its name (for example, a renamed file). Upload the original file.".into()
            }
        }
    }
}

/// `1.5 MB`, `300 KB`, `12 bytes`.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Text => "text/plain; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Gif | Self::Webp)
    }

    fn from_extension(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => Self::Pdf,
            "png" => Self::Png,
            "jpg" | "jpeg" => Self::Jpeg,
            "gif" => Self::Gif,
            "webp" => Self::Webp,
            "txt" => Self::Text,
            "csv" => Self::Csv,
            "docx" => Self::Docx,
            "xlsx" => Self::Xlsx,
            _ => return None,
        })
    }

    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            Self::Pdf => bytes.starts_with(b"%PDF-"),
            Self::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            Self::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            Self::Webp => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
            // Office documents are zip archives.
            Self::Docx | Self::Xlsx => bytes.starts_with(b"PK\x03\x04"),
            // Text: UTF-8 without NUL bytes, and nothing a browser would
            // sniff as markup.
            Self::Text | Self::Csv => std::str::from_utf8(bytes).is_ok_and(|s| {
                let head = s.trim_start().get(..64).unwrap_or(s.trim_start());
                let head = head.to_ascii_lowercase();
                !s.contains('\0')
                    && !["<!doctype", "<html", "<svg", "<script", "<?xml"]
                        .iter()
                        .any(|m| head.starts_with(m))
            }),
        }
    }

    /// Check an upload: its name's extension must be allowed and its bytes
    /// must be that type.
    pub fn check(name: &str, bytes: &[u8], limit: u64) -> Result<Self, FileProblem> {
        if bytes.is_empty() {
            return Err(FileProblem::Empty);
        }
        if bytes.len() as u64 > limit {
            return Err(FileProblem::TooLarge { limit });
        }
        let kind = Self::from_extension(name).ok_or(FileProblem::TypeNotAllowed)?;
        if !kind.matches(bytes) {
            return Err(FileProblem::ContentMismatch);
        }
        Ok(kind)
    }
}

/// The name shown for a file: the last path segment of what the browser
/// sent, without control characters, at most 120 characters, never empty.
/// It is only ever displayed and put in a quoted header, never used as a path.
/// Unicode format characters (category Cf): bidirectional overrides and
/// isolates, zero-width characters, the byte-order mark, tag characters. In
/// a file name they disguise it ("invoice\u{202E}fdp.exe" shows as
/// "invoiceexe.pdf"), so they are dropped.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(120)
        .collect();
    if clean.is_empty() {
        "file".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    #[test]
    fn types_are_checked_by_extension_and_content() {
        assert_eq!(
            FileKind::check("a.pdf", b"%PDF-1.7 ...", MB),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            FileKind::check("A.PNG", b"\x89PNG\r\n\x1a\nxxxx", MB),
            Ok(FileKind::Png)
        );
        assert_eq!(
            FileKind::check("notes.txt", b"hello", MB),
            Ok(FileKind::Text)
        );
        assert_eq!(
            FileKind::check("page.html", b"<html>", MB),
            Err(FileProblem::TypeNotAllowed)
        );
        assert_eq!(
            FileKind::check("logo.svg", b"<svg onload=alert(1)>", MB),
            Err(FileProblem::TypeNotAllowed)
        );
        assert_eq!(
            FileKind::check("invoice.pdf", b"<html><script>", MB),
            Err(FileProblem::ContentMismatch)
        );
        assert_eq!(
            FileKind::check("notes.txt", b"<!DOCTYPE html><p>", MB),
            Err(FileProblem::ContentMismatch)
        );
        assert_eq!(FileKind::check("a.pdf", b"", MB), Err(FileProblem::Empty));
        assert_eq!(
            FileKind::check("a.txt", &[b'a'; 11], 10),
            Err(FileProblem::TooLarge { limit: 10 })
        );
        assert_eq!(
            FileKind::check("a.txt", &[b'a'; 10], 10),
            Ok(FileKind::Text)
        );
    }

    #[test]
    fn display_names_are_the_last_segment_without_control_characters() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\ada\\plan.pdf"), "plan.pdf");
        assert_eq!(display_name("a\u{0}b\r\n.pdf"), "ab.pdf");
        assert_eq!(display_name("../"), "file");
        assert_eq!(display_name(".htaccess"), "htaccess");
        assert_eq!(display_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(
            display_name("\u{2067}plan\u{200B}\u{FEFF}.pdf\u{2069}"),
            "plan.pdf"
        );
    }
}
