//! The visibility policy: what a portal user may see. One place decides, and
//! its decision has two forms that can't drift apart: a [`Predicate`] the data
//! layer renders into SQL for lists and single-record reads, and an
//! [`Explanation`] for staff ("why can this person see this?") that evaluates
//! the very same conditions against one record's facts.

use std::collections::HashMap;

use crate::{Action, Grants, Module, RecordScope};

/// Who is looking.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub company_id: String,
    pub contact_id: String,
    pub scope: RecordScope,
    pub grants: Grants,
}

/// One condition on a record's columns. Column names come from this module,
/// never from input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `column = value`
    Eq(&'static str, String),
    /// `column NOT IN (values)`
    NotIn(&'static str, Vec<&'static str>),
    /// Matches nothing (module not granted).
    Never,
}

/// Everything a record must satisfy to be visible, with the rule each
/// condition stands for.
#[derive(Debug, Clone)]
pub struct Predicate(pub Vec<(Cond, &'static str)>);

/// The statuses of each record type that never reach the portal.
pub fn hidden_statuses(module: Module) -> &'static [&'static str] {
    match module {
        Module::Quotes | Module::SalesOrders | Module::Invoices => &["draft"],
        _ => &[],
    }
}

/// The predicate for `viewer` reading `module`.
pub fn predicate(viewer: &Viewer, module: Module) -> Predicate {
    if !viewer.grants.allows(module, Action::View) {
        return Predicate(vec![(
            Cond::Never,
            "The permission set does not include this module.",
        )]);
    }
    let mut conds = vec![(
        Cond::Eq("company_id", viewer.company_id.clone()),
        "The record belongs to the person's company.",
    )];
    if viewer.scope == RecordScope::Own {
        conds.push((
            Cond::Eq("contact_id", viewer.contact_id.clone()),
            "The person sees only records where they are the contact, and they are this record's contact.",
        ));
    }
    let hidden = hidden_statuses(module);
    if !hidden.is_empty() {
        conds.push((
            Cond::NotIn("status", hidden.to_vec()),
            "Drafts never reach the portal; this record is not a draft.",
        ));
    }
    Predicate(conds)
}

/// The verdict on one record, with the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub visible: bool,
    /// Every rule checked, in order, each with whether it passed.
    pub checks: Vec<(bool, String)>,
}

impl Explanation {
    /// The deciding rule: the first that failed, or a summary when all passed.
    pub fn deciding_rule(&self) -> String {
        self.checks
            .iter()
            .find(|(ok, _)| !ok)
            .map(|(_, why)| why.clone())
            .unwrap_or_else(|| "Every rule passes: the person can see this record.".into())
    }
}

fn negate(rule: &str, cond: &Cond, facts: &HashMap<&str, Option<String>>) -> String {
    match cond {
        Cond::Never => rule.to_owned(),
        Cond::Eq("company_id", _) => "The record belongs to another company.".into(),
        Cond::Eq("contact_id", _) => "The person sees only records where they are the contact, and this record's contact is someone else.".into(),
        Cond::NotIn("status", _) => format!(
            "The record is a {} and drafts never reach the portal.",
            facts.get("status").cloned().flatten().unwrap_or_default()
        ),
        _ => format!("Not satisfied: {rule}"),
    }
}

impl Predicate {
    /// Evaluate against one record's column values.
    pub fn explain(&self, facts: &HashMap<&str, Option<String>>) -> Explanation {
        let checks: Vec<(bool, String)> = self
            .0
            .iter()
            .map(|(cond, rule)| {
                let ok = match cond {
                    Cond::Never => false,
                    Cond::Eq(col, v) => {
                        facts.get(col).cloned().flatten().as_deref() == Some(v.as_str())
                    }
                    Cond::NotIn(col, vs) => facts
                        .get(col)
                        .cloned()
                        .flatten()
                        .is_some_and(|x| !vs.contains(&x.as_str())),
                };
                (
                    ok,
                    if ok {
                        (*rule).to_owned()
                    } else {
                        negate(rule, cond, facts)
                    },
                )
            })
            .collect();
        Explanation {
            visible: checks.iter().all(|(ok, _)| *ok),
            checks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(scope: RecordScope, grants: &[&str]) -> Viewer {
        Viewer {
            company_id: "co-1".into(),
            contact_id: "ct-1".into(),
            scope,
            grants: Grants::from_keys(grants.iter().copied()),
        }
    }

    fn facts(company: &str, contact: &str, status: &str) -> HashMap<&'static str, Option<String>> {
        HashMap::from([
            ("company_id", Some(company.to_owned())),
            ("contact_id", Some(contact.to_owned())),
            ("status", Some(status.to_owned())),
        ])
    }

    #[test]
    fn company_scope_sees_the_company_s_non_draft_records() {
        let p = predicate(
            &viewer(RecordScope::Company, &["invoices:view"]),
            Module::Invoices,
        );
        assert!(p.explain(&facts("co-1", "ct-2", "unpaid")).visible);
        let other = p.explain(&facts("co-2", "ct-1", "unpaid"));
        assert!(!other.visible);
        assert_eq!(
            other.deciding_rule(),
            "The record belongs to another company."
        );
        let draft = p.explain(&facts("co-1", "ct-1", "draft"));
        assert!(!draft.visible);
        assert!(draft.deciding_rule().contains("draft"));
    }

    #[test]
    fn own_scope_sees_only_records_where_they_are_the_contact() {
        let p = predicate(
            &viewer(RecordScope::Own, &["invoices:view"]),
            Module::Invoices,
        );
        assert!(p.explain(&facts("co-1", "ct-1", "paid")).visible);
        let colleague = p.explain(&facts("co-1", "ct-2", "paid"));
        assert!(!colleague.visible);
        assert!(colleague.deciding_rule().contains("someone else"));
    }

    #[test]
    fn a_module_not_granted_shows_nothing() {
        let p = predicate(
            &viewer(RecordScope::Company, &["quotes:view"]),
            Module::Invoices,
        );
        let e = p.explain(&facts("co-1", "ct-1", "paid"));
        assert!(!e.visible);
        assert!(e.deciding_rule().contains("permission set"));
    }
}
