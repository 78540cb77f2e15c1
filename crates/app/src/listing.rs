//! Lists the pages page through: a list's spec (sorts, filters, columns),
//! the query a page asks for, and the keyset cursor that carries a page's
//! place. The one cursor lives in the db crate; these are its names here.

pub use courtyard_db::listing::{cursor, parse_cursor, Keyed, ListQuery, ListSpec};
