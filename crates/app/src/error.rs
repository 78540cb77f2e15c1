//! The use-case error: the web layer turns each variant into a status code
//! and a message; internal causes are logged, never shown.

use courtyard_db::DbError;
use courtyard_domain::{FieldCode, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Does not exist, or is outside the caller's scope: the same answer for both.
    #[error("not found")]
    NotFound,
    /// Denied inside the caller's own company.
    #[error("forbidden")]
    Forbidden,
    /// Submitted values were refused, with a message per field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The request can't be done in the record's current state.
    #[error("{0}")]
    Conflict(String),
    /// A login or link was refused; the message is safe to show.
    #[error("{0}")]
    Refused(String),
    /// Too much work queued right now; the message says to try again.
    #[error("{0}")]
    Busy(String),
    #[error("too many attempts")]
    RateLimited { retry_after_secs: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl AppError {
    /// A stable code for the kind of error, beside the English message: what
    /// an API client or a translation keys on (`not_found`, `invalid`, …).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::Refused(_) => "refused",
            AppError::Busy(_) => "busy",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn field(field: &'static str, code: FieldCode, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, code, message)])
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects field errors while a form is parsed.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &'static str, code: FieldCode, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Keep the value, or note the error and return `None`.
    pub fn take<T, E: ToString>(
        &mut self,
        field: &'static str,
        code: FieldCode,
        r: Result<T, E>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, code, e.to_string());
                None
            }
        }
    }

    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}
