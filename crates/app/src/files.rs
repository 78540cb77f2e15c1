//! Files attached to records (issue 4, first part): checked uploads, stored
//! bytes before rows, downloads only through the record's visibility, staff
//! sharing, and the start-up sweep of orphaned bytes.

use bytes::Bytes;
use courtyard_db::files::{self as db_files, FileRow, NewFile};
use courtyard_db::{sales, work, Conn, DbError};
use courtyard_domain::files::{display_name, FileKind};
use courtyard_domain::records::SalesKind;
use courtyard_domain::{Action, Module};

use crate::auth::{PortalContext, StaffContext};
use crate::records::{self, commit, scope};
use crate::{App, AppError, AppResult};

/// The record types files attach to, with their module.
fn module_of(record_type: &str) -> Option<Module> {
    Some(match record_type {
        "quote" => Module::Quotes,
        "order" => Module::SalesOrders,
        "invoice" => Module::Invoices,
        "job" => Module::Jobs,
        "project" => Module::Projects,
        "task" => Module::Tasks,
        "ticket" => Module::Tickets,
        _ => return None,
    })
}

/// The record's company if it exists and, with a portal user, is visible to
/// them through the policy (else: not found).
async fn record_company(
    conn: &mut Conn,
    ctx: Option<&PortalContext>,
    record_type: &str,
    record_id: &str,
) -> AppResult<String> {
    let module = module_of(record_type).ok_or(AppError::NotFound)?;
    let scope = match ctx {
        Some(c) => Some(scope(c, module)?),
        None => None,
    };
    let s = scope.as_ref();
    let sales_kind = SalesKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == record_type);
    Ok(match (sales_kind, record_type) {
        (Some(kind), _) => match s {
            Some(p) => {
                sales::find_scoped(conn, kind, record_id, p)
                    .await?
                    .company_id
            }
            None => sales::find(conn, kind, record_id).await?.company_id,
        },
        (None, "job") => work::find_job(conn, record_id, s).await?.company_id,
        (None, "project") => work::find_project(conn, record_id, s).await?.company_id,
        (None, "task") => work::find_task(conn, record_id, s).await?.company_id,
        (None, "ticket") => work::find_ticket(conn, record_id, s).await?.company_id,
        _ => return Err(AppError::NotFound),
    })
}

/// Check an upload's name and bytes against the configured limit.
fn check(app: &App, name: &str, bytes: &[u8]) -> AppResult<FileKind> {
    FileKind::check(name, bytes, app.config.files.max_upload_bytes)
        .map_err(|p| AppError::field("file", p.message()))
}

/// Store the bytes first (atomically), then the row: a crash in between
/// leaves only bytes without a row, which the start-up sweep removes.
async fn store(app: &App, f: NewFile<'_>, bytes: Bytes) -> AppResult<String> {
    app.files
        .put(f.key, bytes)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = app.db.begin().await?;
    match db_files::insert(&mut tx, &f, app.now()).await {
        Ok(id) => {
            commit(tx).await?;
            Ok(id)
        }
        Err(e) => {
            drop(tx);
            let _ = app.files.delete(f.key).await;
            Err(e.into())
        }
    }
}

fn new_key() -> String {
    let id = courtyard_db::new_id();
    // Two levels of fan-out keep directories small on the local store.
    format!("{}/{}/{id}", &id[..2], &id[2..4])
}

/// A customer uploads onto a record they can see (the module's upload
/// permission). Their own uploads are visible to their company at once.
pub async fn portal_upload(
    app: &App,
    ctx: &PortalContext,
    record_type: &str,
    record_id: &str,
    raw_name: &str,
    bytes: Bytes,
) -> AppResult<String> {
    let company = {
        let mut conn = app.db.conn().await?;
        record_company(&mut conn, Some(ctx), record_type, record_id).await?
    };
    let module = module_of(record_type).ok_or(AppError::NotFound)?;
    records::require(ctx, module, Action::Upload)?;
    let name = display_name(raw_name);
    let kind = check(app, &name, &bytes)?;
    let key = new_key();
    store(
        app,
        NewFile {
            key: &key,
            record_type,
            record_id,
            company_id: Some(&company),
            display_name: &name,
            kind: kind.as_str(),
            size: bytes.len() as i64,
            shared: true,
            uploaded_by_kind: "portal",
            uploaded_by_id: &ctx.user.id,
            uploaded_by_name: &ctx.user.full_name(),
        },
        bytes,
    )
    .await
}

/// Staff attach a file to any record; hidden from the portal until shared.
pub async fn staff_upload(
    app: &App,
    ctx: &StaffContext,
    record_type: &str,
    record_id: &str,
    raw_name: &str,
    bytes: Bytes,
) -> AppResult<String> {
    let company = {
        let mut conn = app.db.conn().await?;
        record_company(&mut conn, None, record_type, record_id).await?
    };
    let name = display_name(raw_name);
    let kind = check(app, &name, &bytes)?;
    let key = new_key();
    store(
        app,
        NewFile {
            key: &key,
            record_type,
            record_id,
            company_id: Some(&company),
            display_name: &name,
            kind: kind.as_str(),
            size: bytes.len() as i64,
            shared: false,
            uploaded_by_kind: "staff",
            uploaded_by_id: &ctx.staff.id,
            uploaded_by_name: &ctx.staff.name,
        },
        bytes,
    )
    .await
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
    app.files
        .delete(&f.key)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// A file's row, for staff pages.
pub async fn staff_find(app: &App, file_id: &str) -> AppResult<FileRow> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::find(&mut conn, file_id).await?)
}

pub async fn set_shared(app: &App, file_id: &str, shared: bool) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::set_shared(&mut conn, file_id, shared).await?)
}

/// A record's files as a customer may see them (the record already found
/// through the policy by the caller).
pub async fn portal_files(
    app: &App,
    record_type: &str,
    record_id: &str,
) -> AppResult<Vec<FileRow>> {
    let mut conn = app.db.conn().await?;
    Ok(db_files::for_record(&mut conn, record_type, record_id, true).await?)
}

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

/// A customer downloads a file: it must be shared (or their company's own
/// upload) and its record visible to them; anything else is not found.
pub async fn portal_download(
    app: &App,
    ctx: &PortalContext,
    file_id: &str,
) -> AppResult<(FileRow, Bytes)> {
    let f = {
        let mut conn = app.db.conn().await?;
        let f = match db_files::find(&mut conn, file_id).await {
            Ok(f) => f,
            Err(DbError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let company = record_company(&mut conn, Some(ctx), &f.record_type, &f.record_id).await?;
        let own_upload =
            f.uploaded_by_kind == "portal" && f.company_id.as_deref() == Some(company.as_str());
        if f.shared != 1 && !own_upload {
            return Err(AppError::NotFound);
        }
        f
    };
    let bytes = bytes_of(app, &f).await?;
    Ok((f, bytes))
}

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
pub async fn sweep(app: &App, grace_secs: i64) -> AppResult<(usize, usize)> {
    let staged = app
        .files
        .sweep_staged()
        .map_err(|e| AppError::Internal(e.into()))?;
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
    Ok((staged, orphans))
}
