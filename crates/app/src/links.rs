//! The paths the app hands out, each built in one place: records' (in
//! first-view emails, upload notices, file pages, "why" and view-as lists),
//! from the record type; and the account links a one-time token opens
//! (emailed, or printed by the shell), which the web routes serve and the
//! pages post back to.

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

/// A record type's portal list filtered to some statuses, with further
/// query pairs (the home page's "View all"). Keys and values are codes
/// (`[a-z_]`), which need no escaping.
pub fn portal_list_filtered(kind: RecordKind, statuses: &[&str], more: &[(&str, &str)]) -> String {
    let query: Vec<String> = statuses
        .iter()
        .map(|s| format!("status={s}"))
        .chain(more.iter().map(|(k, v)| format!("{k}={v}")))
        .collect();
    if query.is_empty() {
        kind.module().portal_path().to_owned()
    } else {
        format!("{}?{}", kind.module().portal_path(), query.join("&"))
    }
}

/// A record's staff page.
pub fn staff_record(kind: RecordKind, id: &str) -> String {
    format!("{}/{id}", staff_list(kind))
}

/// A document's staff page.
pub fn staff_document(id: &str) -> String {
    format!("/staff/documents/{id}")
}

/// A portal user's "choose a new password" link.
pub fn password_reset(token: &str) -> String {
    format!("/reset/{token}")
}

/// A portal user's invitation: accepting it sets their password.
pub fn invitation(token: &str) -> String {
    format!("/invitation/{token}")
}

/// A staff member's "set your password" link.
pub fn staff_password(token: &str) -> String {
    format!("/staff/password/{token}")
}

/// The one-time link that creates the first owner.
pub fn staff_setup(token: &str) -> String {
    format!("/staff/setup/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_list_behind_a_home_card_keeps_its_filters() {
        assert_eq!(
            portal_list_filtered(RecordKind::Invoice, &["overdue", "unpaid"], &[]),
            "/invoices?status=overdue&status=unpaid"
        );
        assert_eq!(
            portal_list_filtered(RecordKind::Task, &["open"], &[("assigned", "me")]),
            "/tasks?status=open&assigned=me"
        );
        assert_eq!(portal_list_filtered(RecordKind::Job, &[], &[]), "/jobs");
    }

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
