//! Files attached to records (issue 4, first part): checked uploads, stored
//! bytes before rows, downloads only through the record's visibility, staff
//! sharing, and the start-up sweep of orphaned bytes.

use bytes::Bytes;
use courtyard_db::files::{self as db_files, NewFile};
use courtyard_db::{documents, sales, work, Conn, DbError};
use courtyard_domain::files::{display_name, FileKind};
use courtyard_domain::FieldCode;
use courtyard_domain::{Action, Family, Module, RecordKind, WorkKind};

use crate::auth::{PortalContext, StaffContext};
use crate::records::{self, commit, scope};
use crate::{App, AppError, AppResult};

/// The read model of a stored file.
pub use courtyard_db::files::FileRow;

/// The record types files attach to, with their module: every record type,
/// and documents.
fn module_of(record_type: &str) -> Option<Module> {
    match RecordKind::parse(record_type) {
        Some(k) => Some(k.module()),
        None => (record_type == "document").then_some(Module::Documents),
    }
}

/// What an upload needs to know of its record.
struct RecordInfo {
    company_id: Option<String>,
    /// "ticket TKT-0004"
    name: String,
    owner_staff_id: Option<String>,
}

/// The record if it exists and, with a portal user, is visible to them
/// through the policy (else: not found).
async fn record_info(
    conn: &mut Conn,
    ctx: Option<&PortalContext>,
    record_type: &str,
    record_id: &str,
) -> AppResult<RecordInfo> {
    let module = module_of(record_type).ok_or(AppError::NotFound)?;
    let scope = match ctx {
        Some(c) => Some(scope(c, module)?),
        None => None,
    };
    let s = scope.as_ref();
    let info = |company: String, number: String, owner: Option<String>| RecordInfo {
        company_id: Some(company),
        name: format!("{} {number}", module.singular().to_lowercase()),
        owner_staff_id: owner,
    };
    Ok(
        match RecordKind::parse(record_type).map(RecordKind::family) {
            Some(Family::Sales(kind)) => {
                let d = match s {
                    Some(p) => sales::find_scoped(conn, kind, record_id, p).await?,
                    None => sales::find(conn, kind, record_id).await?,
                };
                info(d.company_id, d.number, d.owner_staff_id)
            }
            Some(Family::Work(WorkKind::Job)) => {
                let r = work::find_job(conn, record_id, s).await?;
                info(r.company_id, r.number, r.owner_staff_id)
            }
            Some(Family::Work(WorkKind::Project)) => {
                let r = work::find_project(conn, record_id, s).await?;
                info(r.company_id, r.number, r.owner_staff_id)
            }
            Some(Family::Work(WorkKind::Task)) => {
                let r = work::find_task(conn, record_id, s).await?;
                info(r.company_id, r.number, r.owner_staff_id)
            }
            Some(Family::Work(WorkKind::Ticket)) => {
                let r = work::find_ticket(conn, record_id, s).await?;
                info(r.company_id, r.number, r.owner_staff_id)
            }
            None if record_type == "document" => {
                let d = documents::find(conn, record_id, s).await?;
                RecordInfo {
                    company_id: d.company_id,
                    name: format!("document “{}”", d.title),
                    owner_staff_id: None,
                }
            }
            None => return Err(AppError::NotFound),
        },
    )
}

/// Whether a customer can see the record (else: not found), checked before
/// an upload's body is read.
#[tracing::instrument(skip_all)]
pub async fn portal_check(
    app: &App,
    ctx: &PortalContext,
    record_type: &str,
    record_id: &str,
) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    record_info(&mut conn, Some(ctx), record_type, record_id).await?;
    Ok(())
}

/// Check an upload's name and bytes against the configured limit.
fn check(app: &App, name: &str, bytes: &[u8]) -> AppResult<FileKind> {
    FileKind::check(name, bytes, app.config.files.max_upload_bytes)
        .map_err(|p| AppError::field("file", FieldCode::File, p.message()))
}

/// Bytes stored ahead of their row (and an image's thumbnail).
pub(crate) struct Staged {
    key: String,
    pub thumb_key: Option<String>,
}

impl Staged {
    /// After the row's transaction: on failure, remove the bytes again (a
    /// crash before this leaves bytes without a row, which the start-up
    /// sweep removes).
    pub(crate) async fn settle<T>(&self, app: &App, written: &AppResult<T>) {
        if written.is_err() {
            let _ = app.files.delete(&self.key).await;
            if let Some(k) = &self.thumb_key {
                let _ = app.files.delete(k).await;
            }
        }
    }
}

