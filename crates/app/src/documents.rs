//! The Documents module: documents staff share with every portal user, with
//! a company or one contact, or with a project's members, filed by staff in
//! folders; customers upload documents of their own. What a customer sees is
//! decided by the visibility policy (docs/adr/0011).

use bytes::Bytes;
use courtyard_db::documents::{self as db_docs, DocumentFields};
use courtyard_db::files::NewFile;
use courtyard_db::{companies, contacts, work, DbError};
use courtyard_domain::files::display_name;
use courtyard_domain::policy::Explanation;
use courtyard_domain::FieldCode;
use courtyard_domain::{Action, Module};

use crate::auth::PortalContext;
use crate::error::Problems;
use crate::records::{self, commit, scope};
use crate::{App, AppError, AppResult};

/// The read models these use cases return.
pub use courtyard_db::documents::{DocumentFilter, DocumentRow, Folder};

/// The portal's three folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalFolder {
    /// Shared with every portal user.
    Public,
    /// Shared with the person's company or with them.
    Private,
    /// Shared with projects they are a member of.
    Project,
}

impl PortalFolder {
    pub const ALL: [PortalFolder; 3] = [Self::Public, Self::Private, Self::Project];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == s)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Project => "project",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Public documents",
            Self::Private => "Private documents",
            Self::Project => "Project documents",
        }
    }

    fn audiences(self) -> Vec<&'static str> {
        match self {
            Self::Public => vec!["public"],
            Self::Private => vec!["company", "contact"],
            Self::Project => vec!["project"],
        }
    }
}

/// Who a document is for, as staff choose it.
pub const AUDIENCES: &[(&str, &str)] = &[
    ("public", "Every portal user"),
    ("company", "One company"),
    ("contact", "One person"),
    ("project", "A project's portal members"),
];

/// A page of a portal folder, newest first.
#[tracing::instrument(skip_all)]
pub async fn portal_list(
    app: &App,
    ctx: &PortalContext,
    folder: PortalFolder,
    q: &str,
    before: Option<(i64, String)>,
    limit: i64,
) -> AppResult<Vec<DocumentRow>> {
    let scope = scope(ctx, Module::Documents)?;
    let mut conn = app.db.conn().await?;
    Ok(db_docs::list(
        &mut conn,
        Some(&scope),
        &DocumentFilter {
            audiences: folder.audiences(),
            q: q.to_owned(),
            before,
            limit,
            ..Default::default()
        },
    )
    .await?)
}

/// One document a customer can see.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn portal_find(app: &App, ctx: &PortalContext, id: &str) -> AppResult<DocumentRow> {
    let scope = scope(ctx, Module::Documents)?;
    let mut conn = app.db.conn().await?;
    Ok(db_docs::find(&mut conn, id, Some(&scope)).await?)
}

fn check_text(p: &mut Problems, title: &str, description: &str) {
    if title.trim().is_empty() || title.chars().count() > 200 {
        p.add(
            "title",
            if title.trim().is_empty() {
                FieldCode::Required
            } else {
                FieldCode::TooLong
            },
            "Give the document a title of up to 200 characters.",
        );
    }
    if description.chars().count() > 2000 {
        p.add(
            "description",
            FieldCode::TooLong,
            "Keep the description under 2,000 characters.",
        );
    }
}

