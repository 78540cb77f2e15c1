//! The state every handler receives.

use courtyard_app::App;

/// The state every handler receives.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub(crate) limits: crate::kit::limits::Limits,
}
