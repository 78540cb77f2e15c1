//! The staff paths of records the app hands out (in first-view emails,
//! upload notices, file pages, "why" and view-as lists), built from the
//! record type in one place. Still built by hand elsewhere: the account
//! links in `auth` and the invitation link in `portal_users`.

use courtyard_domain::RecordKind;

/// A record type's staff list.
pub const fn staff_list(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Quote => "/staff/quotes",
        RecordKind::Order => "/staff/orders",
        RecordKind::Invoice => "/staff/invoices",
        RecordKind::Job => "/staff/jobs",
        RecordKind::Ticket => "/staff/tickets",
        RecordKind::Project => "/staff/projects",
        RecordKind::Task => "/staff/tasks",
    }
}

/// A record type's staff list filtered to one status (the overview's cards).
pub fn staff_list_with_status(kind: RecordKind, status: &str) -> String {
    format!("{}?status={status}", staff_list(kind))
}

/// A record's staff page.
pub fn staff_record(kind: RecordKind, id: &str) -> String {
    format!("{}/{id}", staff_list(kind))
}

/// A document's staff page.
pub fn staff_document(id: &str) -> String {
    format!("/staff/documents/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_type_has_its_own_lists() {
        let mut seen = std::collections::HashSet::new();
        for k in RecordKind::ALL.iter().copied() {
            assert!(seen.insert(staff_list(k)), "{k:?}");
            assert_eq!(
                staff_record(k, "x"),
                format!("/staff{}/x", k.module().portal_path())
            );
        }
    }
}