/// A customer uploads a document from the Documents module: it is linked to
/// them and their company (shared with their company at once; private to
/// them from colleagues who see only their own records), and staff are told.
#[tracing::instrument(skip_all)]
pub async fn portal_upload(
    app: &App,
    ctx: &PortalContext,
    title: &str,
    description: &str,
    raw_name: &str,
    bytes: Bytes,
) -> AppResult<String> {
    records::require(ctx, Module::Documents, Action::Upload)?;
    let company_id = ctx.user.company_id.clone().ok_or(AppError::NotFound)?;
    let mut p = Problems::default();
    check_text(&mut p, title, description);
    let name = display_name(raw_name);
    let kind =
        courtyard_domain::files::FileKind::check(&name, &bytes, app.config.files.max_upload_bytes);
    if let Err(problem) = &kind {
        p.add("file", FieldCode::File, problem.message());
    }
    p.into_result()?;
    let kind = kind.expect("checked above");
    let id = courtyard_db::new_id();
    let key = crate::files::new_key();
    let fields = DocumentFields {
        title: title.trim().to_owned(),
        description: description.trim().to_owned(),
        folder_id: None,
        audience: "company".into(),
        company_id: Some(company_id.clone()),
        contact_id: Some(ctx.user.contact_id.clone()),
        project_id: None,
        shared: true,
    };
    let what = format!("uploaded the document “{}”", fields.title);
    let staff_path = crate::links::staff_document(&id);
    let f = NewFile {
        key: &key,
        record_type: "document",
        record_id: &id,
        company_id: Some(&company_id),
        display_name: &name,
        kind: kind.as_str(),
        size: bytes.len() as i64,
        shared: true,
        uploaded_by_kind: "portal",
        uploaded_by_id: &ctx.user.id,
        uploaded_by_name: &ctx.user.full_name(),
        comment_id: None,
    };
    let staged = crate::files::put_bytes(app, &f, bytes).await?;
    // The document, its file row and the staff notice in one transaction.
    let written = async {
        let mut tx = app.db.begin().await?;
        db_docs::insert(&mut tx, &id, &fields, app.now()).await?;
        courtyard_db::files::insert(&mut tx, &f, staged.thumb_key.as_deref(), app.now()).await?;
        crate::notify::customer_did(
            app,
            &mut tx,
            ctx,
            &crate::notify::Notice {
                what: &what,
                staff_path: &staff_path,
                button: "Open the document",
                owner_staff_id: None,
            },
        )
        .await?;
        commit(tx).await
    }
    .await;
    staged.settle(app, &written).await;
    written?;
    Ok(id)
}

/// A document as staff submit it.
#[derive(Debug, Clone, Default)]
pub struct DocumentForm {
    pub title: String,
    pub description: String,
    pub folder_id: String,
    pub audience: String,
    pub company_id: String,
    pub contact_id: String,
    pub project_id: String,
    pub shared: bool,
}

impl DocumentForm {
    pub fn from_row(d: &DocumentRow) -> Self {
        Self {
            title: d.title.clone(),
            description: d.description.clone(),
            folder_id: d.folder_id.clone().unwrap_or_default(),
            audience: d.audience.clone(),
            company_id: d.company_id.clone().unwrap_or_default(),
            contact_id: d.contact_id.clone().unwrap_or_default(),
            project_id: d.project_id.clone().unwrap_or_default(),
            shared: d.shared == 1,
        }
    }

