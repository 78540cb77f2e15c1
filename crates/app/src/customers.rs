//! Companies, people (contacts) and permission sets on the staff side, and
//! "My details" on the portal side.

use courtyard_db::companies::CompanyInput;
use courtyard_db::contacts::ContactInput;
use courtyard_db::{companies, contacts, permission_sets, DbError};
use courtyard_domain::FieldCode;
use courtyard_domain::{
    optional_text, parse_tags, Action, CompanyPortalAccess, ContactPortalAccess, EmailAddress,
    Grants, Module,
};
use serde::Deserialize;

use crate::auth::PortalContext;
use crate::error::Problems;
use crate::{App, AppError, AppResult};

/// The read models these use cases return.
pub use courtyard_db::companies::{Company, CompanyFilter};
pub use courtyard_db::contacts::{Contact, ContactFilter};
pub use courtyard_db::permission_sets::PermissionSet;

fn check_len(p: &mut Problems, field: &'static str, v: &str, max: usize) {
    if v.chars().count() > max {
        p.add(
            field,
            FieldCode::TooLong,
            format!("Keep this under {max} characters."),
        );
    }
}

fn optional_email(p: &mut Problems, field: &'static str, raw: &str) -> Option<String> {
    if raw.trim().is_empty() {
        return None;
    }
    p.take(field, FieldCode::Format, EmailAddress::parse(raw))
        .map(|e| e.into_inner())
}

fn optional_website(p: &mut Problems, field: &'static str, raw: &str) -> Option<String> {
    let w = optional_text(raw)?;
    if w.contains(char::is_whitespace) || !w.contains('.') {
        p.add(
            field,
            FieldCode::Format,
            "Enter a web address such as example.com.",
        );
        return None;
    }
    Some(w)
}

/// The company form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CompanyForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub address: String,
    pub tags: String,
    pub portal_access: String,
}

impl CompanyForm {
    pub fn from_company(c: &Company) -> Self {
        Self {
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            website: c.website.clone().unwrap_or_default(),
            address: c.address.clone().unwrap_or_default(),
            tags: c.tag_list().join(", "),
            portal_access: c.portal_access.clone(),
        }
    }

