//! The permission model: named permission sets grant actions on modules, and
//! each portal user has a record scope.

use std::collections::BTreeSet;

string_enum!(
    /// A portal module: an area of the portal a user can be granted.
    Module {
        Quotes = "quotes" / "Quotes",
        SalesOrders = "sales_orders" / "Sales orders",
        Invoices = "invoices" / "Invoices",
        Jobs = "jobs" / "Jobs",
        Projects = "projects" / "Projects",
        Tasks = "tasks" / "Tasks",
        Tickets = "tickets" / "Tickets",
        Documents = "documents" / "Documents",
        KnowledgeBase = "knowledge_base" / "Knowledge base",
        Timesheets = "timesheets" / "Timesheets",
        MyDetails = "my_details" / "My details",
    }
);

string_enum!(
    /// Something a portal user may do within a module.
    Action {
        View = "view" / "View",
        Create = "create" / "Create",
        Edit = "edit" / "Edit",
        Comment = "comment" / "Comment",
        Upload = "upload" / "Upload",
        Sign = "sign" / "Sign",
        Pay = "pay" / "Pay",
        LogTime = "log_time" / "Log time",
    }
);

impl Module {
    /// The actions something checks on this module; the permission-set
    /// editor offers only these, and a stored grant of any other is dropped
    /// when read. Modules with none (the knowledge base, time entry) are not
    /// offered at all until they are built: see [`Module::coming_later`].
    pub fn actions(self) -> &'static [Action] {
        use Action::*;
        match self {
            // "Sign" is accepting (or declining) a quote.
            Module::Quotes => &[View, Create, Comment, Sign],
            Module::SalesOrders => &[View, Comment],
            Module::Invoices => &[View, Comment],
            Module::Jobs => &[View, Create, Comment, Upload],
            Module::Projects => &[View, Comment, Upload],
            // A task assigned to the person can be completed with View.
            Module::Tasks => &[View, Comment, Upload],
            Module::Tickets => &[View, Create, Comment, Upload],
            Module::Documents => &[View, Upload],
            Module::KnowledgeBase | Module::Timesheets => &[],
            // "Edit" on My details lets the user change their company's details too.
            Module::MyDetails => &[View, Edit],
        }
    }

    /// Whether the module exists yet (something grants and checks it).
    pub fn is_available(self) -> bool {
        !self.actions().is_empty()
    }

    /// The modules that exist yet, in display order.
    pub fn available() -> Vec<Module> {
        Self::ALL
            .iter()
            .copied()
            .filter(|m| m.is_available())
            .collect()
    }

    /// What the permission-set editor says is not there yet.
    pub fn coming_later() -> &'static [&'static str] {
        &[
            "paying invoices online",
            "signing sales orders",
            "the knowledge base",
            "time entry on tasks",
        ]
    }

    /// One record of the module, in words: "Quote", "Sales order", …
    pub fn singular(self) -> &'static str {
        match self {
            Module::Quotes => "Quote",
            Module::SalesOrders => "Sales order",
            Module::Invoices => "Invoice",
            Module::Jobs => "Job",
            Module::Projects => "Project",
            Module::Tasks => "Task",
            Module::Tickets => "Ticket",
            Module::Documents => "Document",
            Module::KnowledgeBase => "Article",
            Module::Timesheets => "Time entry",
            Module::MyDetails => "Details",
        }
    }

    /// Where the module lives in the portal.
    pub fn portal_path(self) -> &'static str {
        match self {
            Module::Quotes => "/quotes",
            Module::SalesOrders => "/orders",
            Module::Invoices => "/invoices",
            Module::Jobs => "/jobs",
            Module::Projects => "/projects",
            Module::Tasks => "/tasks",
            Module::Tickets => "/tickets",
            Module::Documents => "/documents",
            Module::KnowledgeBase => "/kb",
            Module::Timesheets => "/timesheets",
            Module::MyDetails => "/me",
        }
    }

    /// One line for the portal home page.
    pub fn blurb(self) -> &'static str {
        match self {
            Module::Quotes => "Review, accept or decline the quotes we have sent you.",
            Module::SalesOrders => "Follow your orders and their delivery dates.",
            Module::Invoices => "See what you owe and download your invoices.",
            Module::Jobs => "See scheduled work and request a new job.",
            Module::Projects => "Follow progress and milestones.",
            Module::Tasks => "Tasks waiting for you and your team.",
            Module::Tickets => "Ask for help and follow your requests.",
            Module::Documents => "Files we share with you, and yours to upload.",
            Module::KnowledgeBase => "Answers to common questions.",
            Module::Timesheets => "Log and review time.",
            Module::MyDetails => "Keep your contact details up to date.",
        }
    }
}

