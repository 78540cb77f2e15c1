//! What every page's frame needs: title, business name, navigation, the CSRF
//! token for its forms, and a one-line notice after a redirect.

use courtyard_app::auth::{PortalContext, StaffContext};
use courtyard_domain::Module;

#[derive(Debug, Clone)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
    /// The staff sidebar's heading the item sits under ("" for none).
    pub group: &'static str,
}

/// How many portal modules the top bar shows in its row on a desktop; the
/// rest go under "More" (on a phone everything is under "Menu").
pub const NAV_ROW: usize = 6;

#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub business_name: String,
    pub css: String,
    /// The one script: small comforts (Escape closes a menu); pages work
    /// without it.
    pub js: String,
    pub favicon: String,
    pub csrf: String,
    /// Which front door: "portal", "staff" or "bare" (logged out).
    pub area: &'static str,
    pub user_name: Option<String>,
    /// Up to two letters for the avatar.
    pub initials: String,
    pub nav: Vec<NavItem>,
    pub notice: Option<String>,
    /// Staff: unread notices, shown beside the account menu.
    pub unread: i64,
}

pub fn asset(name: &str) -> String {
    crate::kit::assets::url(name)
}

impl Layout {
    /// A page outside any login (error pages).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            business_name: String::new(),
            css: asset("app.css"),
            js: asset("app.js"),
            favicon: asset("favicon.svg"),
            csrf: String::new(),
            area: "bare",
            user_name: None,
            initials: String::new(),
            nav: Vec::new(),
            notice: None,
            unread: 0,
        }
    }

    pub fn public(title: &str, business: &str, csrf: &str) -> Self {
        Self {
            business_name: business.to_owned(),
            csrf: csrf.to_owned(),
            ..Self::bare(title)
        }
    }

    pub fn portal(
        title: &str,
        business: &str,
        csrf: &str,
        ctx: &PortalContext,
        active: &str,
    ) -> Self {
        let mut nav = vec![NavItem {
            label: "Home",
            href: "/",
            active: active == "/",
            group: "",
        }];
        for m in ctx.grants.modules() {
            if m == Module::MyDetails {
                continue;
            }
            nav.push(NavItem {
                label: m.label(),
                href: m.portal_path(),
                active: active == m.portal_path(),
                group: "",
            });
        }
        Self {
            area: "portal",
            initials: initials(&ctx.user.full_name()),
            user_name: Some(ctx.user.full_name()),
            nav,
            ..Self::public(title, business, csrf)
        }
    }

    pub fn staff(
        title: &str,
        business: &str,
        csrf: &str,
        ctx: &StaffContext,
        active: &str,
    ) -> Self {
        let items: [(&'static str, &'static str, &'static str); 13] = [
            ("", "Overview", "/staff"),
            ("Customers", "Companies", "/staff/companies"),
            ("Customers", "People", "/staff/people"),
            ("Customers", "Portal users", "/staff/portal-users"),
            ("Customers", "Permission sets", "/staff/permission-sets"),
            ("Sales", "Quotes", "/staff/quotes"),
            ("Sales", "Orders", "/staff/orders"),
            ("Sales", "Invoices", "/staff/invoices"),
            ("Work", "Jobs", "/staff/jobs"),
            ("Work", "Projects", "/staff/projects"),
            ("Work", "Tasks", "/staff/tasks"),
            ("Work", "Tickets", "/staff/tickets"),
            ("Documents", "Documents", "/staff/documents"),
        ];
        let mut nav: Vec<NavItem> = items
            .into_iter()
            .map(|(group, label, href)| NavItem {
                label,
                href,
                active: active == href,
                group,
            })
            .collect();
        if ctx.role.can_manage_portal() {
            nav.push(NavItem {
                label: "Settings",
                href: "/staff/settings",
                active: active == "/staff/settings",
                group: "Admin",
            });
        }
        Self {
            area: "staff",
            initials: initials(&ctx.staff.name),
            user_name: Some(ctx.staff.name.clone()),
            nav,
            unread: ctx.unread,
            ..Self::public(title, business, csrf)
        }
    }

    /// The items of the top bar's row (portal, desktop).
    pub fn nav_row(&self) -> &[NavItem] {
        &self.nav[..self.nav.len().min(NAV_ROW)]
    }

    /// The items under "More" (portal, desktop).
    pub fn nav_more(&self) -> &[NavItem] {
        &self.nav[self.nav.len().min(NAV_ROW)..]
    }

    /// The item under "More" that is the current page, if any (its summary
    /// then shows it is).
    pub fn more_active(&self) -> Option<&NavItem> {
        self.nav_more().iter().find(|i| i.active)
    }

    /// The items by sidebar heading, in order (staff; the portal's are one
    /// group without a heading).
    pub fn nav_groups(&self) -> Vec<(&'static str, Vec<&NavItem>)> {
        let mut groups: Vec<(&'static str, Vec<&NavItem>)> = Vec::new();
        for item in &self.nav {
            match groups.last_mut() {
                Some((g, items)) if *g == item.group => items.push(item),
                _ => groups.push((item.group, vec![item])),
            }
        }
        groups
    }

    pub fn with_notice(mut self, notice: Option<&str>) -> Self {
        self.notice = notice.map(str::to_owned);
        self
    }
}

/// A calendar date stored as `YYYY-MM-DD`, as people read it: "7 Mar 2026".
/// `None` for text that is not such a date.
pub fn day(iso: &str) -> Option<String> {
    let d = courtyard_app::domain::parse_date(iso)?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][usize::from(u8::from(d.month())) - 1];
    Some(format!("{} {month} {}", d.day(), d.year()))
}

