//! The portal user lifecycle: Awaiting → Pending → Active ⇄ Inactive.

/// Where a portal user is in their lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortalUserState {
    /// Saved, not invited yet.
    Awaiting,
    /// Invited; the invitation has not been accepted.
    Pending,
    /// Accepted the invitation and can log in.
    Active,
    /// Deactivated by staff: cannot log in, every session ended.
    Inactive,
}

/// A change staff or the user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// Send (or resend) the invitation.
    Invite,
    /// The person accepted the invitation and chose a password.
    Accept,
    Deactivate,
    Reactivate,
}

impl PortalUserState {
    pub const ALL: &'static [PortalUserState] =
        &[Self::Awaiting, Self::Pending, Self::Active, Self::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Awaiting => "awaiting",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Awaiting => "Awaiting",
            Self::Pending => "Pending",
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|st| st.as_str() == s)
    }

    /// The state after `change`, or `None` when the change makes no sense now.
    ///
    /// `has_password` tells whether the user ever set a password: reactivating
    /// someone who never accepted puts them back to Awaiting, to be invited again.
    pub fn apply(self, change: StateChange, has_password: bool) -> Option<Self> {
        use PortalUserState::*;
        use StateChange::*;
        match (self, change) {
            (Awaiting | Pending, Invite) => Some(Pending),
            (Pending, Accept) => Some(Active),
            (Awaiting | Pending | Active, Deactivate) => Some(Inactive),
            (Inactive, Reactivate) if has_password => Some(Active),
            (Inactive, Reactivate) => Some(Awaiting),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PortalUserState::*, StateChange::*};

    #[test]
    fn lifecycle_follows_the_seeds() {
        assert_eq!(Awaiting.apply(Invite, false), Some(Pending));
        assert_eq!(Pending.apply(Invite, false), Some(Pending), "resend");
        assert_eq!(Pending.apply(Accept, false), Some(Active));
        assert_eq!(Active.apply(Deactivate, true), Some(Inactive));
        assert_eq!(Inactive.apply(Reactivate, true), Some(Active));
        assert_eq!(Inactive.apply(Reactivate, false), Some(Awaiting));
    }

    #[test]
    fn impossible_changes_are_refused() {
        assert_eq!(Active.apply(Invite, true), None);
        assert_eq!(Inactive.apply(Invite, true), None);
        assert_eq!(Awaiting.apply(Accept, false), None);
        assert_eq!(Inactive.apply(Accept, true), None);
        assert_eq!(Active.apply(Reactivate, true), None);
        assert_eq!(Inactive.apply(Deactivate, true), None);
    }
}
