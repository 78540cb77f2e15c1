//! The record-page parts both surfaces share: what the app's read models
//! look like on a page (lists with their search panel and paging, comment
//! threads, "can this person see it?", file and document views, the record
//! kinds as types, the portal home's summary and waiting cards, the login
//! and password page shapes). No
//! routes: those are in `portal` and `staff`, which never use each other.

pub(crate) mod account;
pub(crate) mod documents;
pub(crate) mod file_views;
pub(crate) mod home;
pub(crate) mod records;
pub(crate) mod sales;
pub(crate) mod work;