/// Store the bytes first, atomically (no partial file is ever visible);
/// images get a thumbnail, made on a pool thread.
pub(crate) async fn put_bytes(app: &App, f: &NewFile<'_>, bytes: Bytes) -> AppResult<Staged> {
    let thumb = match FileKind::parse(f.kind) {
        Some(k) if k.is_image() => {
            let b = bytes.clone();
            app.images
                .run(move || courtyard_files::thumbs::thumbnail(&b))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
        }
        _ => None,
    };
    let thumb_key = thumb.as_ref().map(|_| format!("{}-thumb", f.key));
    app.files
        .put(f.key, bytes)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if let (Some(t), Some(k)) = (thumb, &thumb_key) {
        if let Err(e) = app.files.put(k, Bytes::from(t)).await {
            let _ = app.files.delete(f.key).await;
            return Err(AppError::Internal(e.into()));
        }
    }
    Ok(Staged {
        key: f.key.to_owned(),
        thumb_key,
    })
}

/// Store the bytes, then the row: a crash in between leaves only bytes
/// without a row, which the start-up sweep removes.
async fn store(app: &App, f: NewFile<'_>, bytes: Bytes) -> AppResult<String> {
    let staged = put_bytes(app, &f, bytes).await?;
    let written = async {
        let mut tx = app.db.begin().await?;
        let id = db_files::insert(&mut tx, &f, staged.thumb_key.as_deref(), app.now()).await?;
        commit(tx).await?;
        AppResult::Ok(id)
    }
    .await;
    staged.settle(app, &written).await;
    written
}

pub(crate) fn new_key() -> String {
    let id = courtyard_db::new_id();
    // Two levels of fan-out keep directories small on the local store.
    format!("{}/{}/{id}", &id[..2], &id[2..4])
}

/// The message sent with an upload (none when blank): a comment the file
/// belongs to.
fn upload_note(note: &str) -> AppResult<Option<String>> {
    if note.trim().is_empty() {
        return Ok(None);
    }
    records::message_text(note, "note", "").map(Some)
}

/// A customer uploads onto a record they can see (the module's upload
/// permission). Their own uploads are visible to their company at once.
#[tracing::instrument(skip_all)]
pub async fn portal_upload(
    app: &App,
    ctx: &PortalContext,
    record_type: &str,
    record_id: &str,
    raw_name: &str,
    bytes: Bytes,
    note: &str,
) -> AppResult<String> {
    let info = {
        let mut conn = app.db.conn().await?;
        record_info(&mut conn, Some(ctx), record_type, record_id).await?
    };
    let module = module_of(record_type).ok_or(AppError::NotFound)?;
    records::require(ctx, module, Action::Upload)?;
    // A message with the file is a comment the file belongs to.
    if !note.trim().is_empty() {
        records::require(ctx, module, Action::Comment)?;
    }
    let note = upload_note(note)?;
    let name = display_name(raw_name);
    let kind = check(app, &name, &bytes)?;
    let key = new_key();
    let what = format!("uploaded “{name}” to {}", info.name);
    let staff_path = format!(
        "{}#files",
        staff_page(record_type, record_id).ok_or(AppError::NotFound)?
    );
    let button = format!("Open the {}", module.singular().to_lowercase());
    let f = NewFile {
        key: &key,
        record_type,
        record_id,
        company_id: info.company_id.as_deref(),
        display_name: &name,
        kind: kind.as_str(),
        size: bytes.len() as i64,
        shared: true,
        uploaded_by_kind: "portal",
        uploaded_by_id: &ctx.user.id,
        uploaded_by_name: &ctx.user.full_name(),
        comment_id: None,
    };
    let staged = put_bytes(app, &f, bytes).await?;
    // The message, the row and the staff notice in one transaction.
    let written = async {
        let mut tx = app.db.begin().await?;
        let now = app.now();
        // A file on a ticket is the customer's turn, like a reply; a closed
        // ticket takes neither.
        if record_type == RecordKind::Ticket.as_str()
            && !work::customer_replied(&mut tx, record_id, now).await?
        {
            return Err(AppError::Conflict(
                "This ticket is closed. Open a new ticket and mention this one.".into(),
            ));
        }
        let comment = match &note {
            Some(body) => Some(
                records::add_portal_comment(&mut tx, ctx, record_type, record_id, body, now)
                    .await?,
            ),
            None => None,
        };
        let f = NewFile {
            comment_id: comment.as_deref(),
            ..f
        };
        let id = db_files::insert(&mut tx, &f, staged.thumb_key.as_deref(), now).await?;
        crate::notify::customer_did(
            app,
            &mut tx,
            ctx,
            &crate::notify::Notice {
                what: &what,
                staff_path: &staff_path,
                button: &button,
                owner_staff_id: info.owner_staff_id.as_deref(),
            },
        )
        .await?;
        commit(tx).await?;
        AppResult::Ok(id)
    }
    .await;
    staged.settle(app, &written).await;
    written
}

