//! Email templates (askama, text + HTML) whose intro text staff can customise.

use askama::Template;
use courtyard_db::{settings, Conn};
use courtyard_domain::FieldCode;
use courtyard_mail::Email;

use crate::AppResult;

/// The emails whose intro staff can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailKind {
    Invitation,
    PasswordReset,
}

impl EmailKind {
    pub const ALL: &'static [EmailKind] = &[Self::Invitation, Self::PasswordReset];

    pub fn key(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Invitation => "Invitation",
            Self::PasswordReset => "Password reset",
        }
    }

    pub fn default_intro(self, business: &str) -> String {
        match self {
            Self::Invitation => format!(
                "{business} has invited you to its customer portal, where you can see your \
                 quotes, orders, invoices and projects, and ask us for help, in one place."
            ),
            Self::PasswordReset => {
                "Someone asked to reset the password of your customer portal account.".to_owned()
            }
        }
    }

    fn setting_key(self) -> String {
        format!("email.{}.intro", self.key())
    }
}

/// The intro in effect: the staff's text or the default.
pub async fn intro(conn: &mut Conn, kind: EmailKind, business: &str) -> AppResult<String> {
    Ok(settings::get(conn, &kind.setting_key())
        .await?
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| kind.default_intro(business)))
}

/// Save a custom intro; an empty text restores the default.
pub async fn set_intro(conn: &mut Conn, kind: EmailKind, text: &str) -> AppResult<()> {
    let text = text.trim();
    if text.chars().count() > 2000 {
        return Err(crate::AppError::field(
            "intro",
            FieldCode::TooLong,
            "Keep the intro under 2,000 characters.",
        ));
    }
    if text.is_empty() {
        settings::delete(conn, &kind.setting_key()).await?;
    } else {
        settings::set(conn, &kind.setting_key(), text).await?;
    }
    Ok(())
}

/// Every intro in effect, for the settings page.
pub async fn intros(app: &crate::App) -> AppResult<Vec<(EmailKind, String)>> {
    let mut conn = app.db.conn().await?;
    let mut out = Vec::new();
    for kind in EmailKind::ALL {
        out.push((
            *kind,
            intro(&mut conn, *kind, &app.config.business_name).await?,
        ));
    }
    Ok(out)
}

/// Save every intro at once, or none if one is refused.
pub async fn save_intros(app: &crate::App, texts: &[(EmailKind, String)]) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    for (kind, text) in texts {
        set_intro(&mut tx, *kind, text).await?;
    }
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(())
}

macro_rules! email_pair {
    ($text:ident, $html:ident, $txt:literal, $htm:literal) => {
        #[derive(Template)]
        #[template(path = $txt)]
        #[allow(dead_code)]
        struct $text<'a> {
            business_name: &'a str,
            first_name: &'a str,
            intro: &'a str,
            link: &'a str,
            username: &'a str,
            expires: &'a str,
        }

        #[derive(Template)]
        #[template(path = $htm)]
        #[allow(dead_code)]
        struct $html<'a> {
            subject: &'a str,
            business_name: &'a str,
            first_name: &'a str,
            intro: &'a str,
            link: &'a str,
            username: &'a str,
            expires: &'a str,
        }

        impl $html<'_> {
            fn intro_paragraphs(&self) -> Vec<&str> {
                self.intro
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect()
            }
        }
    };
}

email_pair!(
    InvitationText,
    InvitationHtml,
    "email/invitation.txt",
    "email/invitation.html"
);
email_pair!(
    ResetText,
    ResetHtml,
    "email/password_reset.txt",
    "email/password_reset.html"
);

/// What an email needs to be rendered.
pub struct EmailContext<'a> {
    pub to: &'a str,
    pub business_name: &'a str,
    pub first_name: &'a str,
    pub intro: &'a str,
    pub link: &'a str,
    pub username: &'a str,
    /// When the link expires, as shown to the reader.
    pub expires: &'a str,
}