/// [`day`] for a date that may be missing or malformed: shown as stored.
pub fn day_or_raw(iso: &str) -> String {
    day(iso).unwrap_or_else(|| iso.to_owned())
}

/// Format a unix time for people, in UTC until users choose a time zone.
pub fn when(unix: i64) -> String {
    courtyard_app::emails::format_time(unix)
}

/// The one-line confirmation shown after a redirect (`?done=key`). Only known
/// keys are shown, so a link can't put arbitrary text on the page.
pub fn notice(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "saved" => "Your changes have been saved.",
        "created" => "Created.",
        "invited" => "The invitation is on its way.",
        "access" => "Portal access saved. The user is awaiting an invitation.",
        "deactivated" => "The user has been deactivated and every session has ended.",
        "reactivated" => "The user has been reactivated.",
        "ended" => "The session has ended.",
        "others" => "You have logged out of every other session.",
        "changed" => "Your password has been changed, and every other session has ended.",
        "password" => "Your password has been changed. Log in with your new password.",
        "loggedout" => "You have logged out.",
        "commented" => "Your message has been posted.",
        "accepted" => "Thank you: you have accepted this quote. We will be in touch.",
        "declined" => "You have declined this quote.",
        "requested" => "Thank you: your request has been sent. We will get back to you.",
        "completed" => "The task is marked as complete.",
        "uploaded" => "Your file has been uploaded.",
        "deleted" => "Deleted.",
        "staffpassword" => "Your password is set. Log in to continue.",
        _ => return None,
    })
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{day, day_or_raw, Layout, NavItem, NAV_ROW};

    fn item(group: &'static str, label: &'static str) -> NavItem {
        NavItem {
            label,
            href: "/",
            active: false,
            group,
        }
    }

    #[test]
    fn the_navigation_splits_into_a_row_and_more_and_groups_in_order() {
        let mut l = Layout::bare("x");
        l.nav = (0..NAV_ROW + 2).map(|_| item("", "M")).collect();
        assert_eq!((l.nav_row().len(), l.nav_more().len()), (NAV_ROW, 2));
        l.nav = vec![
            item("", "Overview"),
            item("Sales", "Quotes"),
            item("Sales", "Invoices"),
            item("", "Documents"),
        ];
        let groups: Vec<(&str, Vec<&str>)> = l
            .nav_groups()
            .into_iter()
            .map(|(g, items)| (g, items.iter().map(|i| i.label).collect()))
            .collect();
        assert_eq!(
            groups,
            [
                ("", vec!["Overview"]),
                ("Sales", vec!["Quotes", "Invoices"]),
                ("", vec!["Documents"])
            ]
        );
        assert!(l.nav_more().is_empty());
    }

    #[test]
    fn calendar_dates_read_as_people_write_them() {
        assert_eq!(day("2026-03-07").as_deref(), Some("7 Mar 2026"));
        assert_eq!(day("2025-12-31").as_deref(), Some("31 Dec 2025"));
        assert_eq!(day("Not yet"), None);
        assert_eq!(day_or_raw("soon"), "soon");
        assert_eq!(day_or_raw(""), "");
    }
}
