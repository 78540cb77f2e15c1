//! Courtyard's domain: pure types and rules, no I/O.
//!
//! Values that come from the outside world are parsed here once
//! (`EmailAddress::parse`, `NewPassword::parse`, …) so the rest of the code can't
//! hold an invalid one.

/// A closed set of values stored as strings: `ALL`, `as_str`, `label`, `parse`.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        /// How a stored value is read: an unknown one is an error, never a
        /// silent default.
        impl TryFrom<String> for $name {
            type Error = $crate::UnknownValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).ok_or($crate::UnknownValue { of: stringify!($name), value: s })
            }
        }
    };
}

/// A stored value that is none of its type's values (a row written by a
/// newer version, or by hand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub of: &'static str,
    pub value: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not a {}", self.value, self.of)
    }
}

impl std::error::Error for UnknownValue {}

pub mod access;
pub mod email;
pub mod files;
pub mod invoice;
pub mod money;
pub mod password;
pub mod permissions;
pub mod policy;
pub mod portal_user;
pub mod record_kind;
pub mod records;
pub mod staff;

pub use access::{
    portal_access, AccessDenied, AccessWindow, CompanyPortalAccess, ContactPortalAccess,
};
pub use email::EmailAddress;
pub use password::{NewPassword, PasswordProblem};
pub use permissions::{Action, Grant, Grants, Module, RecordScope};
pub use portal_user::{PortalUserState, StateChange};
pub use record_kind::{Family, RecordKind, SalesKind, WorkKind};
pub use staff::StaffRole;

/// A problem with one field of a submitted form, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    /// What is wrong, as a stable code: what an API client or a translation
    /// keys on, beside the English `message` people read.
    pub code: FieldCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}

/// What is wrong with a submitted field. The codes are part of the API
/// (the JSON error envelope names them): add new ones, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldCode {
    /// Nothing was entered where something must be.
    Required,
    /// The value is not one of the choices offered (or none was made).
    InvalidChoice,
    /// Longer than the field allows.
    TooLong,
    /// Not in the expected form (a date, an amount, an email, a colour).
    Format,
    /// Well formed, but outside what is allowed (a date before another,
    /// more paid than the total).
    OutOfRange,
    /// Another record already has this value.
    Taken,
    /// Two values that must match do not (a repeated password).
    Mismatch,
    /// The password is refused by the password policy.
    WeakPassword,
    /// The current password given is not the person's.
    WrongPassword,
    /// It refers to something that no longer exists.
    Gone,
    /// Not allowed for this record in its current state.
    NotAllowed,
    /// The record changed since the form was shown.
    Changed,
    /// A file refused: too large, empty, of a type not accepted, unreadable.
    File,
    /// It could not be checked now (a service is busy or down): try again.
    Unavailable,
}

impl FieldCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::InvalidChoice => "invalid_choice",
            Self::TooLong => "too_long",
            Self::Format => "format",
            Self::OutOfRange => "out_of_range",
            Self::Taken => "taken",
            Self::Mismatch => "mismatch",
            Self::WeakPassword => "weak_password",
            Self::WrongPassword => "wrong_password",
            Self::Gone => "gone",
            Self::NotAllowed => "not_allowed",
            Self::Changed => "changed",
            Self::File => "file",
            Self::Unavailable => "unavailable",
        }
    }
}

/// Trim a free-text field and turn the empty string into `None`.
pub fn optional_text(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Parse a `YYYY-MM-DD` date typed by a person (surrounding spaces allowed).
pub fn parse_date(raw: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw.trim(), &fmt).ok()
}

/// Normalise a comma-separated tag list: trimmed, lower-case, unique, sorted.
pub fn parse_tags(raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = raw
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t.len() <= 40)
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        assert_eq!(parse_tags(" VIP, trade ,vip,, "), vec!["trade", "vip"]);
        assert!(parse_tags("  ").is_empty());
    }
}
