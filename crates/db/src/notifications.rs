//! Notices for staff inside the app: one row per staff member, unread until
//! they open the notification list.

use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Notification {
    pub id: String,
    pub text: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// The same notice for each of `staff_ids`.
pub async fn add(
    conn: &mut Conn,
    staff_ids: &[String],
    text: &str,
    link: &str,
    now: i64,
) -> Result<()> {
    for staff_id in staff_ids {
        sqlx::query(
            "INSERT INTO notifications (id, staff_id, text, link, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crate::new_id())
        .bind(staff_id)
        .bind(text)
        .bind(link)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The newest notices of one staff member.
pub async fn recent(conn: &mut Conn, staff_id: &str, limit: i64) -> Result<Vec<Notification>> {
    Ok(sqlx::query_as(
        "SELECT id, text, link, created_at, read_at FROM notifications WHERE staff_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(staff_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// How many notices a staff member has not seen (at most 100 are counted).
pub async fn unread(conn: &mut Conn, staff_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE staff_id = $1 AND read_at IS NULL LIMIT 100) n",
    )
    .bind(staff_id)
    .fetch_one(conn)
    .await?)
}

/// Mark read exactly the notices that were shown.
pub async fn mark_read(conn: &mut Conn, staff_id: &str, ids: &[String], now: i64) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut q = crate::sql::Sql::new("UPDATE notifications SET read_at = ");
    q.bind(now)
        .push(" WHERE read_at IS NULL AND staff_id = ")
        .bind(staff_id.to_owned())
        .push(" AND id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(id.clone());
    }
    q.push(")");
    let (text, args) = q.build();
    sqlx::query_with(&text, args).execute(conn).await?;
    Ok(())
}
