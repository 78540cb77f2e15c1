//! Typed configuration: built-in defaults, then a TOML file, then
//! `COURTYARD_*` environment variables (`__` separates sections, e.g.
//! `COURTYARD_MAIL__TRANSPORT=smtp`). Secrets never print.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A value that must never reach logs or output.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// The address customers use, for links in emails; defaults to
    /// `http://<listen address>`. Cookies get `Secure` when it starts with `https://`.
    pub public_url: Option<String>,
    /// Holds the SQLite database, stored files and outgoing mail.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; unset means SQLite in the data directory.
    pub database_url: Option<Secret>,
    pub max_connections: u32,
    /// Log as JSON lines instead of human-readable text.
    pub log_json: bool,
    /// Shown in the portal and in emails.
    pub business_name: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Behind a reverse proxy: take the client address from the last
    /// `X-Forwarded-For` entry (the one the proxy added) for rate limits and
    /// the sessions list. Leave off when clients connect directly.
    pub behind_proxy: bool,
    /// Run the outbox worker inside `serve` (turn off when running `courtyard worker` apart).
    pub in_process_worker: bool,
    pub mail: MailConfig,
    pub auth: AuthConfig,
    pub files: FilesConfig,
    pub http: HttpConfig,
    pub pdf: PdfConfig,
}

/// Staff-written PDF templates render in a child process within these
/// limits; past one, the built-in template is used (docs/adr/0013).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PdfConfig {
    /// The program that renders (`courtyard __pdf-render` when empty: this
    /// binary itself).
    pub render_program: String,
    /// Processor seconds one render may use.
    pub custom_cpu_secs: u64,
    /// Memory one render may use, in MiB.
    pub custom_memory_mib: u64,
    /// Seconds one render may take.
    pub custom_timeout_secs: u64,
}

impl Default for PdfConfig {
    fn default() -> Self {
        Self {
            render_program: String::new(),
            custom_cpu_secs: 10,
            custom_memory_mib: 512,
            custom_timeout_secs: 15,
        }
    }
}