    /// Check the form against the database: the target of the audience
    /// must exist, and the company follows from a contact or a project.
    async fn parse(&self, app: &App) -> AppResult<DocumentFields> {
        let mut p = Problems::default();
        check_text(&mut p, &self.title, &self.description);
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let mut conn = app.db.conn().await?;
        let mut f = DocumentFields {
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            folder_id: opt(&self.folder_id),
            audience: self.audience.clone(),
            company_id: None,
            contact_id: None,
            project_id: None,
            shared: self.shared,
        };
        if let Some(folder) = &f.folder_id {
            if !db_docs::folders(&mut conn)
                .await?
                .iter()
                .any(|x| &x.id == folder)
            {
                p.add(
                    "folder_id",
                    FieldCode::Gone,
                    "That folder no longer exists.",
                );
            }
        }
        match self.audience.as_str() {
            "public" => {}
            // A company document may name one of its people (a customer's
            // own upload does): own-scope colleagues then do not see it.
            "company" => match opt(&self.company_id) {
                Some(c) => match companies::find(&mut conn, &c).await {
                    Ok(_) => {
                        if let Some(ct) = opt(&self.contact_id) {
                            match contacts::find(&mut conn, &ct).await {
                                Ok(x) if x.company_id.as_deref() == Some(c.as_str()) => {
                                    f.contact_id = Some(ct);
                                }
                                Ok(_) | Err(DbError::NotFound) => p.add(
                                    "contact_id", FieldCode::NotAllowed,
                                    "That person is not at this company: choose one of its people, or nobody.",
                                ),
                                Err(e) => return Err(e.into()),
                            }
                        }
                        f.company_id = Some(c);
                    }
                    Err(DbError::NotFound) => p.add(
                        "company_id",
                        FieldCode::InvalidChoice,
                        "Choose the company.",
                    ),
                    Err(e) => return Err(e.into()),
                },
                None => p.add(
                    "company_id",
                    FieldCode::InvalidChoice,
                    "Choose the company the document is for.",
                ),
            },
            "contact" => match opt(&self.contact_id) {
                Some(c) => match contacts::find(&mut conn, &c).await {
                    Ok(ct) if ct.company_id.is_some() => {
                        f.company_id = ct.company_id;
                        f.contact_id = Some(c);
                    }
                    Ok(_) => p.add(
                        "contact_id",
                        FieldCode::NotAllowed,
                        "That person belongs to no company.",
                    ),
                    Err(DbError::NotFound) => {
                        p.add("contact_id", FieldCode::InvalidChoice, "Choose the person.");
                    }
                    Err(e) => return Err(e.into()),
                },
                None => p.add(
                    "contact_id",
                    FieldCode::InvalidChoice,
                    "Choose the person the document is for.",
                ),
            },
            "project" => match opt(&self.project_id) {
                Some(id) => match work::find_project(&mut conn, &id, None).await {
                    Ok(pr) => {
                        f.company_id = Some(pr.company_id);
                        f.project_id = Some(id);
                    }
                    Err(DbError::NotFound) => p.add(
                        "project_id",
                        FieldCode::InvalidChoice,
                        "Choose the project.",
                    ),
                    Err(e) => return Err(e.into()),
                },
                None => p.add(
                    "project_id",
                    FieldCode::InvalidChoice,
                    "Choose the project the document is for.",
                ),
            },
            _ => p.add(
                "audience",
                FieldCode::InvalidChoice,
                "Choose who the document is for.",
            ),
        }
        p.into_result()?;
        Ok(f)
    }
}

/// Check a staff form without a file (to report every problem at once when
/// the file itself was refused).
#[tracing::instrument(skip_all)]
pub async fn check_form(app: &App, form: &DocumentForm) -> AppResult<()> {
    form.parse(app).await.map(|_| ())
}

