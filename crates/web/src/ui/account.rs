//! The account pages both surfaces share: login, choosing a password, and
//! the query every page takes (`done`, `next`).

use askama::Template;
use serde::Deserialize;

use crate::kit::forms::Errors;
use crate::kit::layout::Layout;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    pub done: Option<String>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub layout: Layout,
    pub heading: String,
    pub action: &'static str,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
    pub show_help_links: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "set_password.html")]
pub(crate) struct SetPasswordPage {
    pub layout: Layout,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub username: String,
    pub button: &'static str,
    pub errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    pub password: String,
    pub confirm: String,
}

/// A portal user's state as a badge reads it ("Awaiting"), from its stored
/// key; an unknown key as it is.
pub(crate) fn state_label(state: &str) -> &str {
    courtyard_app::domain::PortalUserState::parse(state).map_or(state, |s| s.label())
}
