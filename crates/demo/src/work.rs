//! The demo's jobs, projects, tasks and tickets with their conversations.

use courtyard_app::work::{JobForm, ProjectForm, TaskForm};
use courtyard_db::records::{self as rec, NewComment};
use courtyard_db::{portal_users, staff};
use courtyard_domain::RecordKind;

use courtyard_app::{App, AppResult};

/// Jobs, projects with members, milestones and tasks, tickets with a
/// conversation, and comments, for one demo company.
pub(crate) async fn demo_work(
    app: &App,
    owner: &staff::StaffUser,
    company: &str,
    contacts: &[String],
    ci: usize,
) -> AppResult<()> {
    let today = app.clock.today();
    let users = {
        let mut conn = app.db.conn().await?;
        portal_users::list(
            &mut conn,
            &portal_users::PortalUserFilter {
                company_id: Some(company.to_owned()),
                limit: 100,
                ..Default::default()
            },
        )
        .await?
    };
    let active: Vec<&portal_users::PortalUser> =
        users.iter().filter(|u| u.state == "active").collect();
    // Comments a minute apart, in the order written; customers' lines only
    // where the company has an active portal user to write them.
    let clock = std::cell::Cell::new(app.now() - 3 * 3600);
    let comment = |record_type: &'static str,
                   id: String,
                   staff_side: bool,
                   body: &'static str,
                   internal: bool| {
        let user = active.first().map(|u| (u.id.clone(), u.full_name()));
        clock.set(clock.get() + 60);
        let at = clock.get();
        async move {
            let (kind, author_id, author_name) = match (staff_side, user) {
                (false, Some((id, name))) => ("portal", id, name),
                (false, None) => return AppResult::Ok(()),
                _ => ("staff", owner.id.clone(), owner.name.clone()),
            };
            let mut conn = app.db.conn().await?;
            rec::add_comment(
                &mut conn,
                &NewComment {
                    record_type,
                    record_id: &id,
                    author_kind: kind,
                    author_id: &author_id,
                    author_name: &author_name,
                    body,
                    internal,
                },
                at,
            )
            .await?;
            AppResult::Ok(())
        }
    };
    let sites = [
        "14 Wharf Street, London SE1 9PG",
        "Unit 3, Mill Lane, Leeds LS2 7EY",
        "2 Station Road, Bath BA1 1SU",
    ];
    let job_titles = [
        ("Boiler service", "scheduled"),
        ("Replace kitchen extractor", "requested"),
        ("Quarterly fire alarm test", "completed"),
        ("Roof inspection after storm", "in_progress"),
        ("Repaint stairwell", "scheduled"),
        ("Fix leaking radiator valve", "completed"),
        ("Install EV charger", "cancelled"),
    ];
    for (i, (title, status)) in
        job_titles
            .iter()
            .cycle()
            .enumerate()
            .take(if ci == 0 { 30 } else { 4 })
    {
        let requested = today - time::Duration::days(i as i64 * 6 + 1);
        let id = courtyard_app::work::create_job(
            app,
            &JobForm {
                version: String::new(),
                company_id: company.into(),
                contact_id: contacts
                    .get(i % contacts.len().max(1))
                    .cloned()
                    .unwrap_or_default(),
                owner_staff_id: owner.id.clone(),
                subject: (*title).into(),
                status: (*status).into(),
                site_address: sites[i % sites.len()].into(),
                requested_on: requested.to_string(),
                // A week after the request; a job under way or done was
                // scheduled no later than today.
                scheduled_on: match *status {
                    "requested" => String::new(),
                    "in_progress" | "completed" => {
                        (requested + time::Duration::days(7)).min(today).to_string()
                    }
                    _ => (requested + time::Duration::days(7)).to_string(),
                },
                description: "Access via the side gate; parking in the visitor bays.".into(),
            },
        )
        .await?;
        if i == 0 {
            comment(
                "job",
                id.clone(),
                false,
                "Could the engineer call 30 minutes before arriving?",
                false,
            )
            .await?;
            comment(
                "job",
                id,
                true,
                "Of course — we have added that to the job sheet.",
                false,
            )
            .await?;
        }
    }

    let projects = [
        ("Office refurbishment", "active", 60, true),
        ("Website relaunch", "active", 35, true),
        ("Warehouse extension study", "planned", 0, false),
    ];
    for (pi, (name, status, progress, shown)) in
        projects
            .iter()
            .enumerate()
            .take(if ci == 0 { 3 } else { 1 })
    {
        let start = today - time::Duration::days(40 - pi as i64 * 10);
        let members: Vec<String> = active.iter().map(|u| u.id.clone()).collect();
        let id = courtyard_app::work::create_project(
            app,
            &ProjectForm {
                version: String::new(),
                company_id: company.into(),
                contact_id: contacts.first().cloned().unwrap_or_default(),
                owner_staff_id: owner.id.clone(),
                subject: (*name).into(),
                status: (*status).into(),
                progress: progress.to_string(),
                start_on: start.to_string(),
                end_on: (start + time::Duration::days(120)).to_string(),
                show_on_portal: *shown,
                show_documents: *shown,
                description: "Scope, schedule and budget as agreed in the kick-off meeting.".into(),
                members: members.clone(),
                milestones: vec![
                    ("Kick-off".into(), start.to_string(), true),
                    (
                        "Design sign-off".into(),
                        (start + time::Duration::days(30)).to_string(),
                        // Done only once its day has come.
                        *progress > 40 && start + time::Duration::days(30) <= today,
                    ),
                    (
                        "Build complete".into(),
                        (start + time::Duration::days(90)).to_string(),
                        false,
                    ),
                    (
                        "Handover".into(),
                        (start + time::Duration::days(120)).to_string(),
                        false,
                    ),
                ],
            },
        )
        .await?;
        let tasks = [
            ("Approve the floor plan", "open"),
            ("Choose finishes from the sample board", "open"),
            ("Confirm delivery access times", "in_progress"),
            ("Sign off the schedule", "done"),
            ("Review the lighting proposal", "open"),
        ];
        // The first project of the first company has enough tasks to page through.
        let task_count = if ci == 0 && pi == 0 { 30 } else { tasks.len() };
        for (ti, (t, st)) in tasks.iter().cycle().take(task_count).enumerate() {
            courtyard_app::work::create_task(
                app,
                &TaskForm {
                    version: String::new(),
                    project_id: id.clone(),
                    owner_staff_id: owner.id.clone(),
                    subject: (*t).into(),
                    status: (*st).into(),
                    due_on: (today + time::Duration::days(ti as i64 * 5 + 3)).to_string(),
                    description: "Reply here with any questions.".into(),
                    assignee_id: members
                        .get(ti % members.len().max(1))
                        .cloned()
                        .filter(|_| ti != 4)
                        .unwrap_or_default(),
                },
            )
            .await?;
        }
        if pi == 0 {
            comment(
                "project",
                id.clone(),
                true,
                "Weekly update: demolition is finished and the electricians start on Monday.",
                false,
            )
            .await?;
            comment(
                "project",
                id.clone(),
                false,
                "Thanks! Will the lift be usable during the works?",
                false,
            )
            .await?;
            comment(
                "project",
                id,
                true,
                "Internal: check the lift isolation plan with the contractor.",
                true,
            )
            .await?;
        }
    }

    let tickets = [
        (
            "Cannot download last month's invoice",
            "awaiting_customer",
            "high",
        ),
        ("Question about the project schedule", "open", "normal"),
        ("Please update our billing address", "resolved", "low"),
        ("Access card for the new starter", "closed", "normal"),
    ];
    for (i, (subject, status, priority)) in
        tickets
            .iter()
            .cycle()
            .enumerate()
            .take(if ci == 0 { 30 } else { 2 })
    {
        let mut conn = app.db.conn().await?;
        let number = rec::next_number(
            &mut conn,
            RecordKind::Ticket.as_str(),
            RecordKind::Ticket.default_prefix(),
        )
        .await?;
        let id = courtyard_db::work::insert_ticket(
            &mut conn,
            &number,
            &courtyard_db::work::TicketInput {
                company_id: company.into(),
                contact_id: active
                    .first()
                    .map(|u| u.contact_id.clone())
                    .or_else(|| contacts.first().cloned()),
                subject: (*subject).into(),
                status: (*status).into(),
                priority: (*priority).into(),
                opened_on: (today - time::Duration::days(i as i64 * 3)).to_string(),
                owner_staff_id: Some(owner.id.clone()),
            },
            app.now() - i as i64 * 3600,
        )
        .await?;
        drop(conn);
        if active.is_empty() {
            comment(
                "ticket",
                id.clone(),
                true,
                "We opened this ticket for you after your phone call.",
                false,
            )
            .await?;
        }
        comment(
            "ticket",
            id.clone(),
            false,
            "Hello, could you help us with this please?",
            false,
        )
        .await?;
        comment(
            "ticket",
            id.clone(),
            true,
            "Internal: customer is on the premium support plan.",
            true,
        )
        .await?;
        if *status != "open" {
            comment(
                "ticket",
                id,
                true,
                "Thanks for getting in touch. Could you tell us which browser you are using?",
                false,
            )
            .await?;
        }
    }
    Ok(())
}
