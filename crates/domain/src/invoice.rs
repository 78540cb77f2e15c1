//! Invoice statuses.

macro_rules! statuses {
    ($(#[$m:meta])* $name:ident { $($v:ident = $s:literal / $l:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$v => $l),+ } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|x| x.as_str() == s) }
        }
    };
}

statuses!(
    /// Where an invoice is. Drafts never reach the portal.
    InvoiceStatus {
        Draft = "draft" / "Draft",
        Unpaid = "unpaid" / "Unpaid",
        PartiallyPaid = "partially_paid" / "Partially paid",
        Paid = "paid" / "Paid",
        Overdue = "overdue" / "Overdue",
        Void = "void" / "Void",
    }
);

impl InvoiceStatus {
    /// The statuses a portal user can filter by.
    pub fn portal() -> Vec<InvoiceStatus> {
        Self::ALL
            .iter()
            .copied()
            .filter(|s| *s != Self::Draft)
            .collect()
    }
}