/// Render one email, both parts.
pub fn render(kind: EmailKind, c: &EmailContext<'_>) -> anyhow::Result<Email> {
    let subject = match kind {
        EmailKind::Invitation => {
            format!("You're invited to the {} customer portal", c.business_name)
        }
        EmailKind::PasswordReset => format!("Reset your {} portal password", c.business_name),
    };
    macro_rules! both {
        ($t:ident, $h:ident) => {{
            let text = $t {
                business_name: c.business_name,
                first_name: c.first_name,
                intro: c.intro,
                link: c.link,
                username: c.username,
                expires: c.expires,
            }
            .render()?;
            let html = $h {
                subject: &subject,
                business_name: c.business_name,
                first_name: c.first_name,
                intro: c.intro,
                link: c.link,
                username: c.username,
                expires: c.expires,
            }
            .render()?;
            (text, html)
        }};
    }
    let (text, html) = match kind {
        EmailKind::Invitation => both!(InvitationText, InvitationHtml),
        EmailKind::PasswordReset => both!(ResetText, ResetHtml),
    };
    Ok(Email {
        to: c.to.to_owned(),
        subject,
        text,
        html,
    })
}

#[derive(Template)]
#[template(path = "email/staff_notice.txt")]
struct StaffNoticeText<'a> {
    business_name: &'a str,
    name: &'a str,
    message: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/staff_notice.html")]
struct StaffNoticeHtml<'a> {
    subject: &'a str,
    business_name: &'a str,
    name: &'a str,
    message: &'a str,
    link: &'a str,
    button: &'a str,
}

/// A notice to a staff member about a record (a customer's first view, …).
pub struct StaffNotice<'a> {
    pub to: &'a str,
    pub business_name: &'a str,
    pub name: &'a str,
    pub subject: &'a str,
    pub message: &'a str,
    pub link: &'a str,
    pub button: &'a str,
}

pub fn render_staff_notice(n: &StaffNotice<'_>) -> anyhow::Result<Email> {
    let text = StaffNoticeText {
        business_name: n.business_name,
        name: n.name,
        message: n.message,
        link: n.link,
    }
    .render()?;
    let html = StaffNoticeHtml {
        subject: n.subject,
        business_name: n.business_name,
        name: n.name,
        message: n.message,
        link: n.link,
        button: n.button,
    }
    .render()?;
    Ok(Email {
        to: n.to.to_owned(),
        subject: n.subject.to_owned(),
        text,
        html,
    })
}

/// A unix time as `22 Nov 2026, 19:40 UTC`.
pub fn format_time(unix: i64) -> String {
    let fmt = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(intro: &'a str) -> EmailContext<'a> {
        EmailContext {
            to: "ada@example.com",
            business_name: "Harbour & Co",
            first_name: "Ada",
            intro,
            link: "https://portal.example.com/invitation/TOKEN",
            username: "ada@example.com",
            expires: "25 Nov 2026, 10:00 UTC",
        }
    }

    #[test]
    fn invitation_email_snapshot() {
        let intro = EmailKind::Invitation.default_intro("Harbour & Co");
        let e = render(EmailKind::Invitation, &ctx(&intro)).unwrap();
        insta::assert_snapshot!("invitation_subject", e.subject);
        insta::assert_snapshot!("invitation_text", e.text);
        insta::assert_snapshot!("invitation_html", e.html);
    }

    #[test]
    fn password_reset_email_snapshot() {
        let intro = EmailKind::PasswordReset.default_intro("Harbour & Co");
        let e = render(EmailKind::PasswordReset, &ctx(&intro)).unwrap();
        insta::assert_snapshot!("reset_text", e.text);
        insta::assert_snapshot!("reset_html", e.html);
    }

    #[test]
    fn staff_notice_snapshot() {
        let e = render_staff_notice(&StaffNotice {
            to: "sam@example.com",
            business_name: "Harbour & Co",
            name: "Sam",
            subject: "Ada Lovelace opened invoice INV-0042",
            message: "Ada Lovelace (Acme) opened invoice INV-0042 for the first time on 22 Nov 2026, 19:40 UTC.",
            link: "https://portal.example.com/staff/invoices/x",
            button: "Open the invoice",
        })
        .unwrap();
        insta::assert_snapshot!("staff_notice_text", e.text);
        insta::assert_snapshot!("staff_notice_html", e.html);
    }

    #[test]
    fn a_custom_intro_is_escaped_in_html_and_split_into_paragraphs() {
        let e = render(
            EmailKind::Invitation,
            &ctx("Welcome <b>aboard</b>!\n\nSecond paragraph."),
        )
        .unwrap();
        insta::assert_snapshot!("invitation_custom_html", e.html);
        assert!(
            e.html.contains("Welcome &#60;b&#62;aboard&#60;/b&#62;!")
                || e.html.contains("Welcome &lt;b&gt;aboard&lt;/b&gt;!")
        );
        assert!(e.text.contains("Welcome <b>aboard</b>!"));
    }
}
