//! Every path the app hands out — in emails, notices, the staff's attention
//! list, "why" lists — built in one place from the record type. The web
//! router serves exactly these paths (its tests follow them).

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

/// A record's staff page.
pub fn staff_record(kind: RecordKind, id: &str) -> String {
    format!("{}/{id}", staff_list(kind))
}

/// A record type's portal list.
pub fn portal_list(kind: RecordKind) -> &'static str {
    kind.module().portal_path()
}

/// A record's portal page.
pub fn portal_record(kind: RecordKind, id: &str) -> String {
    format!("{}/{id}", portal_list(kind))
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
            assert!(seen.insert(portal_list(k)), "{k:?}");
            assert_eq!(staff_record(k, "x"), format!("/staff{}/x", portal_list(k)));
        }
    }
}