/// Staff add a document with its file.
#[tracing::instrument(skip_all)]
pub async fn staff_upload(
    app: &App,
    by: &courtyard_db::staff::StaffUser,
    form: &DocumentForm,
    raw_name: &str,
    bytes: Bytes,
) -> AppResult<String> {
    let fields = form.parse(app).await;
    let name = display_name(raw_name);
    let kind =
        courtyard_domain::files::FileKind::check(&name, &bytes, app.config.files.max_upload_bytes);
    let fields = match (fields, &kind) {
        (Ok(f), Ok(_)) => f,
        (Err(AppError::Invalid(mut e)), Err(problem)) => {
            e.push(courtyard_domain::FieldError::new(
                "file",
                FieldCode::File,
                problem.message(),
            ));
            return Err(AppError::Invalid(e));
        }
        (Err(e), _) => return Err(e),
        (Ok(_), Err(problem)) => {
            return Err(AppError::field("file", FieldCode::File, problem.message()))
        }
    };
    let kind = kind.expect("checked above");
    let id = courtyard_db::new_id();
    let key = crate::files::new_key();
    let company = fields.company_id.clone();
    let f = NewFile {
        key: &key,
        record_type: "document",
        record_id: &id,
        company_id: company.as_deref(),
        display_name: &name,
        kind: kind.as_str(),
        size: bytes.len() as i64,
        shared: fields.shared,
        uploaded_by_kind: "staff",
        uploaded_by_id: &by.id,
        uploaded_by_name: &by.name,
        comment_id: None,
    };
    let staged = crate::files::put_bytes(app, &f, bytes).await?;
    let written = async {
        let mut tx = app.db.begin().await?;
        db_docs::insert(&mut tx, &id, &fields, app.now()).await?;
        courtyard_db::files::insert(&mut tx, &f, staged.thumb_key.as_deref(), app.now()).await?;
        commit(tx).await
    }
    .await;
    staged.settle(app, &written).await;
    written?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn staff_update(app: &App, id: &str, form: &DocumentForm) -> AppResult<()> {
    let fields = form.parse(app).await?;
    let mut tx = app.db.begin().await?;
    db_docs::update(&mut tx, id, &fields, app.now()).await?;
    commit(tx).await
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn staff_find(app: &App, id: &str) -> AppResult<DocumentRow> {
    let mut conn = app.db.conn().await?;
    Ok(db_docs::find(&mut conn, id, None).await?)
}

#[tracing::instrument(skip_all)]
pub async fn staff_list(app: &App, f: &DocumentFilter) -> AppResult<Vec<DocumentRow>> {
    let mut conn = app.db.conn().await?;
    Ok(db_docs::list(&mut conn, None, f).await?)
}

/// Delete a document: its rows, then its bytes.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn delete(app: &App, id: &str) -> AppResult<()> {
    let d = staff_find(app, id).await?;
    let file = crate::files::staff_find(app, &d.file_id).await?;
    {
        let mut tx = app.db.begin().await?;
        courtyard_db::files::delete(&mut tx, &file.id).await?;
        db_docs::delete(&mut tx, id).await?;
        commit(tx).await?;
    }
    if let Some(t) = &file.thumb_key {
        let _ = app.files.delete(t).await;
    }
    app.files
        .delete(&file.key)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

#[tracing::instrument(skip_all)]
pub async fn folders(app: &App) -> AppResult<Vec<Folder>> {
    let mut conn = app.db.conn().await?;
    Ok(db_docs::folders(&mut conn).await?)
}

#[tracing::instrument(skip_all)]
pub async fn create_folder(app: &App, name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field(
            "folder",
            if name.is_empty() {
                FieldCode::Required
            } else {
                FieldCode::TooLong
            },
            "Give the folder a name of up to 80 characters.",
        ));
    }
    let mut tx = app.db.begin().await?;
    match db_docs::create_folder(&mut tx, name, app.now()).await {
        Ok(id) => {
            commit(tx).await?;
            Ok(id)
        }
        Err(DbError::Conflict(_)) => Err(AppError::field(
            "folder",
            FieldCode::Taken,
            "There is already a folder with this name.",
        )),
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn delete_folder(app: &App, id: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    db_docs::delete_folder(&mut tx, id).await?;
    commit(tx).await
}

/// "Can this person see it?" for one document.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn explain(app: &App, id: &str, portal_user_id: &str) -> AppResult<Explanation> {
    let d = staff_find(app, id).await?;
    let member_docs = match &d.project_id {
        Some(pid) => {
            let mut conn = app.db.conn().await?;
            let p = work::find_project(&mut conn, pid, None).await?;
            (p.show_documents == 1).then(|| pid.clone())
        }
        None => None,
    };
    records::explain(
        app,
        Module::Documents,
        portal_user_id,
        |_| {
            std::collections::HashMap::from([
                ("audience", Some(d.audience.clone())),
                ("company_id", d.company_id.clone()),
                ("contact_id", d.contact_id.clone()),
                ("shared", Some(d.shared.to_string())),
            ])
        },
        // Project documents need membership of a project that shows them.
        member_docs.as_deref(),
    )
    .await
}
