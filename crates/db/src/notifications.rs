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

pub async fn mark_read(conn: &mut Conn, staff_id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE staff_id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(staff_id)
        .execute(conn)
        .await?;
    Ok(())
}
