//! Multipart forms: the one reader every upload handler uses, and what can
//! go wrong with an upload, in words. The CSRF layer has checked the token
//! in the first part and bounds the body (docs/adr/0012).

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use courtyard_app::domain::files::human_size;

use crate::kit::state::AppState;

/// Why an upload brought no file.
pub(crate) enum UploadProblem {
    Missing,
    TooLarge,
    Broken,
}

impl UploadProblem {
    pub(crate) fn message(&self, s: &AppState) -> String {
        match self {
            Self::Missing => "Choose a file to upload.".to_owned(),
            Self::TooLarge => format!(
                "The file is too large: the limit is {}.",
                human_size(s.app.config.files.max_upload_bytes)
            ),
            Self::Broken => "The upload did not complete (the connection may have dropped). Nothing was saved; please try again.".to_owned(),
        }
    }

    pub(crate) fn into_response(self, s: &AppState) -> Response {
        let status = match self {
            Self::Missing => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Broken => StatusCode::BAD_REQUEST,
        };
        crate::kit::error::error_page(status, "The file was not uploaded", &self.message(s))
    }
}

/// A multipart form's text fields and its file (if any, and if read whole).
pub(crate) struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Result<(String, Bytes), UploadProblem>,
}

impl Upload {
    pub fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Read every field of a multipart form; the file within the upload limit.
pub(crate) async fn read_upload(
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Upload {
    let mut fields = vec![];
    let mut file = Err(UploadProblem::Missing);
    let Ok(mut m) = m else {
        return Upload { fields, file };
    };
    loop {
        match m.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                if name == "file" {
                    let filename = field.file_name().unwrap_or("").to_owned();
                    file = match field.bytes().await {
                        Ok(b) if filename.is_empty() && b.is_empty() => Err(UploadProblem::Missing),
                        Ok(b) => Ok((filename, b)),
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            Err(UploadProblem::TooLarge)
                        }
                        Err(_) => Err(UploadProblem::Broken),
                    };
                } else if let Ok(text) = field.text().await {
                    fields.push((name, text));
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                file = Err(UploadProblem::TooLarge);
                break;
            }
            Err(_) => {
                file = Err(UploadProblem::Broken);
                break;
            }
        }
    }
    Upload { fields, file }
}