    fn parse(&self) -> AppResult<CompanyInput> {
        let mut p = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            p.add("name", FieldCode::Required, "Enter the company's name.");
        }
        check_len(&mut p, "name", name, 200);
        check_len(&mut p, "address", &self.address, 1000);
        check_len(&mut p, "phone", &self.phone, 50);
        let email = optional_email(&mut p, "email", &self.email);
        let website = optional_website(&mut p, "website", &self.website);
        let access = CompanyPortalAccess::parse(&self.portal_access);
        if access.is_none() {
            p.add(
                "portal_access",
                FieldCode::InvalidChoice,
                "Choose who at this company may use the portal.",
            );
        }
        p.into_result()?;
        Ok(CompanyInput {
            name: name.to_owned(),
            email,
            phone: optional_text(&self.phone),
            website,
            address: optional_text(&self.address),
            tags: parse_tags(&self.tags),
            portal_access: access.expect("checked").as_str().into(),
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn create_company(app: &App, form: &CompanyForm) -> AppResult<Company> {
    let input = form.parse()?;
    let mut conn = app.db.conn().await?;
    Ok(companies::insert(&mut conn, &input, app.now()).await?)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update_company(app: &App, id: &str, form: &CompanyForm) -> AppResult<()> {
    let input = form.parse()?;
    let mut conn = app.db.conn().await?;
    Ok(companies::update(&mut conn, id, &input, app.now()).await?)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn find_company(app: &App, id: &str) -> AppResult<Company> {
    let mut conn = app.db.conn().await?;
    Ok(companies::find(&mut conn, id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn list_companies(app: &App, f: &CompanyFilter) -> AppResult<Vec<Company>> {
    let mut conn = app.db.conn().await?;
    Ok(companies::list(&mut conn, f).await?)
}

#[tracing::instrument(skip_all)]
pub async fn company_names(app: &App) -> AppResult<Vec<(String, String)>> {
    let mut conn = app.db.conn().await?;
    Ok(companies::all_names(&mut conn).await?)
}

/// The contact form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub company_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub tags: String,
    pub portal_access: String,
}

impl ContactForm {
    pub fn from_contact(c: &Contact) -> Self {
        Self {
            company_id: c.company_id.clone().unwrap_or_default(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            job_title: c.job_title.clone().unwrap_or_default(),
            tags: c.tag_list().join(", "),
            portal_access: c.portal_access.clone(),
        }
    }

    async fn parse(&self, conn: &mut courtyard_db::Conn) -> AppResult<ContactInput> {
        let mut p = Problems::default();
        if self.first_name.trim().is_empty() && self.last_name.trim().is_empty() {
            p.add(
                "first_name",
                FieldCode::Required,
                "Enter the person's name.",
            );
        }
        check_len(&mut p, "first_name", &self.first_name, 100);
        check_len(&mut p, "last_name", &self.last_name, 100);
        check_len(&mut p, "phone", &self.phone, 50);
        check_len(&mut p, "job_title", &self.job_title, 100);
        let email = optional_email(&mut p, "email", &self.email);
        let access = if self.portal_access.is_empty() {
            Some(ContactPortalAccess::Inherit)
        } else {
            ContactPortalAccess::parse(&self.portal_access)
        };
        if access.is_none() {
            p.add(
                "portal_access",
                FieldCode::InvalidChoice,
                "Choose a portal access setting.",
            );
        }
        let company_id = optional_text(&self.company_id);
        if let Some(id) = &company_id {
            match companies::find(conn, id).await {
                Ok(_) => {}
                Err(DbError::NotFound) => p.add(
                    "company_id",
                    FieldCode::InvalidChoice,
                    "Choose a company from the list.",
                ),
                Err(e) => return Err(e.into()),
            }
        }
        p.into_result()?;
        Ok(ContactInput {
            company_id,
            first_name: self.first_name.trim().into(),
            last_name: self.last_name.trim().into(),
            email,
            phone: optional_text(&self.phone),
            job_title: optional_text(&self.job_title),
            tags: parse_tags(&self.tags),
            portal_access: access.expect("checked").as_str().into(),
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn create_contact(app: &App, form: &ContactForm) -> AppResult<Contact> {
    let mut conn = app.db.conn().await?;
    let input = form.parse(&mut conn).await?;
    Ok(contacts::insert(&mut conn, &input, app.now()).await?)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update_contact(app: &App, id: &str, form: &ContactForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let current = contacts::find(&mut tx, id).await?;
    let input = form.parse(&mut tx).await?;
    if current.portal_user_id.is_some() {
        // The login email lives on the portal user; staff change it there.
        if input.email.as_deref() != current.email.as_deref() {
            return Err(AppError::field(
                "email",
                FieldCode::NotAllowed,
                "This person logs in with this email. Change it on their portal user page.",
            ));
        }
        if input.company_id != current.company_id {
            return Err(AppError::field(
                "company_id",
                FieldCode::NotAllowed,
                "This person has portal access; remove it before moving them to another company.",
            ));
        }
    }
    contacts::update(&mut tx, id, &input, app.now()).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn find_contact(app: &App, id: &str) -> AppResult<Contact> {
    let mut conn = app.db.conn().await?;
    Ok(contacts::find(&mut conn, id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn list_contacts(app: &App, f: &ContactFilter) -> AppResult<Vec<Contact>> {
    let mut conn = app.db.conn().await?;
    Ok(contacts::list(&mut conn, f).await?)
}

/// The permission-set form: name, description and the ticked `module:action` keys.
#[derive(Debug, Clone, Default)]
pub struct PermissionSetForm {
    pub name: String,
    pub description: String,
    pub grants: Vec<String>,
}

impl PermissionSetForm {
    pub fn from_set(s: &PermissionSet) -> Self {
        Self {
            name: s.name.clone(),
            description: s.description.clone(),
            grants: Grants::from_storage(&s.grants)
                .iter()
                .map(|g| g.key())
                .collect(),
        }
    }

    fn parse(&self) -> AppResult<(String, String, Grants)> {
        let mut p = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            p.add(
                "name",
                FieldCode::Required,
                "Give the permission set a name.",
            );
        }
        check_len(&mut p, "name", name, 100);
        check_len(&mut p, "description", &self.description, 500);
        let grants = Grants::from_keys(self.grants.iter().map(String::as_str));
        if grants.is_empty() {
            p.add("grants", FieldCode::Required, "Tick at least one module.");
        }
        p.into_result()?;
        Ok((name.into(), self.description.trim().into(), grants))
    }
}

fn duplicate_set() -> AppError {
    AppError::field(
        "name",
        FieldCode::Taken,
        "A permission set with this name already exists.",
    )
}

#[tracing::instrument(skip_all)]
pub async fn create_permission_set(
    app: &App,
    form: &PermissionSetForm,
) -> AppResult<PermissionSet> {
    let (name, description, grants) = form.parse()?;
    let mut conn = app.db.conn().await?;
    permission_sets::insert(
        &mut conn,
        &name,
        &description,
        &grants.to_storage(),
        app.now(),
    )
    .await
    .map_err(|e| match e {
        DbError::Conflict(_) => duplicate_set(),
        e => e.into(),
    })
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update_permission_set(app: &App, id: &str, form: &PermissionSetForm) -> AppResult<()> {
    let (name, description, grants) = form.parse()?;
    let mut conn = app.db.conn().await?;
    permission_sets::update(
        &mut conn,
        id,
        &name,
        &description,
        &grants.to_storage(),
        app.now(),
    )
    .await
    .map_err(|e| match e {
        DbError::Conflict(_) => duplicate_set(),
        e => e.into(),
    })
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn find_permission_set(app: &App, id: &str) -> AppResult<PermissionSet> {
    let mut conn = app.db.conn().await?;
    Ok(permission_sets::find(&mut conn, id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn list_permission_sets(app: &App) -> AppResult<Vec<PermissionSet>> {
    let mut conn = app.db.conn().await?;
    Ok(permission_sets::list(&mut conn).await?)
}

/// "My details" as submitted by a portal user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MyDetailsForm {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub job_title: String,
    /// Company fields, used only with the "edit" permission on My details.
    pub company_name: String,
    pub company_email: String,
    pub company_phone: String,
    pub company_website: String,
    pub company_address: String,
}

/// What "My details" shows.
pub struct MyDetails {
    pub contact: Contact,
    pub company: Option<Company>,
    pub can_edit_company: bool,
}

impl MyDetails {
    pub fn form(&self) -> MyDetailsForm {
        let c = &self.contact;
        let co = self.company.as_ref();
        let get = |f: fn(&Company) -> Option<String>| co.and_then(f).unwrap_or_default();
        MyDetailsForm {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            phone: c.phone.clone().unwrap_or_default(),
            job_title: c.job_title.clone().unwrap_or_default(),
            company_name: co.map(|x| x.name.clone()).unwrap_or_default(),
            company_email: get(|x| x.email.clone()),
            company_phone: get(|x| x.phone.clone()),
            company_website: get(|x| x.website.clone()),
            company_address: get(|x| x.address.clone()),
        }
    }
}

/// The portal user's own details; the company comes from their scope, never from input.
#[tracing::instrument(skip_all)]
pub async fn my_details(app: &App, ctx: &PortalContext) -> AppResult<MyDetails> {
    let mut conn = app.db.conn().await?;
    let contact = contacts::find(&mut conn, &ctx.user.contact_id).await?;
    let company = match ctx.company_id() {
        Some(id) => Some(companies::find(&mut conn, id).await?),
        None => None,
    };
    Ok(MyDetails {
        contact,
        company,
        can_edit_company: ctx.grants.allows(Module::MyDetails, Action::Edit),
    })
}

#[tracing::instrument(skip_all)]
pub async fn update_my_details(
    app: &App,
    ctx: &PortalContext,
    form: &MyDetailsForm,
) -> AppResult<()> {
    if !ctx.grants.allows(Module::MyDetails, Action::View) {
        return Err(AppError::Forbidden);
    }
    let can_edit_company = ctx.grants.allows(Module::MyDetails, Action::Edit);
    let mut p = Problems::default();
    if form.first_name.trim().is_empty() {
        p.add("first_name", FieldCode::Required, "Enter your first name.");
    }
    if form.last_name.trim().is_empty() {
        p.add("last_name", FieldCode::Required, "Enter your last name.");
    }
    check_len(&mut p, "first_name", &form.first_name, 100);
    check_len(&mut p, "last_name", &form.last_name, 100);
    check_len(&mut p, "phone", &form.phone, 50);
    check_len(&mut p, "job_title", &form.job_title, 100);
    let mut company = None;
    if can_edit_company {
        if form.company_name.trim().is_empty() {
            p.add(
                "company_name",
                FieldCode::Required,
                "Enter your company's name.",
            );
        }
        check_len(&mut p, "company_name", &form.company_name, 200);
        check_len(&mut p, "company_address", &form.company_address, 1000);
        let email = optional_email(&mut p, "company_email", &form.company_email);
        let website = optional_website(&mut p, "company_website", &form.company_website);
        company = Some((email, website));
    }
    p.into_result()?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    contacts::update_own_details(
        &mut tx,
        &ctx.user.contact_id,
        form.first_name.trim(),
        form.last_name.trim(),
        optional_text(&form.phone).as_deref(),
        optional_text(&form.job_title).as_deref(),
        now,
    )
    .await?;
    if let (Some((email, website)), Some(company_id)) = (company, ctx.company_id()) {
        let phone = optional_text(&form.company_phone);
        let address = optional_text(&form.company_address);
        let details = companies::CompanyDetails {
            name: form.company_name.trim(),
            email: email.as_deref(),
            phone: phone.as_deref(),
            website: website.as_deref(),
            address: address.as_deref(),
        };
        companies::update_details(&mut tx, company_id, details, now).await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}
