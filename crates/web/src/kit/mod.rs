//! The kit: what every page needs from HTTP and nothing about features —
//! the state handlers receive, errors and the error page, rendering, the
//! frame of every page, urlencoded forms, the one multipart reader, CSRF
//! tokens and body limits, cookies and session extractors, static assets.
//! Its modules use each other (keep them free of circles); nothing here
//! uses `ui`, `portal` or `staff`.

pub(crate) mod assets;
pub(crate) mod csrf;
pub(crate) mod error;
pub(crate) mod forms;
pub(crate) mod layout;
pub(crate) mod limits;
pub(crate) mod page;
pub(crate) mod render;
pub(crate) mod session;
pub(crate) mod state;
pub(crate) mod upload;
