//! Outgoing email behind one small interface: SMTP (lettre) for real, one
//! `.eml` file per message for the embedded default, memory for tests.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A rendered email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("sending failed: {0}")]
    Send(String),
    #[error("invalid SMTP URL: {0}")]
    Config(String),
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
    Memory(Arc<Mutex<Vec<Email>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::File(_, dir) => write!(f, "Mailer::File({})", dir.display()),
            Mailer::Memory(_) => f.write_str("Mailer::Memory"),
        }
    }
}

impl Mailer {
    /// SMTP from a URL such as `smtps://user:pass@mail.example.com` or
    /// `smtp://localhost:2525` (see lettre's URL format).
    pub fn smtp(url: &str) -> Result<Self, MailError> {
        let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Config(e.to_string()))?
            .build();
        Ok(Mailer::Smtp(t))
    }

    /// One `.eml` file per message in `dir` (created if missing).
    pub fn file(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Mailer::File(AsyncFileTransport::new(&dir), dir))
    }

    /// Keeps every message in memory, for tests.
    pub fn memory() -> Self {
        Mailer::Memory(Arc::default())
    }

    /// The messages a memory mailer holds (empty for other transports).
    pub fn sent(&self) -> Vec<Email> {
        match self {
            Mailer::Memory(m) => m.lock().expect("mail lock").clone(),
            _ => Vec::new(),
        }
    }

    pub async fn send(&self, from: &str, email: &Email) -> Result<(), MailError> {
        if let Mailer::Memory(m) = self {
            // Build anyway, so tests catch messages a real transport would refuse.
            build(from, email)?;
            m.lock().expect("mail lock").push(email.clone());
            return Ok(());
        }
        let msg = build(from, email)?;
        match self {
            Mailer::Smtp(t) => t
                .send(msg)
                .await
                .map(drop)
                .map_err(|e| MailError::Send(e.to_string())),
            Mailer::File(t, _) => t
                .send(msg)
                .await
                .map(drop)
                .map_err(|e| MailError::Send(e.to_string())),
            Mailer::Memory(_) => unreachable!(),
        }
    }
}

fn build(from: &str, email: &Email) -> Result<Message, MailError> {
    let from: Mailbox = from
        .parse()
        .map_err(|_| MailError::Address(from.to_owned()))?;
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|_| MailError::Address(email.to.clone()))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&email.subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(email.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(email.html.clone()),
                ),
        )
        .map_err(|e| MailError::Build(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Email {
        Email {
            to: "ada@example.com".into(),
            subject: "Hello".into(),
            text: "Plain body https://portal.example.com/x".into(),
            html: "<p>HTML body</p>".into(),
        }
    }

    #[tokio::test]
    async fn file_transport_writes_one_eml_per_message() {
        let dir = std::env::temp_dir().join(format!("cy-mail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = Mailer::file(dir.clone()).unwrap();
        m.send("Courtyard <portal@example.com>", &sample())
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        let body = std::fs::read_to_string(files[0].path()).unwrap();
        assert!(body.contains("Subject: Hello"));
        assert!(body.contains("To: ada@example.com"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn memory_transport_refuses_a_bad_recipient() {
        let m = Mailer::memory();
        let mut e = sample();
        e.to = "not an address".into();
        assert!(matches!(
            m.send("portal@example.com", &e).await,
            Err(MailError::Address(_))
        ));
        assert!(m.sent().is_empty());
    }
}
