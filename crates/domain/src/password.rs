//! Password policy: at least 12 characters and not on a bundled list of
//! common passwords (NIST SP 800-63B style: length and a blocklist, no
//! composition rules).

use std::fmt;

const MIN_CHARS: usize = 12;
const MAX_CHARS: usize = 256;
static COMMON: &str = include_str!("common-passwords.txt");

/// Why a proposed password was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
    SameAsEmail,
}

impl PasswordProblem {
    /// The field code of the problem: a password too long is `too_long`,
    /// any other refusal `weak_password`.
    pub fn code(&self) -> crate::FieldCode {
        match self {
            Self::TooLong => crate::FieldCode::TooLong,
            _ => crate::FieldCode::WeakPassword,
        }
    }
}

impl fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooShort => "Use at least 12 characters.",
            Self::TooLong => "Use at most 256 characters.",
            Self::Common => "This password is too common. Choose one that is harder to guess.",
            Self::SameAsEmail => "Your password must not be your email address.",
        })
    }
}

/// A password that meets the policy. Never printed.
pub struct NewPassword(String);

impl NewPassword {
    /// Check a proposed password for the account with this email.
    pub fn parse(raw: &str, email: Option<&str>) -> Result<Self, PasswordProblem> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        let lower = raw.to_lowercase();
        if COMMON.lines().any(|c| c == lower) {
            return Err(PasswordProblem::Common);
        }
        if email.is_some_and(|e| e.eq_ignore_ascii_case(raw.trim())) {
            return Err(PasswordProblem::SameAsEmail);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_email_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("elevenchars", None).unwrap_err(),
            PasswordProblem::TooShort
        );
        assert_eq!(
            NewPassword::parse("Password1234", None).unwrap_err(),
            PasswordProblem::Common
        );
        assert_eq!(
            NewPassword::parse("ada@example.com", Some("ada@example.com")).unwrap_err(),
            PasswordProblem::SameAsEmail
        );
        assert!(NewPassword::parse("tulip-harbour-quietly-9", None).is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            NewPassword::parse("ééééééééééé", None).unwrap_err(),
            PasswordProblem::TooShort
        );
        assert!(NewPassword::parse("éééééééééééé", None).is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let p = NewPassword::parse("tulip-harbour-quietly-9", None).unwrap();
        assert!(!format!("{p:?}").contains("tulip"));
    }
}
