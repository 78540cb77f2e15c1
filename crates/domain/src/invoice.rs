//! Invoice statuses.

string_enum!(
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
