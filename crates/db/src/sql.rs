//! A small query builder for dynamic filters that numbers `$n` placeholders,
//! which both SQLite and PostgreSQL accept.

use sqlx::any::AnyArguments;
use sqlx::Arguments;

/// SQL text plus its bound arguments. Values only ever go in as bound
/// arguments, never into the text.
pub struct Sql {
    text: String,
    args: AnyArguments<'static>,
    n: usize,
    /// `$` for both engines; `?` (SQLite's numbered form) for statements with
    /// thousands of parameters, where SQLite looks each `$n` name up linearly.
    mark: char,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: AnyArguments::default(),
            n: 0,
            mark: '$',
        }
    }

    /// For bulk statements: the fastest placeholder form of `backend`.
    pub fn bulk(text: &str, backend: crate::Backend) -> Self {
        let mut s = Self::new(text);
        if backend == crate::Backend::Sqlite {
            s.mark = '?';
        }
        s
    }

    /// Append literal SQL (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder and bind `value` to it.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'static + Send + sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        self.n += 1;
        self.text.push(self.mark);
        self.text.push_str(&self.n.to_string());
        self.args.add(value).expect("encode a bound value");
        self
    }

    /// Append the visibility policy's predicate for rows aliased `alias`:
    /// ` AND alias.company_id = $n …`. Column names come from the policy
    /// module, values are bound.
    pub fn scope(&mut self, alias: &str, p: &courtyard_domain::policy::Predicate) -> &mut Self {
        use courtyard_domain::policy::Cond;
        for (cond, _) in &p.0 {
            match cond {
                Cond::Never => {
                    self.push(" AND 1 = 0");
                }
                Cond::Eq(col, v) => {
                    self.push(&format!(" AND {alias}.{col} = ")).bind(v.clone());
                }
                Cond::NotIn(col, vs) => {
                    self.push(&format!(" AND {alias}.{col} NOT IN ("));
                    for (i, v) in vs.iter().enumerate() {
                        if i > 0 {
                            self.push(", ");
                        }
                        self.bind(v.to_string());
                    }
                    self.push(")");
                }
                Cond::Flag(col) => {
                    self.push(&format!(" AND {alias}.{col} = 1"));
                }
                Cond::InMemberProject {
                    column,
                    portal_user_id,
                    company_id,
                } => {
                    self.push(&format!(
                        " AND {alias}.{column} IN (SELECT pm.project_id FROM project_members pm \
                         JOIN projects pp ON pp.id = pm.project_id WHERE pm.portal_user_id = "
                    ))
                    .bind(portal_user_id.clone())
                    .push(" AND pp.show_on_portal = 1 AND pp.company_id = ")
                    .bind(company_id.clone())
                    .push(")");
                }
                Cond::DocumentAudience {
                    company_id,
                    contact_id,
                    portal_user_id,
                    own,
                    projects,
                } => {
                    self.push(&format!(
                        " AND ({alias}.audience = 'public' OR ({alias}.audience = 'company' AND {alias}.company_id = "
                    ))
                    .bind(company_id.clone());
                    if *own {
                        self.push(&format!(
                            " AND ({alias}.contact_id IS NULL OR {alias}.contact_id = "
                        ))
                        .bind(contact_id.clone())
                        .push(")");
                    }
                    self.push(&format!(
                        ") OR ({alias}.audience = 'contact' AND {alias}.contact_id = "
                    ))
                    .bind(contact_id.clone())
                    .push(")");
                    if *projects {
                        self.push(&format!(
                            " OR ({alias}.audience = 'project' AND {alias}.project_id IN \
                             (SELECT pm.project_id FROM project_members pm JOIN projects pp \
                             ON pp.id = pm.project_id WHERE pm.portal_user_id = "
                        ))
                        .bind(portal_user_id.clone())
                        .push(" AND pp.show_on_portal = 1 AND pp.show_documents = 1 AND pp.company_id = ")
                        .bind(company_id.clone())
                        .push("))");
                    }
                    self.push(")");
                }
            }
        }
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn build(self) -> (String, AnyArguments<'static>) {
        (self.text, self.args)
    }
}
