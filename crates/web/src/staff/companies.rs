//! Companies and people: lists, pages, forms.

use super::*;

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
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let after = uncursor(&q.after, 2).map(|v| (v[0].clone(), v[1].clone()));
    let mut companies = customers::list_companies(
        &s.app,
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
        layout: layout(&s, &csrf, &ctx, "Companies", "/staff/companies")
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
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
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
        layout: layout(s, csrf, ctx, &title, "/staff/companies"),
        id,
        form,
        errors,
        people,
        access_options: CompanyPortalAccess::ALL,
        documents: vec![],
        add_document: String::new(),
    }
}

pub(super) async fn new_company_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
) -> WebResult<Response> {
    let form = CompanyForm {
        portal_access: "off".into(),
        ..Default::default()
    };
    render(&company_page(
        &s,
        &csrf,
        &ctx,
        None,
        form,
        Errors::default(),
        vec![],
    ))
}

pub(super) async fn create_company(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Form(f): Form<CompanyForm>,
) -> WebResult<Response> {
    match customers::create_company(&s.app, &f).await {
        Ok(c) => {
            Ok(Redirect::to(&format!("/staff/companies/{}?done=created", c.id)).into_response())
        }
        Err(AppError::Invalid(e)) => {
            render(&company_page(&s, &csrf, &ctx, None, f, Errors(e), vec![])).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
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
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let c = customers::find_company(&s.app, &id).await?;
    let people = company_people(&s, &id).await?;
    let mut page = company_page(
        &s,
        &csrf,
        &ctx,
        Some(id.clone()),
        CompanyForm::from_company(&c),
        Errors::default(),
        people,
    );
    page.documents = super::documents::staff_documents_of(&s, Some(&id), None).await?;
    page.add_document = format!("/staff/documents/new?audience=company&company_id={id}");
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(super) async fn update_company(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Form(f): Form<CompanyForm>,
) -> WebResult<Response> {
    match customers::update_company(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/companies/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            let people = company_people(&s, &id).await?;
            render(&company_page(
                &s,
                &csrf,
                &ctx,
                Some(id),
                f,
                Errors(e),
                people,
            ))
            .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
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

pub(super) async fn list_people(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let after = uncursor(&q.after, 3).map(|v| (v[0].clone(), v[1].clone(), v[2].clone()));
    let mut people = customers::list_contacts(
        &s.app,
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
        layout: layout(&s, &csrf, &ctx, "People", "/staff/people")
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
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: Option<String>,
    form: ContactForm,
    errors: Errors,
) -> WebResult<PersonPage> {
    let companies = customers::company_names(&s.app).await?;
    let portal_user = match &id {
        Some(id) => {
            let c = customers::find_contact(&s.app, id).await?;
            match c.portal_user_id {
                Some(pid) => Some(pu::find(&s.app, &pid).await?),
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
        layout: layout(s, csrf, ctx, &title, "/staff/people"),
        id,
        form,
        errors,
        companies,
        access_options: ContactPortalAccess::ALL,
        portal_user,
        can_manage: ctx.role.can_manage_portal(),
        documents: vec![],
        add_document: String::new(),
    })
}

pub(super) async fn new_person_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let form = ContactForm {
        company_id: q.company_id,
        portal_access: "inherit".into(),
        ..Default::default()
    };
    render(&person_page(&s, &csrf, &ctx, None, form, Errors::default()).await?)
}

pub(super) async fn create_person(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Form(f): Form<ContactForm>,
) -> WebResult<Response> {
    match customers::create_contact(&s.app, &f).await {
        Ok(c) => Ok(Redirect::to(&format!("/staff/people/{}?done=created", c.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            render(&person_page(&s, &csrf, &ctx, None, f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn find_person(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let c = customers::find_contact(&s.app, &id).await?;
    let mut page = person_page(
        &s,
        &csrf,
        &ctx,
        Some(id.clone()),
        ContactForm::from_contact(&c),
        Errors::default(),
    )
    .await?;
    page.documents = super::documents::staff_documents_of(&s, None, Some(&id)).await?;
    page.add_document = format!("/staff/documents/new?audience=contact&contact_id={id}");
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(super) async fn update_person(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> WebResult<Response> {
    match customers::update_contact(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/people/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            render(&person_page(&s, &csrf, &ctx, Some(id), f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}
