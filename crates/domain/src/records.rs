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

/// A sales document's stored status, checked as the row is read: a value
/// that is no quote, order or invoice status is a read error
/// ([`crate::UnknownValue`]), never a string passed on. Which values a kind
/// may take is [`SalesKind::status_label`]'s list; the label depends on the
/// kind (a quote's `sent` reads "Awaiting answer").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SalesStatus(&'static str);

impl SalesStatus {
    pub fn parse(s: &str) -> Option<Self> {
        QuoteStatus::parse(s)
            .map(QuoteStatus::as_str)
            .or_else(|| OrderStatus::parse(s).map(OrderStatus::as_str))
            .or_else(|| InvoiceStatus::parse(s).map(InvoiceStatus::as_str))
            .map(Self)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl TryFrom<String> for SalesStatus {
    type Error = crate::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or(crate::UnknownValue {
            of: "SalesStatus",
            value: s,
        })
    }
}

macro_rules! sales_status_from {
    ($($e:ty),+) => {$(
        impl From<$e> for SalesStatus {
            fn from(s: $e) -> Self {
                Self(s.as_str())
            }
        }
    )+};
}
sales_status_from!(QuoteStatus, OrderStatus, InvoiceStatus);

impl std::fmt::Display for SalesStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<str> for SalesStatus {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SalesStatus {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// A status derived from a document's dates and balance: a document whose
/// stored status is one of `from` shows `key` once its date (`due_on`) is
/// before today (and, when `needs_balance`, while its balance is above 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derived {
    pub key: &'static str,
    pub from: &'static [&'static str],
    pub needs_balance: bool,
}

impl Derived {
    pub fn applies(&self, stored: &str, due_on: &str, balance: i64, today: &str) -> bool {
        self.from.contains(&stored) && due_on < today && (!self.needs_balance || balance > 0)
    }
}

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

    /// The statuses staff can pick: every one but those only ever derived
    /// (an invoice is never set Overdue by hand, see [`Self::shown_status`]).
    pub fn choices(self) -> Vec<(&'static str, &'static str)> {
        self.statuses()
            .into_iter()
            .filter(|(k, _)| !(self == Self::Invoice && *k == InvoiceStatus::Overdue.as_str()))
            .collect()
    }

    /// The statuses a document takes from its dates and balance rather
    /// than from a hand: shown by [`Self::shown_status`], filtered by the
    /// same rule in SQL (the db crate's list engine).
    pub fn derived(self) -> &'static [Derived] {
        match self {
            Self::Quote => &[Derived {
                key: "expired",
                from: &["sent"],
                needs_balance: false,
            }],
            Self::Order => &[],
            Self::Invoice => &[Derived {
                key: "overdue",
                from: &["unpaid", "partially_paid"],
                needs_balance: true,
            }],
        }
    }

    /// The status a document shows on `today`: a sent quote past its
    /// validity is Expired (nobody can answer it any more); an unpaid or
    /// partly paid invoice past its due date with something left to pay is
    /// Overdue. Otherwise the stored status.
    pub fn shown_status<'a>(
        self,
        stored: &'a str,
        due_on: &str,
        balance: i64,
        today: &str,
    ) -> &'a str {
        for d in self.derived() {
            if d.applies(stored, due_on, balance, today) {
                return d.key;
            }
        }
        stored
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

impl TicketStatus {
    /// The label staff read: a ticket that waits for the customer is
    /// "Waiting on customer" to staff ("Awaiting your reply" is the
    /// customer's).
    pub fn staff_label(self) -> &'static str {
        match self {
            Self::AwaitingCustomer => "Waiting on customer",
            s => s.label(),
        }
    }
}

/// [`ticket_statuses`] as staff read them.
pub fn staff_ticket_statuses() -> Vec<(&'static str, &'static str)> {
    TicketStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.staff_label()))
        .collect()
}

#[cfg(test)]
mod derived_tests {
    use super::SalesKind;

    #[test]
    fn overdue_and_expired_come_from_the_dates_and_the_balance() {
        let today = "2026-12-02";
        let inv =
            |stored, due, balance| SalesKind::Invoice.shown_status(stored, due, balance, today);
        // Due in 16 days: not overdue, whatever a hand once said.
        assert_eq!(inv("unpaid", "2026-12-18", 10_000), "unpaid");
        // Ten months late: overdue.
        assert_eq!(inv("unpaid", "2026-02-02", 10_000), "overdue");
        assert_eq!(inv("partially_paid", "2026-11-30", 500), "overdue");
        // Due today is not late yet; nothing left to pay is never overdue.
        assert_eq!(inv("unpaid", today, 10_000), "unpaid");
        assert_eq!(inv("partially_paid", "2026-01-01", 0), "partially_paid");
        for s in ["paid", "void", "draft"] {
            assert_eq!(inv(s, "2020-01-01", 10_000), s);
        }
        let quote = |stored, due| SalesKind::Quote.shown_status(stored, due, 10_000, today);
        assert_eq!(quote("sent", "2026-12-01"), "expired");
        assert_eq!(quote("sent", today), "sent");
        assert_eq!(quote("accepted", "2026-01-01"), "accepted");
        assert_eq!(
            SalesKind::Order.shown_status("open", "2020-01-01", 1, today),
            "open"
        );
    }

    #[test]
    fn staff_cannot_pick_a_status_only_ever_derived() {
        let keys = |k: SalesKind| k.choices().into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert!(!keys(SalesKind::Invoice).contains(&"overdue"));
        assert!(keys(SalesKind::Invoice).contains(&"void"));
        // A quote can still be closed as expired by hand.
        assert!(keys(SalesKind::Quote).contains(&"expired"));
    }
}
