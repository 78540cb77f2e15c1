//! Documents as the pages list them: one view per row, the audience in words,
//! the page cursor.

use courtyard_app::documents::DocumentRow;
use courtyard_app::domain::files::human_size;

use crate::kit::layout::when;

pub(crate) const PAGE: i64 = 25;

/// A document as listed.
pub(crate) struct DocView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub file_id: String,
    pub file_name: String,
    pub size: String,
    pub when: String,
    pub by: String,
    pub tag: &'static str,
    /// A thumbnail to show instead of the tag.
    pub thumb: bool,
    pub folder: Option<String>,
    pub group: String,
    pub audience: String,
    pub shared: bool,
}

pub(crate) fn audience_label(d: &DocumentRow) -> String {
    match d.audience.as_str() {
        "public" => "Every portal user".into(),
        "company" => d.company_name.clone().unwrap_or_else(|| "A company".into()),
        "contact" => format!(
            "{} ({})",
            d.contact_name.as_deref().unwrap_or("A person"),
            d.company_name.as_deref().unwrap_or("")
        ),
        "project" => format!("Project: {}", d.project_name.as_deref().unwrap_or("")),
        other => other.to_owned(),
    }
}

pub(crate) fn views(rows: &[DocumentRow]) -> Vec<DocView> {
    rows.iter()
        .map(|d| DocView {
            id: d.id.clone(),
            title: d.title.clone(),
            description: d.description.clone(),
            file_id: d.file_id.clone(),
            file_name: d.file_name.clone(),
            size: human_size(d.file_size as u64),
            when: when(d.created_at),
            by: d.uploaded_by_name.clone(),
            tag: crate::ui::file_views::file_tag(&d.file_kind),
            thumb: d.thumb_key.is_some(),
            folder: d.folder_name.clone(),
            group: d.project_name.clone().unwrap_or_default(),
            audience: audience_label(d),
            shared: d.shared == 1,
        })
        .collect()
}

/// `created_at~id` of the last row, for the next page.
pub(crate) fn cursor(rows: &[DocumentRow]) -> Option<String> {
    (rows.len() as i64 > PAGE).then(|| {
        let last = &rows[PAGE as usize - 1];
        format!("{}~{}", last.created_at, last.id)
    })
}

pub(crate) fn parse_cursor(s: Option<&str>) -> Option<(i64, String)> {
    let (at, id) = s?.split_once('~')?;
    Some((at.parse().ok()?, id.to_owned()))
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}
