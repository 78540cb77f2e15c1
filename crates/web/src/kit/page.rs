//! Page extractors: what a signed-in page handler needs in one argument —
//! the state, the person's context and the page's form token — and the page
//! frame built from them. One more extractor per surface (an API's token
//! context) fits beside these.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use courtyard_app::auth::{PortalContext, StaffContext};

use courtyard_app::AppError;

use crate::kit::csrf::CsrfToken;
use crate::kit::error::WebError;
use crate::kit::layout::Layout;
use crate::kit::session::{AuthRejection, Portal, Staff};
use crate::kit::state::AppState;

/// A portal page: the state, the signed-in portal user and the form token.
/// Without a live session the request goes to the login page.
pub(crate) struct PortalPage {
    pub s: AppState,
    pub csrf: CsrfToken,
    pub ctx: PortalContext,
}

/// A staff page: the state, the signed-in staff member and the form token.
pub(crate) struct StaffPage {
    pub s: AppState,
    pub csrf: CsrfToken,
    pub ctx: StaffContext,
}

/// The page's form token, which the CSRF layer puts on every request it
/// lets through. A page on a route outside that layer is a wiring mistake:
/// a 500 that says so, not forms that would always be refused.
fn csrf_of(parts: &Parts) -> Result<CsrfToken, AuthRejection> {
    parts.extensions.get::<CsrfToken>().cloned().ok_or_else(|| {
        AuthRejection::Error(WebError::App(AppError::Internal(anyhow::anyhow!(
            "a page route outside the CSRF layer has no form token"
        ))))
    })
}

impl FromRequestParts<AppState> for PortalPage {
    type Rejection = AuthRejection;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let Portal(ctx) = Portal::from_request_parts(parts, s).await?;
        Ok(Self {
            s: s.clone(),
            csrf: csrf_of(parts)?,
            ctx,
        })
    }
}

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = AuthRejection;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let Staff(ctx) = Staff::from_request_parts(parts, s).await?;
        Ok(Self {
            s: s.clone(),
            csrf: csrf_of(parts)?,
            ctx,
        })
    }
}

impl PortalPage {
    /// The portal frame, with `active` the menu entry to highlight.
    pub(crate) fn layout(&self, title: &str, active: &str) -> Layout {
        Layout::portal(
            title,
            &self.s.app.config.business_name,
            &self.csrf.0,
            &self.ctx,
            active,
        )
    }
}

impl StaffPage {
    /// The staff frame, with `active` the menu entry to highlight.
    pub(crate) fn layout(&self, title: &str, active: &str) -> Layout {
        Layout::staff(
            title,
            &self.s.app.config.business_name,
            &self.csrf.0,
            &self.ctx,
            active,
        )
    }
}
