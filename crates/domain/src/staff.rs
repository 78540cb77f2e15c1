//! Staff roles.

/// What a staff member may do on the staff side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StaffRole {
    /// Manages companies, people and records.
    Member,
    /// Also manages portal users, permission sets and settings.
    Admin,
    /// Also manages other staff.
    Owner,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Member => "Member",
        }
    }

    /// Admins and owners manage portal access, permission sets and settings.
    pub fn can_manage_portal(self) -> bool {
        self >= Self::Admin
    }
}
