//! Whether a person may use the portal at all: the company's setting, the
//! person's own override and the user's access window.

use crate::FieldCode;
use time::Date;

/// A company's portal access setting (WORKetc's "all people" / "selected people").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyPortalAccess {
    Off,
    AllPeople,
    SelectedPeople,
}

/// A person's own setting, which overrides the company's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactPortalAccess {
    /// Follow the company: allowed when the company allows all people.
    Inherit,
    /// Allowed, whatever the company says (a "selected" person).
    On,
    /// Refused, whatever the company says.
    Off,
}

impl CompanyPortalAccess {
    pub const ALL: &'static [Self] = &[Self::Off, Self::AllPeople, Self::SelectedPeople];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::AllPeople => "all",
            Self::SelectedPeople => "selected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Off",
            Self::AllPeople => "Enabled for all people",
            Self::SelectedPeople => "Enabled for selected people",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

impl ContactPortalAccess {
    pub const ALL: &'static [Self] = &[Self::Inherit, Self::On, Self::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inherit => "inherit",
            Self::On => "on",
            Self::Off => "off",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Inherit => "Same as company",
            Self::On => "On",
            Self::Off => "Off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Optional first and last day on which a portal user may log in (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccessWindow {
    pub from: Option<Date>,
    pub until: Option<Date>,
}

/// Why a person may not use the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessDenied {
    NoCompany,
    CompanyOff,
    NotSelected,
    PersonOff,
    NotYetOpen,
    Ended,
}

impl AccessDenied {
    /// A reason staff can read; customers only ever see a generic message.
    pub fn explain(self) -> &'static str {
        match self {
            Self::NoCompany => "The person is not linked to a company.",
            Self::CompanyOff => "Portal access is off for the company.",
            Self::NotSelected => {
                "The company allows selected people only, and this person is not selected."
            }
            Self::PersonOff => "Portal access is switched off for this person.",
            Self::NotYetOpen => "The access window has not started yet.",
            Self::Ended => "The access window has ended.",
        }
    }
}

impl AccessWindow {
    pub fn parse(from: &str, until: &str) -> Result<Self, crate::FieldError> {
        let one = |field: &'static str, raw: &str| -> Result<Option<Date>, crate::FieldError> {
            if raw.trim().is_empty() {
                return Ok(None);
            }
            crate::parse_date(raw).map(Some).ok_or_else(|| {
                crate::FieldError::new(field, FieldCode::Format, "Enter a date as YYYY-MM-DD.")
            })
        };
        let w = Self {
            from: one("access_from", from)?,
            until: one("access_until", until)?,
        };
        if let (Some(f), Some(u)) = (w.from, w.until) {
            if u < f {
                return Err(crate::FieldError::new(
                    "access_until",
                    FieldCode::OutOfRange,
                    "The end date must not be before the start date.",
                ));
            }
        }
        Ok(w)
    }

    pub fn check(&self, today: Date) -> Result<(), AccessDenied> {
        if self.from.is_some_and(|f| today < f) {
            return Err(AccessDenied::NotYetOpen);
        }
        if self.until.is_some_and(|u| today > u) {
            return Err(AccessDenied::Ended);
        }
        Ok(())
    }
}

/// Decide whether a person may use the portal today.
pub fn portal_access(
    company: Option<CompanyPortalAccess>,
    person: ContactPortalAccess,
    window: &AccessWindow,
    today: Date,
) -> Result<(), AccessDenied> {
    match person {
        ContactPortalAccess::Off => return Err(AccessDenied::PersonOff),
        ContactPortalAccess::On => {
            if company.is_none() {
                return Err(AccessDenied::NoCompany);
            }
        }
        ContactPortalAccess::Inherit => match company {
            None => return Err(AccessDenied::NoCompany),
            Some(CompanyPortalAccess::Off) => return Err(AccessDenied::CompanyOff),
            Some(CompanyPortalAccess::SelectedPeople) => return Err(AccessDenied::NotSelected),
            Some(CompanyPortalAccess::AllPeople) => {}
        },
    }
    window.check(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 06 - 15);

    #[test]
    fn person_setting_overrides_company() {
        use CompanyPortalAccess as C;
        use ContactPortalAccess as P;
        let w = AccessWindow::default();
        assert_eq!(
            portal_access(Some(C::AllPeople), P::Inherit, &w, TODAY),
            Ok(())
        );
        assert_eq!(
            portal_access(Some(C::Off), P::Inherit, &w, TODAY),
            Err(AccessDenied::CompanyOff)
        );
        assert_eq!(
            portal_access(Some(C::SelectedPeople), P::Inherit, &w, TODAY),
            Err(AccessDenied::NotSelected)
        );
        assert_eq!(
            portal_access(Some(C::SelectedPeople), P::On, &w, TODAY),
            Ok(())
        );
        assert_eq!(portal_access(Some(C::Off), P::On, &w, TODAY), Ok(()));
        assert_eq!(
            portal_access(Some(C::AllPeople), P::Off, &w, TODAY),
            Err(AccessDenied::PersonOff)
        );
        assert_eq!(
            portal_access(None, P::On, &w, TODAY),
            Err(AccessDenied::NoCompany)
        );
    }

    #[test]
    fn window_is_inclusive() {
        let w = AccessWindow::parse("2026-06-15", "2026-06-15").unwrap();
        assert_eq!(w.check(TODAY), Ok(()));
        assert_eq!(w.check(date!(2026 - 06 - 16)), Err(AccessDenied::Ended));
        assert_eq!(
            w.check(date!(2026 - 06 - 14)),
            Err(AccessDenied::NotYetOpen)
        );
        assert!(AccessWindow::parse("2026-06-15", "2026-06-01").is_err());
        assert!(AccessWindow::parse("15/06/2026", "").is_err());
    }
}