/// Where a record's staff page is; `None` for what is not a record (a
/// document's own file, the logo).
pub fn staff_page(record_type: &str, id: &str) -> Option<String> {
    RecordKind::parse(record_type).map(|k| crate::links::staff_record(k, id))
}

/// Staff attach a file to any record; hidden from the portal until shared.
#[tracing::instrument(skip_all)]
pub async fn staff_upload(
    app: &App,
    by: &courtyard_db::staff::StaffUser,
    record_type: &str,
    record_id: &str,
    raw_name: &str,
    bytes: Bytes,
) -> AppResult<String> {
    staff_attach(app, by, record_type, record_id, raw_name, bytes, "", false).await
}

/// Staff attach a file, perhaps with a message and shared at once. The
/// message is a comment the file belongs to: public when the file is
/// shared, an internal note while it is hidden.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn staff_attach(
    app: &App,
    by: &courtyard_db::staff::StaffUser,
    record_type: &str,
    record_id: &str,
    raw_name: &str,
    bytes: Bytes,
    note: &str,
    share: bool,
) -> AppResult<String> {
    let info = {
        let mut conn = app.db.conn().await?;
        record_info(&mut conn, None, record_type, record_id).await?
    };
    let note = upload_note(note)?;
    let name = display_name(raw_name);
    let kind = check(app, &name, &bytes)?;
    let key = new_key();
    let f = NewFile {
        key: &key,
        record_type,
        record_id,
        company_id: info.company_id.as_deref(),
        display_name: &name,
        kind: kind.as_str(),
        size: bytes.len() as i64,
        shared: share,
        uploaded_by_kind: "staff",
        uploaded_by_id: &by.id,
        uploaded_by_name: &by.name,
        comment_id: None,
    };
    let staged = put_bytes(app, &f, bytes).await?;
    let written = async {
        let mut tx = app.db.begin().await?;
        let now = app.now();
        let comment = match &note {
            Some(body) => {
                let id = courtyard_db::records::add_comment(
                    &mut tx,
                    &courtyard_db::records::NewComment {
                        record_type,
                        record_id,
                        author_kind: "staff",
                        author_id: &by.id,
                        author_name: &by.name,
                        body,
                        internal: !share,
                    },
                    now,
                )
                .await?;
                if share && record_type == RecordKind::Ticket.as_str() {
                    work::staff_replied(&mut tx, record_id, now).await?;
                }
                Some(id)
            }
            None => None,
        };
        let f = NewFile {
            comment_id: comment.as_deref(),
            ..f
        };
        let id = db_files::insert(&mut tx, &f, staged.thumb_key.as_deref(), now).await?;
        commit(tx).await?;
        AppResult::Ok(id)
    }
    .await;
    staged.settle(app, &written).await;
    written
}

/// Store a staff file that is not a record's (the business logo): checked
/// by the caller, never shared.
pub(crate) async fn store_plain(
    app: &App,
    ctx: &StaffContext,
    record_type: &str,
    record_id: &str,
    raw_name: &str,
    kind: FileKind,
    bytes: Bytes,
) -> AppResult<String> {
    let name = display_name(raw_name);
    let key = new_key();
    store(
        app,
        NewFile {
            key: &key,
            record_type,
            record_id,
            company_id: None,
            display_name: &name,
            kind: kind.as_str(),
            size: bytes.len() as i64,
            shared: false,
            uploaded_by_kind: "staff",
            uploaded_by_id: &ctx.staff.id,
            uploaded_by_name: &ctx.staff.name,
            comment_id: None,
        },
        bytes,
    )
    .await
}

/// Remove a file: the row first, then its bytes (a crash in between leaves
/// bytes without a row, which the start-up sweep removes).
pub(crate) async fn remove(app: &App, f: &FileRow) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    db_files::delete(&mut conn, &f.id).await?;
    drop(conn);
    if let Some(t) = &f.thumb_key {
        app.files
            .delete(t)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    app.files
        .delete(&f.key)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// A file's row, for staff pages.
#[tracing::instrument(skip_all)]
pub async fn staff_find(app: &App, file_id: &str) -> AppResult<FileRow> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::find(&mut conn, file_id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn set_shared(app: &App, file_id: &str, shared: bool) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::set_shared(&mut conn, file_id, shared).await?)
}

