//! Settings: portal module switches, number prefixes, email intros.

use super::{business, ListQuery};
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use courtyard_app::emails;
use courtyard_app::emails::EmailKind;
// ---- settings ----

pub(super) struct IntroRow {
    key: &'static str,
    label: &'static str,
    text: String,
    default_text: String,
}

#[derive(Template)]
#[template(path = "staff/settings.html")]
pub(super) struct SettingsPage {
    layout: Layout,
    intros: Vec<IntroRow>,
    /// (record type, label, on): email the assigned staff member on a
    /// customer's first view.
    notify: Vec<(&'static str, &'static str, bool)>,
    /// Portal modules and whether each is on.
    modules: Vec<(courtyard_domain::Module, bool)>,
    /// (sequence kind, label, prefix)
    prefixes: Vec<(&'static str, &'static str, String)>,
    errors: Errors,
}

/// The portal part of the settings form, as loaded or as submitted.
pub(super) struct PortalSettings {
    notify: Vec<(&'static str, &'static str, bool)>,
    modules: Vec<(courtyard_domain::Module, bool)>,
    prefixes: Vec<(&'static str, &'static str, String)>,
}

pub(super) fn settings_page(
    p: &StaffPage,
    texts: Vec<(EmailKind, String)>,
    portal: PortalSettings,
    errors: Errors,
) -> SettingsPage {
    let intros = texts
        .into_iter()
        .map(|(kind, text)| IntroRow {
            key: kind.key(),
            label: kind.label(),
            text,
            default_text: kind.default_intro(business(&p.s)),
        })
        .collect();
    SettingsPage {
        layout: p.layout("Settings", "/staff/settings"),
        intros,
        notify: portal.notify,
        modules: portal.modules,
        prefixes: portal.prefixes,
        errors,
    }
}

pub(super) async fn settings_form(p: StaffPage, Query(q): Query<ListQuery>) -> WebResult<Response> {
    p.ctx.require_admin()?;
    let texts = emails::intros(&p.s.app).await?;
    let portal = PortalSettings {
        notify: courtyard_app::records::notify_settings(&p.s.app).await?,
        modules: courtyard_app::records::module_switches(&p.s.app).await?,
        prefixes: courtyard_app::records::number_prefixes(&p.s.app).await?,
    };
    let mut page = settings_page(&p, texts, portal, Errors::default());
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

/// The settings form as the browser sends it. Its field names are made from
/// data (`intro_<email>`, `notify_<type>`, `module_<module>`,
/// `prefix_<sequence>`, one per value of each list), so it is read as a map
/// of name to value rather than a struct with a field per name.
type SettingsFields = std::collections::BTreeMap<String, String>;

pub(super) async fn update_settings(
    p: StaffPage,
    Form(form): Form<SettingsFields>,
) -> WebResult<Response> {
    p.ctx.require_admin()?;
    use courtyard_app::records as rec;
    // Intros the form did not send keep their current text.
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let sent = |k: &EmailKind| form.contains_key(&format!("intro_{}", k.key()));
    let submitted: Vec<(EmailKind, String)> = EmailKind::ALL
        .iter()
        .filter(|k| sent(k))
        .map(|k| (*k, get(&format!("intro_{}", k.key()))))
        .collect();
    let texts: Vec<(EmailKind, String)> = emails::intros(&p.s.app)
        .await?
        .into_iter()
        .map(|(k, current)| {
            let text = submitted
                .iter()
                .find(|(key, _)| *key == k)
                .map_or(current, |(_, t)| t.clone());
            (k, text)
        })
        .collect();
    // Each section counts only when the form sent it (its hidden marker, or
    // the prefix field itself): a partial post changes nothing else.
    let has = |k: &str| form.contains_key(k);
    let mut portal = PortalSettings {
        notify: rec::notify_settings(&p.s.app).await?,
        modules: rec::module_switches(&p.s.app).await?,
        prefixes: rec::number_prefixes(&p.s.app).await?,
    };
    if has("notify_form") {
        for (k, _, on) in &mut portal.notify {
            *on = get(&format!("notify_{k}")) == "1";
        }
    }
    if has("modules_form") {
        for (m, on) in &mut portal.modules {
            *on = get(&format!("module_{}", m.as_str())) == "1";
        }
    }
    for (k, _, prefix) in &mut portal.prefixes {
        let key = format!("prefix_{k}");
        if has(&key) {
            *prefix = get(&key);
        }
    }
    let prefixes: Vec<(&str, String)> = portal
        .prefixes
        .iter()
        .map(|(k, _, v)| (*k, v.clone()))
        .collect();
    // Check everything before saving anything.
    let saved = match rec::check_prefixes(&prefixes) {
        Ok(_) => match emails::save_intros(&p.s.app, &submitted).await {
            Ok(()) => {
                let on: Vec<_> = portal
                    .modules
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(m, _)| *m)
                    .collect();
                let notify: Vec<(&str, bool)> =
                    portal.notify.iter().map(|(k, _, on)| (*k, *on)).collect();
                rec::save_portal_settings(&p.s.app, &on, &notify, &prefixes).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    saved_or_again(
        saved,
        |()| "/staff/settings?done=saved".to_owned(),
        async |e| Ok(settings_page(&p, texts, portal, e)),
    )
    .await
}