/// One action on one module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    pub module: Module,
    pub action: Action,
}

impl Grant {
    pub fn new(module: Module, action: Action) -> Self {
        Self { module, action }
    }

    /// `module:action`, the form stored and submitted by forms.
    pub fn key(self) -> String {
        format!("{}:{}", self.module.as_str(), self.action.as_str())
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (m, a) = s.split_once(':')?;
        let (module, action) = (Module::parse(m)?, Action::parse(a)?);
        module
            .actions()
            .contains(&action)
            .then_some(Self { module, action })
    }
}

/// The grants of a permission set. Any action on a module implies viewing it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(BTreeSet<Grant>);

impl Grants {
    /// Parse submitted or stored keys; unknown keys are dropped and any action
    /// brings "view" of its module with it.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = BTreeSet::new();
        for key in keys {
            if let Some(g) = Grant::parse(key) {
                set.insert(Grant::new(g.module, Action::View));
                set.insert(g);
            } else if let Some(m) = key
                .split_once(':')
                .and_then(|(m, a)| Some((Module::parse(m)?, Action::parse(a)?)).map(|(m, _)| m))
                .filter(|m| m.is_available())
            {
                // An action no longer offered (stored by an earlier version)
                // still brings the view it implied: nobody loses a module.
                set.insert(Grant::new(m, Action::View));
            }
        }
        Self(set)
    }

    /// Space-separated keys, as stored in the database.
    pub fn to_storage(&self) -> String {
        self.0.iter().map(|g| g.key()).collect::<Vec<_>>().join(" ")
    }

    pub fn from_storage(s: &str) -> Self {
        Self::from_keys(s.split_whitespace())
    }

    pub fn allows(&self, module: Module, action: Action) -> bool {
        self.0.contains(&Grant::new(module, action))
    }

    /// The modules this set lets a user open, in display order.
    pub fn modules(&self) -> Vec<Module> {
        Module::ALL
            .iter()
            .copied()
            .filter(|m| self.allows(*m, Action::View))
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = Grant> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// These grants without any action on the `off` modules (the portal's
    /// module switches).
    pub fn without(&self, off: &[Module]) -> Self {
        Self(
            self.0
                .iter()
                .copied()
                .filter(|g| !off.contains(&g.module))
                .collect(),
        )
    }
}

string_enum!(
    /// Which of the company's records a portal user sees.
    RecordScope {
        Company = "company" / "All of the company's records",
        Own = "own" / "Only records where this person is the contact",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_round_trip_and_imply_view() {
        let g = Grants::from_keys([
            "invoices:comment",
            "tickets:create",
            "bogus:view",
            "kb:sign",
        ]);
        assert!(g.allows(Module::Invoices, Action::View));
        assert!(g.allows(Module::Invoices, Action::Comment));
        assert!(g.allows(Module::Tickets, Action::View));
        assert!(!g.allows(Module::Quotes, Action::View));
        assert_eq!(Grants::from_storage(&g.to_storage()), g);
        assert_eq!(g.modules(), vec![Module::Invoices, Module::Tickets]);
    }

    #[test]
    fn an_action_that_does_not_fit_the_module_is_not_a_grant() {
        assert!(Grant::parse("knowledge_base:pay").is_none());
        assert!(Grant::parse("invoices:comment").is_some());
    }

    #[test]
    fn grants_nothing_checks_are_neither_offered_nor_kept() {
        // Stored by an earlier version: dropped when read, view kept.
        let g = Grants::from_storage(
            "invoices:pay sales_orders:sign tasks:log_time tasks:edit timesheets:view knowledge_base:view quotes:sign",
        );
        assert!(!g.allows(Module::Invoices, Action::Pay));
        assert!(!g.allows(Module::SalesOrders, Action::Sign));
        assert!(!g.allows(Module::Tasks, Action::Edit));
        assert!(g.allows(Module::Quotes, Action::Sign));
        // The view each dropped action implied is kept; unbuilt modules go.
        assert_eq!(
            g.modules(),
            vec![
                Module::Quotes,
                Module::SalesOrders,
                Module::Invoices,
                Module::Tasks
            ]
        );
        assert!(!Module::available().contains(&Module::KnowledgeBase));
        assert!(!Module::available().contains(&Module::Timesheets));
    }
}
