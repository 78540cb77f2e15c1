//! The one list of record types a business shares with its customers.
//!
//! `RecordKind` names a record type everywhere it is named across families:
//! the `record_type` stored beside files, comments, views and number
//! sequences, the module it belongs to, its default number prefix, and the
//! web layer's marker types. The two families are views of it, so code that
//! only handles commercial documents (`SalesKind`) or work records
//! (`WorkKind`) gets exhaustive matches without a second spelling: their
//! keys, labels and modules all come from here.

use crate::Module;

string_enum!(
    /// A record type. The key is what the database stores as `record_type`;
    /// `ALL` is in the order settings pages list them (as `Module`).
    RecordKind {
        Quote = "quote" / "Quote",
        Order = "order" / "Sales order",
        Invoice = "invoice" / "Invoice",
        Job = "job" / "Job",
        Project = "project" / "Project",
        Task = "task" / "Task",
        Ticket = "ticket" / "Ticket",
    }
);

impl RecordKind {
    /// The module its pages and grants belong to.
    pub const fn module(self) -> Module {
        match self {
            Self::Quote => Module::Quotes,
            Self::Order => Module::SalesOrders,
            Self::Invoice => Module::Invoices,
            Self::Job => Module::Jobs,
            Self::Ticket => Module::Tickets,
            Self::Project => Module::Projects,
            Self::Task => Module::Tasks,
        }
    }

    /// The record type of a module's records, if its records are a record type.
    pub fn of_module(m: Module) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.module() == m)
    }

    /// Plural label, for headings and settings.
    pub fn plural(self) -> &'static str {
        self.module().label()
    }

    /// The prefix of its numbers until staff choose another.
    pub const fn default_prefix(self) -> &'static str {
        match self {
            Self::Quote => "QUO-",
            Self::Order => "SO-",
            Self::Invoice => "INV-",
            Self::Job => "JOB-",
            Self::Ticket => "TKT-",
            Self::Project => "PRJ-",
            Self::Task => "TSK-",
        }
    }

    /// Its family, for code that handles one family exhaustively.
    pub const fn family(self) -> Family {
        match self {
            Self::Quote => Family::Sales(SalesKind::Quote),
            Self::Order => Family::Sales(SalesKind::Order),
            Self::Invoice => Family::Sales(SalesKind::Invoice),
            Self::Job => Family::Work(WorkKind::Job),
            Self::Ticket => Family::Work(WorkKind::Ticket),
            Self::Project => Family::Work(WorkKind::Project),
            Self::Task => Family::Work(WorkKind::Task),
        }
    }

    pub const fn sales(self) -> Option<SalesKind> {
        match self.family() {
            Family::Sales(k) => Some(k),
            Family::Work(_) => None,
        }
    }

    pub const fn work(self) -> Option<WorkKind> {
        match self.family() {
            Family::Work(k) => Some(k),
            Family::Sales(_) => None,
        }
    }
}

/// The two families of record types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Sales(SalesKind),
    Work(WorkKind),
}

/// A family of record types: a subset of `RecordKind` whose key, label and
/// module come from it.
macro_rules! family {
    ($(#[$m:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The record type it is.
            pub const fn record(self) -> RecordKind {
                match self { $($name::$variant => RecordKind::$variant),+ }
            }

            /// Its key: the `record_type` of its comments, files, views and
            /// number sequence.
            pub fn as_str(self) -> &'static str {
                self.record().as_str()
            }

            pub fn label(self) -> &'static str {
                self.record().label()
            }

            pub fn parse(s: &str) -> Option<Self> {
                let k = RecordKind::parse(s)?;
                Self::ALL.iter().copied().find(|m| m.record() == k)
            }

            pub const fn module(self) -> Module {
                self.record().module()
            }

            pub const fn default_prefix(self) -> &'static str {
                self.record().default_prefix()
            }

            /// Plural label for headings and navigation.
            pub fn plural(self) -> &'static str {
                self.record().plural()
            }
        }

        impl From<$name> for RecordKind {
            fn from(k: $name) -> Self {
                k.record()
            }
        }
    };
}

family!(
    /// The commercial documents: one shape (number, lines, totals), three
    /// tables and three status sets.
    SalesKind { Quote, Order, Invoice }
);

family!(
    /// Jobs, tickets, projects and tasks.
    WorkKind { Job, Ticket, Project, Task }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_type_is_in_exactly_one_family_and_keeps_its_key() {
        for k in RecordKind::ALL.iter().copied() {
            match (k.sales(), k.work()) {
                (Some(s), None) => assert_eq!((s.record(), s.as_str()), (k, k.as_str())),
                (None, Some(w)) => assert_eq!((w.record(), w.as_str()), (k, k.as_str())),
                other => panic!("{k:?} is in {other:?}"),
            }
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
            assert_eq!(RecordKind::of_module(k.module()), Some(k));
        }
        assert_eq!(
            SalesKind::ALL.len() + WorkKind::ALL.len(),
            RecordKind::ALL.len()
        );
        assert_eq!(SalesKind::parse("job"), None);
        assert_eq!(WorkKind::parse("ticket"), Some(WorkKind::Ticket));
        assert_eq!(RecordKind::of_module(Module::Documents), None);
        let order: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            order,
            ["quote", "order", "invoice", "job", "project", "task", "ticket"]
        );
    }
}
