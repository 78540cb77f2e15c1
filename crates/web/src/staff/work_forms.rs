//! The staff forms of jobs, tickets, projects and tasks as the pairs a page
//! shows and reads back (until typed forms replace them).

use crate::kit::forms::FormPairs;
use courtyard_app::work::{JobForm, ProjectForm, TaskForm, TicketForm};

fn pairs(items: &[(&str, String)]) -> FormPairs {
    FormPairs(
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

pub(super) fn job_pairs(f: &JobForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("company_id", f.company_id.clone()),
        ("contact_id", f.contact_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("site_address", f.site_address.clone()),
        ("requested_on", f.requested_on.clone()),
        ("scheduled_on", f.scheduled_on.clone()),
        ("description", f.description.clone()),
    ])
}

pub(super) fn ticket_pairs(f: &TicketForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("company_id", f.company_id.clone()),
        ("contact_id", f.contact_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("priority", f.priority.clone()),
        ("message", f.message.clone()),
    ])
}

pub(super) fn project_pairs(f: &ProjectForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("company_id", f.company_id.clone()),
        ("contact_id", f.contact_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("progress", f.progress.clone()),
        ("start_on", f.start_on.clone()),
        ("end_on", f.end_on.clone()),
        (
            "show_on_portal",
            if f.show_on_portal { "1" } else { "" }.into(),
        ),
        (
            "show_documents",
            if f.show_documents { "1" } else { "" }.into(),
        ),
        ("description", f.description.clone()),
    ])
}

pub(super) fn task_pairs(f: &TaskForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("project_id", f.project_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("due_on", f.due_on.clone()),
        ("description", f.description.clone()),
        ("assignee_id", f.assignee_id.clone()),
    ])
}

pub(super) fn read_job(p: &FormPairs) -> JobForm {
    JobForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        site_address: p.get("site_address"),
        requested_on: p.get("requested_on"),
        scheduled_on: p.get("scheduled_on"),
        description: p.get("description"),
    }
}

pub(super) fn read_ticket(p: &FormPairs) -> TicketForm {
    TicketForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        priority: p.get("priority"),
        message: p.get("message"),
    }
}

pub(super) fn read_project(p: &FormPairs) -> ProjectForm {
    let titles = p.all("milestone_title");
    let dues = p.all("milestone_due");
    let done = p.all("milestone_done");
    ProjectForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        progress: p.get("progress"),
        start_on: p.get("start_on"),
        end_on: p.get("end_on"),
        show_on_portal: p.get("show_on_portal") == "1",
        show_documents: p.get("show_documents") == "1",
        description: p.get("description"),
        members: p.all("members"),
        milestones: titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    t.clone(),
                    dues.get(i).cloned().unwrap_or_default(),
                    done.contains(&i.to_string()),
                )
            })
            .collect(),
    }
}

pub(super) fn read_task(p: &FormPairs) -> TaskForm {
    TaskForm {
        version: p.get("version"),
        project_id: p.get("project_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        due_on: p.get("due_on"),
        description: p.get("description"),
        assignee_id: p.get("assignee_id"),
    }
}
