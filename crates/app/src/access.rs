//! The access layer: what a portal user may really use once the portal's
//! module switches are applied. Below every feature; uses no feature.

use courtyard_db::{settings, Conn};
use courtyard_domain::{Grants, Module};

use crate::AppResult;
use courtyard_db::portal_users::PortalUser;

/// Modules staff can switch off for every portal user (Settings).
pub fn switchable_modules() -> Vec<Module> {
    Module::available()
        .into_iter()
        .filter(|m| *m != Module::MyDetails)
        .collect()
}

/// The modules switched off for the whole portal.
/// Tasks are seen through their projects, so with Projects off, Tasks are off.
pub async fn modules_off(conn: &mut Conn) -> AppResult<Vec<Module>> {
    let mut off: Vec<Module> = settings::with_prefix(conn, "module.")
        .await?
        .into_iter()
        .filter(|(_, v)| v == "off")
        .filter_map(|(k, _)| Module::parse(k.strip_prefix("module.")?.strip_suffix(".enabled")?))
        .collect();
    if off.contains(&Module::Projects) && !off.contains(&Module::Tasks) {
        off.push(Module::Tasks);
    }
    Ok(off)
}

/// What a portal user may really use: their permission set's grants minus
/// the modules switched off. Applied once, where the user is loaded for a
/// request (and for staff's explanations and "view as").
pub async fn apply_module_switches(conn: &mut Conn, user: &mut PortalUser) -> AppResult<()> {
    let off = modules_off(conn).await?;
    switch_off(user, &off);
    Ok(())
}

/// Remove the `off` modules from a user's grants.
pub(crate) fn switch_off(user: &mut PortalUser, off: &[Module]) {
    if !off.is_empty() {
        user.grants = Grants::from_storage(&user.grants).without(off).to_storage();
    }
}