/// Limits of the HTTP server: what one client can hold, and for how long
/// (docs/adr/0012). A reverse proxy in front may be stricter still.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Seconds a client has to send a request's headers (and the whole body
    /// of a request without a session); also the longest an idle keep-alive
    /// connection stays open between requests.
    pub header_timeout_secs: u64,
    /// Seconds a signed-in client has to send a whole request body
    /// (uploads included).
    pub body_timeout_secs: u64,
    /// Open connections at once; more are closed as soon as accepted.
    pub max_connections: usize,
    /// Open connections from one address (not applied `behind_proxy`, where
    /// every connection comes from the proxy).
    pub max_connections_per_ip: usize,
    /// Largest body of a request without a signed-in session (login, reset,
    /// invitation forms), in bytes.
    pub max_anonymous_body_bytes: usize,
    /// Signed-in form bodies being read at once, and as many anonymous ones
    /// (at most 4 from one address); more get "busy, try again".
    pub max_bodies_in_flight: usize,
    /// Uploads being read at once; more get "busy, try again".
    pub max_uploads_in_flight: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_timeout_secs: 15,
            body_timeout_secs: 120,
            max_connections: 1000,
            max_connections_per_ip: 100,
            max_anonymous_body_bytes: 16 * 1024,
            max_bodies_in_flight: 64,
            max_uploads_in_flight: 8,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesConfig {
    /// `local` (default: `<data_dir>/files`), `s3` or `memory` (tests).
    pub store: String,
    /// Largest file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// S3-compatible storage (`store = "s3"`): the bucket, the endpoint
    /// (empty for AWS), the region and the credentials.
    pub s3_bucket: String,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: Option<Secret>,
    /// Allow a plain `http://` endpoint (a server on your own network).
    pub s3_allow_http: bool,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            store: "local".into(),
            max_upload_bytes: 10 * 1024 * 1024,
            s3_bucket: String::new(),
            s3_endpoint: String::new(),
            s3_region: String::new(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: None,
            s3_allow_http: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `file` (default: one .eml per message in `<data_dir>/mail`), `smtp` or `memory`.
    pub transport: String,
    /// The sender; defaults to `<business_name> <portal@localhost>`.
    pub from: Option<String>,
    /// e.g. `smtps://user:password@smtp.example.com` (lettre's URL format).
    pub smtp_url: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub invitation_ttl_hours: i64,
    pub reset_ttl_minutes: i64,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Failed logins allowed per account within the window before delays start.
    pub account_failures: i64,
    /// Failed logins allowed per IP address within the window before delays start.
    pub ip_failures: i64,
    pub failure_window_minutes: i64,
    /// At most one "forgot password" and one "forgot username" email per address
    /// in this many minutes; further requests get the same page and no email.
    pub account_email_interval_minutes: i64,
    /// Such requests allowed per IP address within the failure window.
    pub account_emails_per_ip: i64,
    /// Account emails waiting in the outbox at most; past it requests are
    /// answered the same and nothing is queued.
    pub max_queued_account_jobs: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("./courtyard-data"),
            database_url: None,
            max_connections: 8,
            log_json: false,
            business_name: "Courtyard".into(),
            max_body_bytes: 1024 * 1024,
            behind_proxy: false,
            in_process_worker: true,
            mail: MailConfig::default(),
            auth: AuthConfig::default(),
            files: FilesConfig::default(),
            http: HttpConfig::default(),
            pdf: PdfConfig::default(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: "file".into(),
            from: None,
            smtp_url: None,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            invitation_ttl_hours: 72,
            reset_ttl_minutes: 60,
            session_idle_minutes: 120,
            session_absolute_hours: 24,
            account_failures: 5,
            ip_failures: 50,
            failure_window_minutes: 15,
            account_email_interval_minutes: 5,
            account_emails_per_ip: 20,
            max_queued_account_jobs: 500,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// `COURTYARD_*` variables that are not configuration keys: the log filter
/// and the binary path the test tools use.
const NOT_CONFIG: &[&str] = &["LOG", "BIN"];

/// The variable naming a config file when `--config` is not given.
pub const CONFIG_ENV: &str = "COURTYARD_CONFIG";

impl Config {
    /// Defaults, then `file` (if any), then `COURTYARD_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut value = toml::Value::try_from(Config::default())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let from_file: toml::Value = toml::from_str(&text)
                .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
            merge(&mut value, from_file);
        }
        for (key, raw) in env {
            let Some(rest) = key.strip_prefix("COURTYARD_") else {
                continue;
            };
            // Variables that belong to the tooling, not to the configuration.
            if key == CONFIG_ENV
                || NOT_CONFIG.contains(&rest)
                || rest.starts_with("TEST_")
                || rest.starts_with("E2E_")
            {
                continue;
            }
            let path: Vec<String> = rest.split("__").map(|p| p.to_lowercase()).collect();
            set_path(&mut value, &path, &raw)
                .map_err(|e| ConfigError::Invalid(format!("{key}: {e}")))?;
        }
        let config: Config = value
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The child process that renders staff-written PDF templates.
    pub fn pdf_sandbox(&self) -> courtyard_pdf::sandbox::Sandbox {
        use courtyard_pdf::sandbox::{Limits, Sandbox, CHILD_ARG};
        let program = if self.pdf.render_program.is_empty() {
            std::env::current_exe().unwrap_or_else(|_| "courtyard".into())
        } else {
            self.pdf.render_program.clone().into()
        };
        Sandbox::new(
            program,
            vec![CHILD_ARG.to_owned()],
            Limits {
                cpu_secs: self.pdf.custom_cpu_secs,
                memory_bytes: self.pdf.custom_memory_mib * 1024 * 1024,
                wall: std::time::Duration::from_secs(self.pdf.custom_timeout_secs),
            },
        )
    }

    /// The S3 settings of `[files]`, for the file store.
    pub fn s3_settings(&self) -> courtyard_files::S3Settings {
        let f = &self.files;
        courtyard_files::S3Settings {
            bucket: f.s3_bucket.clone(),
            endpoint: f.s3_endpoint.clone(),
            region: f.s3_region.clone(),
            access_key_id: f.s3_access_key_id.clone(),
            secret_access_key: f
                .s3_secret_access_key
                .as_ref()
                .map(|s| s.expose().to_owned())
                .unwrap_or_default(),
            allow_http: f.s3_allow_http,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return bad(format!(
                "listen: {:?} is not an address such as 127.0.0.1:8080",
                self.listen
            ));
        }
        if self
            .public_url
            .as_deref()
            .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            return bad("public_url must start with http:// or https://".into());
        }
        match self.mail.transport.as_str() {
            "file" | "memory" => {}
            "smtp" if self.mail.smtp_url.is_some() => {}
            "smtp" => return bad("mail.smtp_url is required when mail.transport is smtp".into()),
            other => {
                return bad(format!(
                    "mail.transport: unknown transport {other:?} (file, smtp or memory)"
                ))
            }
        }
        match self.files.store.as_str() {
            "local" | "memory" => {}
            "s3" => {
                let f = &self.files;
                if f.s3_bucket.is_empty()
                    || f.s3_access_key_id.is_empty()
                    || f.s3_secret_access_key.is_none()
                {
                    return bad("files.s3_bucket, files.s3_access_key_id and files.s3_secret_access_key are required when files.store is s3".into());
                }
                if f.s3_endpoint.starts_with("http://") && !f.s3_allow_http {
                    return bad("files.s3_endpoint is plain http: set files.s3_allow_http = true if that is intended".into());
                }
                if let Err(e) = courtyard_files::FileStore::s3(&self.s3_settings()) {
                    return bad(format!("files: the S3 settings are not usable: {e}"));
                }
            }
            other => {
                return bad(format!(
                    "files.store: unknown store {other:?} (local, s3 or memory)"
                ))
            }
        }
        if let Some(url) = &self.database_url {
            let u = url.expose();
            if !(u.starts_with("sqlite:")
                || u.starts_with("postgres://")
                || u.starts_with("postgresql://"))
            {
                return bad("database_url must start with sqlite: or postgres://".into());
            }
        }
        if self.auth.invitation_ttl_hours < 1 || self.auth.reset_ttl_minutes < 5 {
            return bad(
                "auth: invitations last at least 1 hour and reset links at least 5 minutes".into(),
            );
        }
        let h = &self.http;
        if h.header_timeout_secs == 0
            || h.body_timeout_secs == 0
            || h.max_connections == 0
            || h.max_connections_per_ip == 0
            || h.max_bodies_in_flight == 0
            || h.max_uploads_in_flight == 0
        {
            return bad("http: timeouts and limits must be at least 1".into());
        }
        let p = &self.pdf;
        if p.custom_cpu_secs == 0 || p.custom_timeout_secs == 0 || p.custom_memory_mib < 64 {
            return bad("pdf: custom templates need at least 1 s and 64 MiB".into());
        }
        if h.max_anonymous_body_bytes < 1024 {
            return bad(
                "http.max_anonymous_body_bytes must be at least 1024 (a login form)".into(),
            );
        }
        Ok(())
    }

    /// The database URL in effect: the configured one or SQLite in the data directory.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("courtyard.db").display()
            ),
        }
    }

    /// Whether cookies must be marked `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The sender address in effect.
    pub fn mail_from(&self) -> String {
        self.mail.from.clone().unwrap_or_else(|| {
            format!(
                "{} <portal@localhost>",
                self.business_name.replace(['<', '>', '"', ','], "")
            )
        })
    }

    /// The public address in effect.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The configuration as TOML, secrets redacted.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Set `path` to `raw`, typed like the default value found there.
