//! Companies and people: lists, pages, forms.

use super::{cursor, opt, query_string, uncursor, ListQuery, PAGE};
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again};
use crate::kit::state::AppState;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use courtyard_app::auth::PortalUser;
use courtyard_app::customers;
use courtyard_app::customers::{
    Company, CompanyFilter, CompanyForm, Contact, ContactFilter, ContactForm,
};
use courtyard_app::portal_users as pu;
use courtyard_domain::{CompanyPortalAccess, ContactPortalAccess};
#[derive(Template)]
#[template(path = "staff/companies.html")]
pub(super) struct CompaniesPage {
    layout: Layout,
    q: String,
    tag: String,
    companies: Vec<Company>,
    next: Option<String>,
}

pub(super) async fn list_companies(
    p: StaffPage,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let after = uncursor(&q.after, 2).map(|v| (v[0].clone(), v[1].clone()));
    let mut companies = customers::list_companies(
        &p.s.app,
        &CompanyFilter {
            search: opt(&q.q),
            tag: opt(&q.tag.to_lowercase()),
            after,
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (companies.len() as i64 > PAGE).then(|| {
        companies.truncate(PAGE as usize);
        let last = companies.last().expect("a full page");
        format!(
            "/staff/companies?{}",
            query_string(&[
                ("q", &q.q),
                ("tag", &q.tag),
                ("after", &cursor(&[&last.name, &last.id]))
            ])
        )
    });
    render(&CompaniesPage {
        layout: p
            .layout("Companies", "/staff/companies")
            .with_notice(notice(q.done.as_deref())),
        q: q.q,
        tag: q.tag,
        companies,
        next,
    })
}

#[derive(Template)]
#[template(path = "staff/company.html")]
pub(super) struct CompanyPage {
    layout: Layout,
    id: Option<String>,
    form: CompanyForm,
    errors: Errors,
    people: Vec<Contact>,
    access_options: &'static [CompanyPortalAccess],
    /// The company's documents (its own, its people's, its projects').
    documents: Vec<crate::ui::documents::DocView>,
    add_document: String,
}

pub(super) fn company_page(
    p: &StaffPage,
    id: Option<String>,
    form: CompanyForm,
    errors: Errors,
    people: Vec<Contact>,
) -> CompanyPage {
    let title = if id.is_some() {
        form.name.clone()
    } else {
        "New company".into()
    };
    CompanyPage {
        layout: p.layout(&title, "/staff/companies"),
        id,
        form,
        errors,
        people,
        access_options: CompanyPortalAccess::ALL,
        documents: vec![],
        add_document: String::new(),
    }
}

pub(super) async fn new_company_form(p: StaffPage) -> WebResult<Response> {
    let form = CompanyForm {
        portal_access: "off".into(),
        ..Default::default()
    };
    render(&company_page(&p, None, form, Errors::default(), vec![]))
}

pub(super) async fn create_company(
    p: StaffPage,
    Form(f): Form<CompanyForm>,
) -> WebResult<Response> {
    saved_or_again(
        customers::create_company(&p.s.app, &f).await,
        |c| format!("/staff/companies/{}?done=created", c.id),
        async |e| Ok(company_page(&p, None, f, e, vec![])),
    )
    .await
}

pub(super) async fn company_people(s: &AppState, id: &str) -> WebResult<Vec<Contact>> {
    Ok(customers::list_contacts(
        &s.app,
        &ContactFilter {
            company_id: Some(id.into()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?)
}

pub(super) async fn find_company(
    p: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let c = customers::find_company(&p.s.app, &id).await?;
    let people = company_people(&p.s, &id).await?;
    let mut page = company_page(
        &p,
        Some(id.clone()),
        CompanyForm::from_company(&c),
        Errors::default(),
        people,
    );
    page.documents = super::documents::staff_documents_of(&p.s, Some(&id), None).await?;
    page.add_document = format!("/staff/documents/new?audience=company&company_id={id}");
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(super) async fn update_company(
    p: StaffPage,
    Path(id): Path<String>,
    Form(f): Form<CompanyForm>,
) -> WebResult<Response> {
    saved_or_again(
        customers::update_company(&p.s.app, &id, &f).await,
        |()| format!("/staff/companies/{id}?done=saved"),
        async |e| {
            let people = company_people(&p.s, &id).await?;
            Ok(company_page(&p, Some(id.clone()), f, e, people))
        },
    )
    .await
}

// ---- people ----

#[derive(Template)]
#[template(path = "staff/people.html")]
pub(super) struct PeoplePage {
    layout: Layout,
    q: String,
    tag: String,
    people: Vec<Contact>,
    next: Option<String>,
}

pub(super) async fn list_people(p: StaffPage, Query(q): Query<ListQuery>) -> WebResult<Response> {
    let after = uncursor(&q.after, 3).map(|v| (v[0].clone(), v[1].clone(), v[2].clone()));
    let mut people = customers::list_contacts(
        &p.s.app,
        &ContactFilter {
            search: opt(&q.q),
            tag: opt(&q.tag.to_lowercase()),
            company_id: opt(&q.company_id),
            after,
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (people.len() as i64 > PAGE).then(|| {
        people.truncate(PAGE as usize);
        let l = people.last().expect("a full page");
        format!(
            "/staff/people?{}",
            query_string(&[
                ("q", &q.q),
                ("tag", &q.tag),
                ("after", &cursor(&[&l.last_name, &l.first_name, &l.id]))
            ])
        )
    });
    render(&PeoplePage {
        layout: p
            .layout("People", "/staff/people")
            .with_notice(notice(q.done.as_deref())),
        q: q.q,
        tag: q.tag,
        people,
        next,
    })
}

#[derive(Template)]
#[template(path = "staff/person.html")]
pub(super) struct PersonPage {
    layout: Layout,
    id: Option<String>,
    form: ContactForm,
    errors: Errors,
    companies: Vec<(String, String)>,
    access_options: &'static [ContactPortalAccess],
    portal_user: Option<PortalUser>,
    can_manage: bool,
    /// Documents for this person.
    documents: Vec<crate::ui::documents::DocView>,
    add_document: String,
}

pub(super) async fn person_page(
    p: &StaffPage,
    id: Option<String>,
    form: ContactForm,
    errors: Errors,
) -> WebResult<PersonPage> {
    let companies = customers::company_names(&p.s.app).await?;
    let portal_user = match &id {
        Some(id) => {
            let c = customers::find_contact(&p.s.app, id).await?;
            match c.portal_user_id {
                Some(pid) => Some(pu::find(&p.s.app, &pid).await?),
                None => None,
            }
        }
        None => None,
    };
    let title = if id.is_some() {
        format!("{} {}", form.first_name, form.last_name)
    } else {
        "New person".into()
    };
    Ok(PersonPage {
        layout: p.layout(&title, "/staff/people"),
        id,
        form,
        errors,
        companies,
        access_options: ContactPortalAccess::ALL,
        portal_user,
        can_manage: p.ctx.role.can_manage_portal(),
        documents: vec![],
        add_document: String::new(),
    })
}

pub(super) async fn new_person_form(
    p: StaffPage,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let form = ContactForm {
        company_id: q.company_id,
        portal_access: "inherit".into(),
        ..Default::default()
    };
    render(&person_page(&p, None, form, Errors::default()).await?)
}

pub(super) async fn create_person(p: StaffPage, Form(f): Form<ContactForm>) -> WebResult<Response> {
    saved_or_again(
        customers::create_contact(&p.s.app, &f).await,
        |c| format!("/staff/people/{}?done=created", c.id),
        async |e| Ok(person_page(&p, None, f, e).await?),
    )
    .await
}

pub(super) async fn find_person(
    p: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let c = customers::find_contact(&p.s.app, &id).await?;
    let mut page = person_page(
        &p,
        Some(id.clone()),
        ContactForm::from_contact(&c),
        Errors::default(),
    )
    .await?;
    page.documents = super::documents::staff_documents_of(&p.s, None, Some(&id)).await?;
    page.add_document = format!("/staff/documents/new?audience=contact&contact_id={id}");
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(super) async fn update_person(
    p: StaffPage,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> WebResult<Response> {
    saved_or_again(
        customers::update_contact(&p.s.app, &id, &f).await,
        |()| format!("/staff/people/{id}?done=saved"),
        async |e| Ok(person_page(&p, Some(id.clone()), f, e).await?),
    )
    .await
}
