//! Work records: jobs, tickets, projects with members and milestones,
//! tasks and comments, staff and portal reads, on both engines.

use courtyard_db::companies::Company;
use courtyard_db::listing::{self, ListQuery};
use courtyard_db::records;
use courtyard_db::work::{self, JobInput, MilestoneInput, ProjectInput, TaskInput, TicketInput};
use courtyard_domain::{Module, RecordScope};

use super::{
    ann, ben, company, conflict_on, not_found, pluck, portal_user, sam, scope, story, viewer, T0,
};

#[tokio::test]
async fn work_records_jobs_tickets_projects_tasks_and_comments() {
    story(|db, t| async move {
        let mut c = db.conn().await.unwrap();
        let acme = company(&mut c, "Acme Ltd").await;
        let bolt = company(&mut c, "Bolt & Sons").await;
        let ann = ann(&mut c, &acme).await;
        let ben = ben(&mut c, &acme).await;
        let grants = "jobs:view tickets:view projects:view tasks:view";
        let pu_ann = portal_user(&mut c, &ann, grants).await;
        let pu_ben = portal_user(&mut c, &ben, grants).await;
        let sam = sam(&mut c).await;
        let as_ann = viewer(&pu_ann, &acme, &ann, RecordScope::Company, grants);
        let as_ben = viewer(&pu_ben, &acme, &ben, RecordScope::Company, grants);
        let list = |f: ListQuery| ListQuery {
            limit: Some(50),
            ..f
        };
        let by = |sort: &str| {
            list(ListQuery {
                sort: sort.into(),
                ..Default::default()
            })
        };

        // Jobs: a customer's request, scheduled by staff (who requested it stays).
        let job = |company: &Company, subject: &str, site: &str, requested_on: &str| JobInput {
            company_id: company.id.clone(),
            contact_id: None,
            subject: subject.into(),
            status: "requested".into(),
            site_address: site.into(),
            requested_on: requested_on.into(),
            scheduled_on: None,
            description: String::new(),
            requested_by: None,
            owner_staff_id: None,
        };
        let gate = JobInput {
            contact_id: Some(ann.id.clone()),
            requested_by: Some(pu_ann.clone()),
            ..job(&acme, "Fix the gate", "1 High Street, Leeds", "2024-05-01")
        };
        let j1 = work::insert_job(&mut c, "JOB-0001", &gate, T0)
            .await
            .unwrap();
        let hall = JobInput {
            status: "scheduled".into(),
            scheduled_on: Some("2024-06-01".into()),
            owner_staff_id: Some(sam.id.clone()),
            ..job(&bolt, "Paint the hall", "9 Mill Lane", "2024-05-03")
        };
        let j2 = work::insert_job(&mut c, "JOB-0002", &hall, T0 + 1)
            .await
            .unwrap();
        conflict_on(
            work::insert_job(&mut c, "JOB-0002", &hall, T0).await,
            "number",
        );
        let found = work::find_job(&mut c, &j1, None).await.unwrap();
        assert_eq!(
            (found.contact_name.as_deref(), found.scheduled_on.as_deref()),
            (Some("Ann Archer"), None)
        );
        assert_eq!(
            (found.requested_by.as_deref(), found.description.as_str()),
            (Some(pu_ann.as_str()), "")
        );
        let scheduled = JobInput {
            status: "scheduled".into(),
            scheduled_on: Some("2024-05-20".into()),
            requested_by: None,
            ..gate.clone()
        };
        work::update_job(&mut c, &j1, &scheduled, T0 + 10)
            .await
            .unwrap();
        not_found(work::update_job(&mut c, "no-such-id", &scheduled, T0).await);
        let found = work::find_job(&mut c, &j1, None).await.unwrap();
        assert_eq!(
            (
                found.status.as_str(),
                found.scheduled_on.as_deref(),
                found.updated_at
            ),
            ("scheduled", Some("2024-05-20"), T0 + 10)
        );
        assert_eq!(found.requested_by.as_deref(), Some(pu_ann.as_str()));
        t.saw("job", &found);
        let numbers = |rows: &[work::Job]| pluck(rows, |r| &r.number);
        assert_eq!(
            numbers(
                &work::list_jobs(&mut c, None, &list(Default::default()))
                    .await
                    .unwrap()
            ),
            ["JOB-0002", "JOB-0001"]
        );
        assert_eq!(
            numbers(
                &work::list_jobs(&mut c, None, &by("number_asc"))
                    .await
                    .unwrap()
            ),
            ["JOB-0001", "JOB-0002"]
        );
        let site = list(ListQuery {
            search: Some("HIGH STREET".into()),
            ..Default::default()
        });
        assert_eq!(
            numbers(&work::list_jobs(&mut c, None, &site).await.unwrap()),
            ["JOB-0001"]
        );
        let later = list(ListQuery {
            date_field: "scheduled".into(),
            from: Some("2024-05-25".into()),
            ..Default::default()
        });
        assert_eq!(
            numbers(&work::list_jobs(&mut c, None, &later).await.unwrap()),
            ["JOB-0002"]
        );
        let p = scope(&as_ann, Module::Jobs);
        assert_eq!(
            numbers(
                &work::list_jobs(&mut c, Some(&p), &list(Default::default()))
                    .await
                    .unwrap()
            ),
            ["JOB-0001"]
        );
        not_found(work::find_job(&mut c, &j2, Some(&p)).await);
        let generic: work::Job = work::find(&mut c, &j1, Some(&p)).await.unwrap();
        assert_eq!(
            work::Record::summary(&generic),
            (j1.as_str(), "JOB-0001", "Fix the gate", "scheduled")
        );

        // Tickets: who replied last moves the status and the activity time.
        let ticket = |subject: &str, priority: &str, opened_on: &str| TicketInput {
            company_id: acme.id.clone(),
            contact_id: None,
            subject: subject.into(),
            status: "open".into(),
            priority: priority.into(),
            opened_on: opened_on.into(),
            owner_staff_id: None,
        };
        let login = TicketInput {
            contact_id: Some(ann.id.clone()),
            ..ticket("Login broken", "high", "2024-05-02")
        };
        let t1 = work::insert_ticket(&mut c, "TKT-0001", &login, T0)
            .await
            .unwrap();
        let question = ticket("Invoice question", "normal", "2024-05-04");
        let t2 = work::insert_ticket(&mut c, "TKT-0002", &question, T0 + 1)
            .await
            .unwrap();
        work::staff_replied(&mut c, &t1, T0 + 10).await.unwrap();
        assert_eq!(
            work::find_ticket(&mut c, &t1, None).await.unwrap().status,
            courtyard_domain::records::TicketStatus::AwaitingCustomer
        );
        assert!(work::customer_replied(&mut c, &t1, T0 + 20).await.unwrap());
        let one = work::find_ticket(&mut c, &t1, None).await.unwrap();
        assert_eq!(
            (one.status.as_str(), one.last_activity_at, one.updated_at),
            ("open", T0 + 20, T0 + 20)
        );
        work::update_ticket(
            &mut c,
            &t2,
            &TicketInput {
                status: "resolved".into(),
                owner_staff_id: Some(sam.id.clone()),
                ..question.clone()
            },
            T0 + 30,
        )
        .await
        .unwrap();
        work::staff_replied(&mut c, &t2, T0 + 40).await.unwrap();
        let two = work::find_ticket(&mut c, &t2, None).await.unwrap();
        assert_eq!(
            (
                two.status.as_str(),
                two.last_activity_at,
                two.owner_staff_id.as_deref()
            ),
            ("resolved", T0 + 40, Some(sam.id.as_str()))
        );
        work::update_ticket(
            &mut c,
            &t2,
            &TicketInput {
                status: "closed".into(),
                ..question.clone()
            },
            T0 + 50,
        )
        .await
        .unwrap();
        assert!(!work::customer_replied(&mut c, &t2, T0 + 60).await.unwrap());
        let two = work::find_ticket(&mut c, &t2, None).await.unwrap();
        assert_eq!(
            (two.status.as_str(), two.last_activity_at, two.contact_name),
            ("closed", T0 + 40, None)
        );
        not_found(work::update_ticket(&mut c, "no-such-id", &question, T0).await);
        let tnumbers = |rows: &[work::Ticket]| pluck(rows, |r| &r.number);
        let active = work::list_tickets(&mut c, None, &list(Default::default()))
            .await
            .unwrap();
        assert_eq!(tnumbers(&active), ["TKT-0002", "TKT-0001"]);
        t.saw("tickets", &active);
        let first = work::list_tickets(
            &mut c,
            None,
            &ListQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let after = listing::parse_cursor(&listing::cursor(&work::TICKET_SPEC, "", &first[0]));
        assert_eq!(after.as_ref().map(|a| a.0.as_str()), Some("1700000040"));
        let next = work::list_tickets(
            &mut c,
            None,
            &ListQuery {
                limit: Some(1),
                after,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(tnumbers(&next), ["TKT-0001"]);
        let open = list(ListQuery {
            statuses: vec!["open".into()],
            ..Default::default()
        });
        assert_eq!(
            tnumbers(&work::list_tickets(&mut c, None, &open).await.unwrap()),
            ["TKT-0001"]
        );
        assert_eq!(
            tnumbers(
                &work::list_tickets(&mut c, None, &by("opened_asc"))
                    .await
                    .unwrap()
            ),
            ["TKT-0001", "TKT-0002"]
        );

        // Projects: members and milestones written with the row, flags as 0/1.
        let milestone = |title: &str, due_on: &str, done: bool| MilestoneInput {
            title: title.into(),
            due_on: due_on.into(),
            done,
        };
        let mut members = vec![pu_ann.clone(), pu_ben.clone()];
        let office = ProjectInput {
            company_id: acme.id.clone(),
            contact_id: Some(ann.id.clone()),
            subject: "Office move".into(),
            status: "active".into(),
            progress: 40,
            start_on: "2024-05-01".into(),
            end_on: None,
            show_on_portal: true,
            show_documents: false,
            description: "Two floors".into(),
            owner_staff_id: Some(sam.id.clone()),
            members: members.clone(),
            milestones: vec![
                milestone("Plan", "2024-05-10", true),
                milestone("Move", "2024-06-01", false),
            ],
        };
        let p1 = work::insert_project(&mut c, "PRJ-0001", &office, T0)
            .await
            .unwrap();
        let racking = ProjectInput {
            company_id: bolt.id.clone(),
            contact_id: None,
            subject: "Warehouse racking".into(),
            status: "planned".into(),
            start_on: "2024-04-01".into(),
            show_on_portal: false,
            owner_staff_id: None,
            members: vec![],
            milestones: vec![],
            ..office.clone()
        };
        let p2 = work::insert_project(&mut c, "PRJ-0002", &racking, T0 + 1)
            .await
            .unwrap();
        let found = work::find_project(&mut c, &p1, None).await.unwrap();
        assert_eq!(
            (
                found.progress,
                found.show_on_portal,
                found.show_documents,
                found.end_on.as_deref()
            ),
            (40, 1, 0, None)
        );
        assert_eq!(found.contact_name.as_deref(), Some("Ann Archer"));
        members.sort();
        assert_eq!(work::members(&mut c, &p1).await.unwrap(), members);
        let stones = work::milestones(&mut c, &p1).await.unwrap();
        assert_eq!(
            stones
                .iter()
                .map(|m| (m.title.as_str(), m.done))
                .collect::<Vec<_>>(),
            [("Plan", 1), ("Move", 0)]
        );
        t.saw("project", &found);
        t.saw("milestones", &stones);
        let names = work::project_names(&mut c).await.unwrap();
        assert_eq!(
            names.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            [
                "PRJ-0002 · Warehouse racking (Bolt & Sons)",
                "PRJ-0001 · Office move (Acme Ltd)"
            ]
        );
        let subjects = |rows: &[work::Project]| pluck(rows, |r| &r.subject);
        assert_eq!(
            subjects(
                &work::list_projects(&mut c, None, &list(Default::default()))
                    .await
                    .unwrap()
            ),
            ["Office move", "Warehouse racking"]
        );
        assert_eq!(
            subjects(
                &work::list_projects(&mut c, None, &by("start_asc"))
                    .await
                    .unwrap()
            ),
            ["Warehouse racking", "Office move"]
        );
        let ann_projects = scope(&as_ann, Module::Projects);
        assert_eq!(
            subjects(
                &work::list_projects(&mut c, Some(&ann_projects), &list(Default::default()))
                    .await
                    .unwrap()
            ),
            ["Office move"]
        );
        not_found(work::find_project(&mut c, &p2, Some(&ann_projects)).await);

        // Tasks: completed by their assignee once; staff's "done" stamps the time once.
        let task =
            |subject: &str, created_on: &str, due_on: Option<&str>, assignee: &str| TaskInput {
                project_id: p1.clone(),
                company_id: acme.id.clone(),
                subject: subject.into(),
                status: "open".into(),
                created_on: created_on.into(),
                due_on: due_on.map(str::to_owned),
                description: String::new(),
                assignee_id: Some(assignee.to_owned()),
                owner_staff_id: None,
            };
        let pack = task(
            "Pack the archive",
            "2024-05-02",
            Some("2024-05-09"),
            &pu_ben,
        );
        let k1 = work::insert_task(&mut c, "TSK-0001", &pack, T0)
            .await
            .unwrap();
        let van = TaskInput {
            status: "in_progress".into(),
            ..task("Book the van", "2024-05-03", None, &pu_ann)
        };
        let k2 = work::insert_task(&mut c, "TSK-0002", &van, T0 + 1)
            .await
            .unwrap();
        let found = work::find_task(&mut c, &k1, None).await.unwrap();
        assert_eq!(
            (
                found.project_name.as_str(),
                found.assignee_name.as_deref(),
                found.completed_at
            ),
            ("Office move", Some("Ben Baker"), None)
        );
        assert!(!work::complete_task(&mut c, &k1, &pu_ann, T0 + 5)
            .await
            .unwrap());
        assert!(work::complete_task(&mut c, &k1, &pu_ben, T0 + 10)
            .await
            .unwrap());
        assert!(!work::complete_task(&mut c, &k1, &pu_ben, T0 + 11)
            .await
            .unwrap());
        let found = work::find_task(&mut c, &k1, None).await.unwrap();
        assert_eq!(
            (found.status.as_str(), found.completed_at, found.updated_at),
            ("done", Some(T0 + 10), T0 + 10)
        );
        let done = TaskInput {
            status: "done".into(),
            ..van.clone()
        };
        work::update_task(&mut c, &k2, &done, T0 + 20)
            .await
            .unwrap();
        work::update_task(&mut c, &k2, &done, T0 + 30)
            .await
            .unwrap();
        assert_eq!(
            work::find_task(&mut c, &k2, None)
                .await
                .unwrap()
                .completed_at,
            Some(T0 + 20)
        );
        work::update_task(&mut c, &k2, &van, T0 + 40).await.unwrap();
        assert_eq!(
            work::find_task(&mut c, &k2, None)
                .await
                .unwrap()
                .completed_at,
            None
        );
        not_found(work::update_task(&mut c, "no-such-id", &van, T0).await);
        let ksubjects = |rows: &[work::Task]| pluck(rows, |r| &r.subject);
        assert_eq!(
            ksubjects(
                &work::list_tasks(&mut c, None, &by("name_asc"))
                    .await
                    .unwrap()
            ),
            ["Book the van", "Pack the archive"]
        );
        let due = list(ListQuery {
            date_field: "due".into(),
            from: Some("2024-05-01".into()),
            ..Default::default()
        });
        assert_eq!(
            ksubjects(&work::list_tasks(&mut c, None, &due).await.unwrap()),
            ["Pack the archive"]
        );
        let ann_tasks = scope(&as_ann, Module::Tasks);
        assert_eq!(
            work::list_tasks(&mut c, Some(&ann_tasks), &list(Default::default()))
                .await
                .unwrap()
                .len(),
            2
        );
        let own = scope(
            &viewer(&pu_ann, &acme, &ann, RecordScope::Own, grants),
            Module::Tasks,
        );
        assert_eq!(
            ksubjects(
                &work::list_tasks(&mut c, Some(&own), &list(Default::default()))
                    .await
                    .unwrap()
            ),
            ["Book the van"]
        );

        // Editing a project: a member removed loses the tasks assigned to them;
        // a project moved to another company takes its tasks along.
        let fewer = ProjectInput {
            members: vec![pu_ann.clone()],
            milestones: vec![milestone("Move", "2024-06-15", false)],
            ..office.clone()
        };
        work::update_project(&mut c, &p1, &fewer, T0 + 50)
            .await
            .unwrap();
        assert_eq!(work::members(&mut c, &p1).await.unwrap(), [pu_ann.as_str()]);
        assert_eq!(
            pluck(&work::milestones(&mut c, &p1).await.unwrap(), |m| &m.due_on),
            ["2024-06-15"]
        );
        let orphan = work::find_task(&mut c, &k1, None).await.unwrap();
        assert_eq!((orphan.assignee_id, orphan.assignee_name), (None, None));
        assert_eq!(
            work::find_task(&mut c, &k2, None)
                .await
                .unwrap()
                .assignee_id
                .as_deref(),
            Some(pu_ann.as_str())
        );
        not_found(work::find_project(&mut c, &p1, Some(&scope(&as_ben, Module::Projects))).await);
        work::update_project(
            &mut c,
            &p1,
            &ProjectInput {
                company_id: bolt.id.clone(),
                ..fewer.clone()
            },
            T0 + 60,
        )
        .await
        .unwrap();
        assert_eq!(
            work::find_task(&mut c, &k2, None)
                .await
                .unwrap()
                .company_name,
            "Bolt & Sons"
        );
        not_found(work::update_project(&mut c, "no-such-id", &fewer, T0).await);
        t.saw(
            "tasks",
            &work::list_tasks(&mut c, None, &list(Default::default()))
                .await
                .unwrap(),
        );

        // Comments: oldest first; internal ones only when asked for.
        let thread = [
            ("staff", &sam.id, "Sam Seller", "Looking into it", false),
            ("staff", &sam.id, "Sam Seller", "Customer is VIP", true),
            ("portal", &pu_ann, "Ann Archer", "Thanks!", false),
        ];
        for (at, (author_kind, author_id, author_name, body, internal)) in (T0 + 100..).zip(thread)
        {
            let new = records::NewComment {
                record_type: "ticket",
                record_id: &t1,
                author_kind,
                author_id,
                author_name,
                body,
                internal,
            };
            records::add_comment(&mut c, &new, at).await.unwrap();
        }
        let staff_view = records::comments(&mut c, "ticket", &t1, true)
            .await
            .unwrap();
        assert_eq!(
            pluck(&staff_view, |m| &m.body),
            ["Looking into it", "Customer is VIP", "Thanks!"]
        );
        assert_eq!(
            staff_view.iter().map(|m| m.internal).collect::<Vec<_>>(),
            [0, 1, 0]
        );
        let portal_view = records::comments(&mut c, "ticket", &t1, false)
            .await
            .unwrap();
        assert_eq!(
            pluck(&portal_view, |m| &m.author_name),
            ["Sam Seller", "Ann Archer"]
        );
        assert!(records::comments(&mut c, "job", &t1, true)
            .await
            .unwrap()
            .is_empty());
        t.saw("comments", &staff_view);
    })
    .await;
}

#[tokio::test]
async fn a_stored_status_or_priority_no_version_knows_is_a_read_error_not_a_default() {
    courtyard_db_testing::each_backend(|db| async move {
        let mut c = db.conn().await.unwrap();
        let acme = company(&mut c, "Acme Ltd").await;
        let input = TicketInput {
            company_id: acme.id.clone(),
            contact_id: None,
            subject: "Login broken".into(),
            status: "open".into(),
            priority: "high".into(),
            opened_on: "2024-05-02".into(),
            owner_staff_id: None,
        };
        let id = work::insert_ticket(&mut c, "TKT-0001", &input, T0)
            .await
            .unwrap();
        let read = work::find_ticket(&mut c, &id, None).await.unwrap();
        assert_eq!(
            (read.status, read.priority),
            (
                courtyard_domain::records::TicketStatus::Open,
                courtyard_domain::records::TicketPriority::High
            )
        );
        for (column, status, priority) in [
            ("status", "snoozed", "high"),
            ("priority", "open", "whenever"),
        ] {
            sqlx::query("UPDATE tickets SET status = $1, priority = $2 WHERE id = $3")
                .bind(status)
                .bind(priority)
                .bind(&id)
                .execute(&mut *c)
                .await
                .unwrap();
            let err = work::find_ticket(&mut c, &id, None)
                .await
                .expect_err("an unknown value is refused when read");
            // sqlx 0.8 names the column but not the value (its error
            // wrapper never reaches our Display).
            let said = format!("{err:?}");
            assert!(said.contains(&format!("\"{column}\"")), "{said}");
        }
    })
    .await;
}