fn set_path(root: &mut toml::Value, path: &[String], raw: &str) -> Result<(), String> {
    let mut cur = root;
    for (i, key) in path.iter().enumerate() {
        let table = cur.as_table_mut().ok_or("not a section")?;
        if i + 1 == path.len() {
            let typed = match table.get(key) {
                Some(toml::Value::Boolean(_)) => toml::Value::Boolean(
                    raw.parse()
                        .map_err(|_| format!("expected true or false, got {raw:?}"))?,
                ),
                Some(toml::Value::Integer(_)) => toml::Value::Integer(
                    raw.parse()
                        .map_err(|_| format!("expected a whole number, got {raw:?}"))?,
                ),
                _ => toml::Value::String(raw.to_owned()),
            };
            table.insert(key.clone(), typed);
            return Ok(());
        }
        cur = table
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(Default::default()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("cy-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "business_name = \"Acme\"\nlisten = \"127.0.0.1:9000\"\n[auth]\nreset_ttl_minutes = 30\n").unwrap();
        let c = Config::load(
            Some(&file),
            env(&[
                ("COURTYARD_LISTEN", "0.0.0.0:7000"),
                ("COURTYARD_AUTH__ACCOUNT_FAILURES", "9"),
                ("COURTYARD_LOG_JSON", "true"),
                ("COURTYARD_TEST_POSTGRES_URL", "ignored"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(c.business_name, "Acme");
        assert_eq!(c.listen, "0.0.0.0:7000");
        assert_eq!(c.auth.reset_ttl_minutes, 30);
        assert_eq!(c.auth.account_failures, 9);
        assert!(c.log_json);
        assert_eq!(c.auth.invitation_ttl_hours, 72);
    }

    #[test]
    fn s3_storage_needs_its_settings() {
        let e = Config::load(None, env(&[("COURTYARD_FILES__STORE", "s3")])).unwrap_err();
        assert!(e.to_string().contains("files.s3_bucket"), "{e}");
        let base = [
            ("COURTYARD_FILES__STORE", "s3"),
            ("COURTYARD_FILES__S3_BUCKET", "files"),
            ("COURTYARD_FILES__S3_ACCESS_KEY_ID", "AKIA1"),
            ("COURTYARD_FILES__S3_SECRET_ACCESS_KEY", "sekrit-value"),
        ];
        let mut http = base.to_vec();
        http.push(("COURTYARD_FILES__S3_ENDPOINT", "http://10.0.0.5:9000"));
        let e = Config::load(None, env(&http)).unwrap_err();
        assert!(e.to_string().contains("s3_allow_http"), "{e}");
        http.push(("COURTYARD_FILES__S3_ALLOW_HTTP", "true"));
        let c = Config::load(None, env(&http)).unwrap();
        assert!(
            !format!("{c:?}").contains("sekrit-value"),
            "the secret never prints"
        );
        let e = Config::load(None, env(&[("COURTYARD_FILES__STORE", "ftp")])).unwrap_err();
        assert!(e.to_string().contains("local, s3 or memory"), "{e}");
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::load(
            None,
            env(&[("COURTYARD_DATABASE_URL", "postgres://u:hunter2@db/x")]),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!c.to_toml().contains("hunter2"));
        assert_eq!(c.effective_database_url(), "postgres://u:hunter2@db/x");
    }

    #[test]
    fn bad_values_are_reported_clearly() {
        let e =
            Config::load(None, env(&[("COURTYARD_AUTH__ACCOUNT_FAILURES", "many")])).unwrap_err();
        assert!(
            e.to_string().contains("COURTYARD_AUTH__ACCOUNT_FAILURES"),
            "{e}"
        );
        let e = Config::load(None, env(&[("COURTYARD_MAIL__TRANSPORT", "smtp")])).unwrap_err();
        assert!(e.to_string().contains("smtp_url"), "{e}");
        let e = Config::load(None, env(&[("COURTYARD_NOPE", "x")])).unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
