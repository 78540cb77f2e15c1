//! The staff form of jobs, tickets, projects and tasks as the browser sends
//! it: one typed struct over every field the shared template shows (each
//! kind reads its own), mapped to and from the use cases' forms.

use courtyard_app::work::{JobForm, ProjectForm, TaskForm, TicketForm};
use serde::Deserialize;

/// Every field of the work record page. A checkbox is `"1"` when ticked;
/// a project's members and milestone rows are columns of repeated keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WorkFields {
    pub version: String,
    pub company_id: String,
    pub contact_id: String,
    pub owner_staff_id: String,
    pub subject: String,
    pub status: String,
    pub description: String,
    // Jobs.
    pub site_address: String,
    pub requested_on: String,
    pub scheduled_on: String,
    // Tickets.
    pub priority: String,
    pub message: String,
    // Projects.
    pub progress: String,
    pub start_on: String,
    pub end_on: String,
    pub show_on_portal: String,
    pub show_documents: String,
    pub members: Vec<String>,
    pub milestone_title: Vec<String>,
    pub milestone_due: Vec<String>,
    /// The row numbers of the ticked "done" boxes.
    pub milestone_done: Vec<String>,
    // Tasks.
    pub project_id: String,
    pub due_on: String,
    pub assignee_id: String,
}

fn tick(on: bool) -> String {
    if on { "1" } else { "" }.into()
}

impl From<&JobForm> for WorkFields {
    fn from(f: &JobForm) -> Self {
        Self {
            version: f.version.clone(),
            company_id: f.company_id.clone(),
            contact_id: f.contact_id.clone(),
            owner_staff_id: f.owner_staff_id.clone(),
            subject: f.subject.clone(),
            status: f.status.clone(),
            site_address: f.site_address.clone(),
            requested_on: f.requested_on.clone(),
            scheduled_on: f.scheduled_on.clone(),
            description: f.description.clone(),
            ..Self::default()
        }
    }
}

impl From<&TicketForm> for WorkFields {
    fn from(f: &TicketForm) -> Self {
        Self {
            version: f.version.clone(),
            company_id: f.company_id.clone(),
            contact_id: f.contact_id.clone(),
            owner_staff_id: f.owner_staff_id.clone(),
            subject: f.subject.clone(),
            status: f.status.clone(),
            priority: f.priority.clone(),
            message: f.message.clone(),
            ..Self::default()
        }
    }
}

impl From<&ProjectForm> for WorkFields {
    fn from(f: &ProjectForm) -> Self {
        Self {
            version: f.version.clone(),
            company_id: f.company_id.clone(),
            contact_id: f.contact_id.clone(),
            owner_staff_id: f.owner_staff_id.clone(),
            subject: f.subject.clone(),
            status: f.status.clone(),
            progress: f.progress.clone(),
            start_on: f.start_on.clone(),
            end_on: f.end_on.clone(),
            show_on_portal: tick(f.show_on_portal),
            show_documents: tick(f.show_documents),
            description: f.description.clone(),
            members: f.members.clone(),
            milestone_title: f.milestones.iter().map(|m| m.0.clone()).collect(),
            milestone_due: f.milestones.iter().map(|m| m.1.clone()).collect(),
            milestone_done: (f.milestones.iter().enumerate())
                .filter(|(_, m)| m.2)
                .map(|(i, _)| i.to_string())
                .collect(),
            ..Self::default()
        }
    }
}

impl From<&TaskForm> for WorkFields {
    fn from(f: &TaskForm) -> Self {
        Self {
            version: f.version.clone(),
            project_id: f.project_id.clone(),
            owner_staff_id: f.owner_staff_id.clone(),
            subject: f.subject.clone(),
            status: f.status.clone(),
            due_on: f.due_on.clone(),
            description: f.description.clone(),
            assignee_id: f.assignee_id.clone(),
            ..Self::default()
        }
    }
}

impl WorkFields {
    pub(super) fn job(&self) -> JobForm {
        JobForm {
            version: self.version.clone(),
            company_id: self.company_id.clone(),
            contact_id: self.contact_id.clone(),
            owner_staff_id: self.owner_staff_id.clone(),
            subject: self.subject.clone(),
            status: self.status.clone(),
            site_address: self.site_address.clone(),
            requested_on: self.requested_on.clone(),
            scheduled_on: self.scheduled_on.clone(),
            description: self.description.clone(),
        }
    }

    pub(super) fn ticket(&self) -> TicketForm {
        TicketForm {
            version: self.version.clone(),
            company_id: self.company_id.clone(),
            contact_id: self.contact_id.clone(),
            owner_staff_id: self.owner_staff_id.clone(),
            subject: self.subject.clone(),
            status: self.status.clone(),
            priority: self.priority.clone(),
            message: self.message.clone(),
        }
    }

    pub(super) fn project(&self) -> ProjectForm {
        ProjectForm {
            version: self.version.clone(),
            company_id: self.company_id.clone(),
            contact_id: self.contact_id.clone(),
            owner_staff_id: self.owner_staff_id.clone(),
            subject: self.subject.clone(),
            status: self.status.clone(),
            progress: self.progress.clone(),
            start_on: self.start_on.clone(),
            end_on: self.end_on.clone(),
            show_on_portal: self.show_on_portal == "1",
            show_documents: self.show_documents == "1",
            description: self.description.clone(),
            members: self.members.clone(),
            milestones: (self.milestone_title.iter().enumerate())
                .map(|(i, t)| {
                    (
                        t.clone(),
                        self.milestone_due.get(i).cloned().unwrap_or_default(),
                        self.milestone_done.contains(&i.to_string()),
                    )
                })
                .collect(),
        }
    }

    pub(super) fn task(&self) -> TaskForm {
        TaskForm {
            version: self.version.clone(),
            project_id: self.project_id.clone(),
            owner_staff_id: self.owner_staff_id.clone(),
            subject: self.subject.clone(),
            status: self.status.clone(),
            due_on: self.due_on.clone(),
            description: self.description.clone(),
            assignee_id: self.assignee_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_form_survives_the_round_trip_through_the_page() {
        let f = ProjectForm {
            subject: "Roof".into(),
            show_on_portal: true,
            members: vec!["u1".into(), "u2".into()],
            milestones: vec![
                ("Survey".into(), "2026-01-10".into(), true),
                ("Build".into(), String::new(), false),
            ],
            ..ProjectForm::default()
        };
        let back = WorkFields::from(&f).project();
        assert_eq!(back.milestones, f.milestones);
        assert_eq!(back.members, f.members);
        assert!(back.show_on_portal && !back.show_documents);
    }

    #[test]
    fn repeated_keys_fill_the_columns() {
        let body = "subject=Roof&members=u1&members=u2&milestone_title=A&milestone_due=&\
                    milestone_title=B&milestone_due=2026-02-01&milestone_done=1";
        let f: WorkFields = serde_html_form::from_str(body).unwrap();
        let p = f.project();
        assert_eq!(p.members, ["u1", "u2"]);
        assert_eq!(
            p.milestones,
            [
                ("A".into(), String::new(), false),
                ("B".into(), "2026-02-01".into(), true)
            ]
        );
    }
}
