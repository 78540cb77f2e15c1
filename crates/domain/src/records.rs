//! The record types a business shares with its customers, and their statuses.

use crate::invoice::InvoiceStatus;
pub use crate::record_kind::{RecordKind, SalesKind, WorkKind};

string_enum!(
    /// Where a quote is. Customers' requests start as `requested`; drafts
    /// never reach the portal; a sent quote waits for the customer's answer.
    QuoteStatus {
        Requested = "requested" / "Requested",
        Draft = "draft" / "Draft",
        Sent = "sent" / "Awaiting answer",
        Accepted = "accepted" / "Accepted",
        Declined = "declined" / "Declined",
        Expired = "expired" / "Expired",
    }
);

string_enum!(
    /// Where a sales order is. Drafts never reach the portal.
    OrderStatus {
        Draft = "draft" / "Draft",
        Open = "open" / "Open",
        Confirmed = "confirmed" / "Confirmed",
        ESigned = "e_signed" / "E-signed",
        Completed = "completed" / "Completed",
        Cancelled = "cancelled" / "Cancelled",
    }
);

string_enum!(
    /// Where a job is. Customers' requests start as `requested`.
    JobStatus {
        Requested = "requested" / "Requested",
        Scheduled = "scheduled" / "Scheduled",
        InProgress = "in_progress" / "In progress",
        Completed = "completed" / "Completed",
        Cancelled = "cancelled" / "Cancelled",
    }
);

string_enum!(
    ProjectStatus {
        Planned = "planned" / "Planned",
        Active = "active" / "Active",
        OnHold = "on_hold" / "On hold",
        Completed = "completed" / "Completed",
    }
);

string_enum!(
    TaskStatus {
        Open = "open" / "Open",
        InProgress = "in_progress" / "In progress",
        Done = "done" / "Done",
    }
);

string_enum!(
    /// Where a ticket is. A public staff reply sets `awaiting_customer`; a
    /// customer's reply sets it back to `open`.
    TicketStatus {
        Open = "open" / "Open",
        AwaitingCustomer = "awaiting_customer" / "Awaiting your reply",
        Resolved = "resolved" / "Resolved",
        Closed = "closed" / "Closed",
    }
);

string_enum!(
    TicketPriority {
        Low = "low" / "Low",
        Normal = "normal" / "Normal",
        High = "high" / "High",
        Urgent = "urgent" / "Urgent",
    }
);

/// `(key, label)` of every value of a status enum.
macro_rules! pairs {
    ($e:ty) => {
        <$e>::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
    };
}

impl SalesKind {
    pub fn table(self) -> &'static str {
        match self {
            Self::Quote => "quotes",
            Self::Order => "sales_orders",
            Self::Invoice => "invoices",
        }
    }

    /// The lines table and its column naming the document.
    pub fn lines_table(self) -> (&'static str, &'static str) {
        match self {
            Self::Quote => ("quote_lines", "quote_id"),
            Self::Order => ("sales_order_lines", "order_id"),
            Self::Invoice => ("invoice_lines", "invoice_id"),
        }
    }

    /// What the second date means: a quote's is "valid until".
    pub fn due_label(self) -> &'static str {
        match self {
            Self::Quote => "Valid until",
            Self::Order => "Delivery date",
            Self::Invoice => "Due date",
        }
    }

    /// Whether the document carries payments (paid date, amount paid, balance).
    pub fn has_payments(self) -> bool {
        self == Self::Invoice
    }

    /// Every status, `(key, label)`.
    pub fn statuses(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Self::Quote => pairs!(QuoteStatus),
            Self::Order => pairs!(OrderStatus),
            Self::Invoice => pairs!(InvoiceStatus),
        }
    }

    pub fn status_label(self, key: &str) -> Option<&'static str> {
        self.statuses()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| l)
    }

    /// The status a new document starts in.
    pub fn initial_status(self) -> &'static str {
        "draft"
    }
}

/// Statuses as `(key, label)` pairs, for the record types outside sales.
pub fn job_statuses() -> Vec<(&'static str, &'static str)> {
    pairs!(JobStatus)
}
pub fn project_statuses() -> Vec<(&'static str, &'static str)> {
    pairs!(ProjectStatus)
}
pub fn task_statuses() -> Vec<(&'static str, &'static str)> {
    pairs!(TaskStatus)
}
pub fn ticket_statuses() -> Vec<(&'static str, &'static str)> {
    pairs!(TicketStatus)
}