/// A record's files as a customer may see them (the record already found
/// through the policy by the caller).
#[tracing::instrument(skip_all)]
pub async fn portal_files(
    app: &App,
    record_type: &str,
    record_id: &str,
) -> AppResult<Vec<FileRow>> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::for_record(&mut conn, record_type, record_id, true).await?)
}

#[tracing::instrument(skip_all)]
pub async fn staff_files(app: &App, record_type: &str, record_id: &str) -> AppResult<Vec<FileRow>> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::for_record(&mut conn, record_type, record_id, false).await?)
}

async fn bytes_of(app: &App, f: &FileRow) -> AppResult<Bytes> {
    app.files.get(&f.key).await.map_err(|e| match e {
        courtyard_files::FilesError::NotFound => AppError::NotFound,
        e => AppError::Internal(e.into()),
    })
}

/// A customer downloads a file: it must be shared and its record visible to
/// them; anything else is not found.
#[tracing::instrument(skip_all)]
pub async fn portal_download(
    app: &App,
    ctx: &PortalContext,
    file_id: &str,
) -> AppResult<(FileRow, Bytes)> {
    let f = portal_row(app, ctx, file_id).await?;
    let bytes = bytes_of(app, &f).await?;
    Ok((f, bytes))
}

/// A file's row if the customer may download it.
async fn portal_row(app: &App, ctx: &PortalContext, file_id: &str) -> AppResult<FileRow> {
    let f = {
        let mut conn = app.db.conn().await?;
        let f = match db_files::find(&mut conn, file_id).await {
            Ok(f) => f,
            Err(DbError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        };
        record_info(&mut conn, Some(ctx), &f.record_type, &f.record_id).await?;
        // Shared is the only rule: a customer's own upload is stored shared,
        // and staff may hide it again.
        if f.shared != 1 {
            return Err(AppError::NotFound);
        }
        f
    };
    Ok(f)
}

/// A file's thumbnail (PNG), under the same rule as its download.
#[tracing::instrument(skip_all)]
pub async fn portal_thumb(app: &App, ctx: &PortalContext, file_id: &str) -> AppResult<Bytes> {
    let f = portal_row(app, ctx, file_id).await?;
    thumb_of(app, &f).await
}

#[tracing::instrument(skip_all)]
pub async fn staff_thumb(app: &App, file_id: &str) -> AppResult<Bytes> {
    let f = staff_find(app, file_id).await?;
    thumb_of(app, &f).await
}

async fn thumb_of(app: &App, f: &FileRow) -> AppResult<Bytes> {
    let key = f.thumb_key.as_deref().ok_or(AppError::NotFound)?;
    app.files.get(key).await.map_err(|e| match e {
        courtyard_files::FilesError::NotFound => AppError::NotFound,
        e => AppError::Internal(e.into()),
    })
}

#[tracing::instrument(skip_all)]
pub async fn staff_download(app: &App, file_id: &str) -> AppResult<(FileRow, Bytes)> {
    let f = {
        let mut conn = app.db.conn().await?;
        db_files::find(&mut conn, file_id).await?
    };
    let bytes = bytes_of(app, &f).await?;
    Ok((f, bytes))
}

/// At start-up: remove staged uploads a crash left behind, and stored bytes
/// no row points at that are older than `grace_secs` (an upload in flight on
/// another server has bytes before its row). Returns (staged, orphans).
#[tracing::instrument(skip_all)]
pub async fn sweep(app: &App, grace_secs: i64) -> AppResult<(usize, usize)> {
    let staged = sweep_staged(app)?;
    Ok((staged, sweep_orphans(app, grace_secs).await?))
}

/// Staged uploads a crash left behind. Run before serving: an upload in
/// flight on this server is staged too.
pub fn sweep_staged(app: &App) -> AppResult<usize> {
    app.files
        .sweep_staged()
        .map_err(|e| AppError::Internal(e.into()))
}

/// Stored bytes no row points at, older than `grace_secs`. Safe while
/// serving (newer bytes may belong to an upload in flight), so the server
/// runs it in the background: with many files it takes a while.
#[tracing::instrument(skip_all)]
pub async fn sweep_orphans(app: &App, grace_secs: i64) -> AppResult<usize> {
    let stored = app
        .files
        .list()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut conn = app.db.conn().await?;
    let mut orphans = 0;
    for s in stored {
        if s.modified > app.now() - grace_secs {
            continue;
        }
        if !db_files::key_exists(&mut conn, &s.key).await? {
            app.files
                .delete(&s.key)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            orphans += 1;
        }
    }
    Ok(orphans)
}
