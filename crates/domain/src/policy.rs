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
    pub portal_user_id: String,
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
    /// `column = 1`: a record flag such as "show on portal".
    Flag(&'static str),
    /// `column` names a project shown on the portal, of the viewer's company,
    /// where the viewer (this portal user id) is a member.
    InMemberProject {
        column: &'static str,
        portal_user_id: String,
        company_id: String,
    },
    /// A document's audience reaches the viewer: every portal user
    /// (`public`), their company (`company`; with own scope, only documents
    /// not tied to another contact), them (`contact`), or a project shown on
    /// the portal with its documents where they are a member (`project`,
    /// only with the projects module).
    DocumentAudience {
        company_id: String,
        contact_id: String,
        portal_user_id: String,
        own: bool,
        projects: bool,
    },
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
///
/// Company records (quotes, orders, invoices, jobs, tickets) belong to a
/// company and name a contact; projects are seen by their portal members
/// only, and only while shown on the portal; tasks are seen through their
/// project, and own-scope members see only the tasks assigned to them
/// (docs/adr/0008).
pub fn predicate(viewer: &Viewer, module: Module) -> Predicate {
    if !viewer.grants.allows(module, Action::View) {
        return Predicate(vec![(
            Cond::Never,
            "The permission set does not include this module.",
        )]);
    }
    let member = |column| Cond::InMemberProject {
        column,
        portal_user_id: viewer.portal_user_id.clone(),
        company_id: viewer.company_id.clone(),
    };
    match module {
        Module::Documents => {
            return Predicate(vec![
                (
                    Cond::Flag("shared"),
                    "The document is shared with the portal.",
                ),
                (
                    Cond::DocumentAudience {
                        company_id: viewer.company_id.clone(),
                        contact_id: viewer.contact_id.clone(),
                        portal_user_id: viewer.portal_user_id.clone(),
                        own: viewer.scope == RecordScope::Own,
                        projects: viewer.grants.allows(Module::Projects, Action::View),
                    },
                    "The document is shared with everyone, the person's company, the person, or a project they are a member of.",
                ),
            ])
        }
        Module::Projects => {
            return Predicate(vec![
                (
                    Cond::Eq("company_id", viewer.company_id.clone()),
                    "The project belongs to the person's company.",
                ),
                (
                    Cond::Flag("show_on_portal"),
                    "The project is shown on the portal.",
                ),
                (
                    member("id"),
                    "The person is one of the project's portal members.",
                ),
            ])
        }
        Module::Tasks => {
            // Tasks are seen through their project.
            if !viewer.grants.allows(Module::Projects, Action::View) {
                return Predicate(vec![(
                    Cond::Never,
                    "The permission set does not include projects, and tasks are seen through their project.",
                )]);
            }
            let mut conds = vec![
                (
                    Cond::Eq("company_id", viewer.company_id.clone()),
                    "The task belongs to the person's company.",
                ),
                (
                    member("project_id"),
                    "The task's project is shown on the portal and the person is one of its members.",
                ),
            ];
            if viewer.scope == RecordScope::Own {
                conds.push((
                    Cond::Eq("assignee_id", viewer.portal_user_id.clone()),
                    "The person sees only tasks assigned to them, and this one is.",
                ));
            }
            return Predicate(conds);
        }
        _ => {}
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
        Cond::Eq("assignee_id", _) => "The person sees only tasks assigned to them, and this one is not.".into(),
        Cond::Flag("show_on_portal") => "The project is not shown on the portal.".into(),
        Cond::Flag("shared") => "The document is not shared with the portal yet.".into(),
        Cond::DocumentAudience { projects, .. } => match facts
            .get("audience")
            .cloned()
            .flatten()
            .as_deref()
        {
            Some("company") => "The document is for another company, or for a colleague's eyes only.".into(),
            Some("contact") => "The document is for another person.".into(),
            Some("project") if !projects => {
                "The document is for a project, and the permission set does not include projects.".into()
            }
            Some("project") => "The document is for a project the person is not a member of, or whose documents are not shown on the portal.".into(),
            _ => format!("Not satisfied: {rule}"),
        },
        Cond::InMemberProject { column: "id", .. } => {
            "The person is not one of the project's portal members.".into()
        }
        Cond::InMemberProject { .. } => {
            "The task's project is hidden from the portal or the person is not one of its members."
                .into()
        }
        Cond::NotIn("status", _) => format!(
            "The record is a {} and drafts never reach the portal.",
            facts.get("status").cloned().flatten().unwrap_or_default()
        ),
        _ => format!("Not satisfied: {rule}"),
    }
}

impl Predicate {
    /// Evaluate against one record's column values (and, for projects and
    /// tasks, the fact `member`: "1" when the person is a member of the
    /// project shown on the portal).
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
                    Cond::Flag(col) => facts.get(col).cloned().flatten().as_deref() == Some("1"),
                    // The caller states membership as the fact `member`.
                    Cond::InMemberProject { .. } => {
                        facts.get("member").cloned().flatten().as_deref() == Some("1")
                    }
                    Cond::DocumentAudience {
                        company_id,
                        contact_id,
                        own,
                        projects,
                        ..
                    } => {
                        let fact = |k: &str| facts.get(k).cloned().flatten();
                        match fact("audience").as_deref() {
                            Some("public") => true,
                            Some("company") => {
                                fact("company_id").as_deref() == Some(company_id.as_str())
                                    && (!own || fact("contact_id").is_none_or(|c| c == *contact_id))
                            }
                            Some("contact") => {
                                fact("contact_id").as_deref() == Some(contact_id.as_str())
                            }
                            // `member`: a member of the project, shown on the
                            // portal with its documents.
                            Some("project") => *projects && fact("member").as_deref() == Some("1"),
                            _ => false,
                        }
                    }
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
            portal_user_id: "pu-1".into(),
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

    #[test]
    fn own_scope_members_see_only_their_own_tasks() {
        let company = predicate(
            &viewer(RecordScope::Company, &["projects:view", "tasks:view"]),
            Module::Tasks,
        );
        let own = predicate(
            &viewer(RecordScope::Own, &["projects:view", "tasks:view"]),
            Module::Tasks,
        );
        let mut f = facts("co-1", "", "open");
        f.insert("member", Some("1".into()));
        f.insert("assignee_id", Some("pu-2".into()));
        assert!(company.explain(&f).visible);
        let e = own.explain(&f);
        assert!(!e.visible);
        assert!(e.deciding_rule().contains("assigned to them"));
        f.insert("assignee_id", Some("pu-1".into()));
        assert!(own.explain(&f).visible);
        // Without the projects module, no tasks at all.
        let no_projects = predicate(
            &viewer(RecordScope::Company, &["tasks:view"]),
            Module::Tasks,
        );
        assert!(!no_projects.explain(&f).visible);
    }

    #[test]
    fn projects_are_seen_by_members_while_shown_on_the_portal() {
        let p = predicate(
            &viewer(RecordScope::Company, &["projects:view"]),
            Module::Projects,
        );
        let mut f = facts("co-1", "ct-2", "active");
        f.insert("show_on_portal", Some("1".into()));
        f.insert("member", Some("1".into()));
        assert!(p.explain(&f).visible);
        f.insert("member", Some("0".into()));
        assert!(p
            .explain(&f)
            .deciding_rule()
            .contains("not one of the project's portal members"));
        f.insert("member", Some("1".into()));
        f.insert("show_on_portal", Some("0".into()));
        assert!(!p.explain(&f).visible);
    }

    #[test]
    fn documents_reach_their_audience_once_shared() {
        let company = predicate(
            &viewer(RecordScope::Company, &["documents:view", "projects:view"]),
            Module::Documents,
        );
        let own = predicate(
            &viewer(RecordScope::Own, &["documents:view"]),
            Module::Documents,
        );
        let doc = |audience: &str, company: Option<&str>, contact: Option<&str>, shared: &str| {
            HashMap::from([
                ("audience", Some(audience.to_owned())),
                ("company_id", company.map(str::to_owned)),
                ("contact_id", contact.map(str::to_owned)),
                ("shared", Some(shared.to_owned())),
            ])
        };
        assert!(company.explain(&doc("public", None, None, "1")).visible);
        let unshared = company.explain(&doc("public", None, None, "0"));
        assert!(unshared.deciding_rule().contains("not shared"));
        assert!(
            company
                .explain(&doc("company", Some("co-1"), None, "1"))
                .visible
        );
        assert!(
            !company
                .explain(&doc("company", Some("co-2"), None, "1"))
                .visible
        );
        // A colleague's upload: the company sees it, own scope does not.
        let colleague = doc("company", Some("co-1"), Some("ct-2"), "1");
        assert!(company.explain(&colleague).visible);
        assert!(!own.explain(&colleague).visible);
        assert!(
            own.explain(&doc("company", Some("co-1"), Some("ct-1"), "1"))
                .visible
        );
        assert!(
            own.explain(&doc("contact", Some("co-1"), Some("ct-1"), "1"))
                .visible
        );
        let other = company.explain(&doc("contact", Some("co-1"), Some("ct-2"), "1"));
        assert_eq!(other.deciding_rule(), "The document is for another person.");
        // Project documents: members of a project showing them, with projects.
        let mut p = doc("project", Some("co-1"), None, "1");
        p.insert("member", Some("1".into()));
        assert!(company.explain(&p).visible);
        assert!(own
            .explain(&p)
            .deciding_rule()
            .contains("does not include projects"));
        p.insert("member", Some("0".into()));
        assert!(!company.explain(&p).visible);
    }
}
