//! Pick-lists of staff forms: contacts to choose from, a company's portal
//! users for "can this person see it?".

use courtyard_app::customers;
use courtyard_app::customers::ContactFilter;
use courtyard_app::portal_users::PortalUserFilter;

use crate::kit::error::WebResult;
use crate::kit::state::AppState;

pub(super) async fn contact_choices(s: &AppState) -> WebResult<Vec<(String, String, String)>> {
    Ok(customers::list_contacts(
        &s.app,
        &ContactFilter {
            limit: 2000,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter_map(|c| Some((c.id.clone(), c.full_name(), c.company_name.clone()?)))
    .collect())
}

/// The portal users of a company, for the "can this person see it?" panel.
pub(super) async fn company_users(
    s: &AppState,
    company_id: &str,
) -> WebResult<Vec<courtyard_app::auth::PortalUser>> {
    Ok(courtyard_app::portal_users::list(
        &s.app,
        &PortalUserFilter {
            company_id: Some(company_id.to_owned()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?)
}
