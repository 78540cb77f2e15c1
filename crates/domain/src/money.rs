//! Money in integer minor units, and document totals.
//!
//! Rounding rule (documented for customers' accountants): each line's net is
//! `quantity × unit price × (1 − discount)`, rounded half away from zero to
//! the minor unit. Tax is computed per tax rate on the sum of the nets at that
//! rate, rounded the same way. The total is the subtotal plus every rate's tax.
//! All arithmetic is integer (i128 in between); no floats anywhere.

use std::fmt;

/// An ISO 4217 currency code with its number of minor-unit digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    pub code: &'static str,
    pub digits: u32,
    pub symbol: &'static str,
}

pub const CURRENCIES: &[Currency] = &[
    Currency {
        code: "GBP",
        digits: 2,
        symbol: "£",
    },
    Currency {
        code: "EUR",
        digits: 2,
        symbol: "€",
    },
    Currency {
        code: "USD",
        digits: 2,
        symbol: "$",
    },
    Currency {
        code: "AUD",
        digits: 2,
        symbol: "A$",
    },
    Currency {
        code: "CAD",
        digits: 2,
        symbol: "C$",
    },
    Currency {
        code: "NZD",
        digits: 2,
        symbol: "NZ$",
    },
    Currency {
        code: "CHF",
        digits: 2,
        symbol: "CHF ",
    },
    Currency {
        code: "SEK",
        digits: 2,
        symbol: "kr ",
    },
    Currency {
        code: "JPY",
        digits: 0,
        symbol: "¥",
    },
];

/// A stored currency code the portal does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCurrency(pub String);

impl fmt::Display for UnknownCurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown currency code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCurrency {}

/// Rows parse their currency on the way out of the database: a code we do
/// not know is an error there, never a silent fallback to another currency.
impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::parse(&code).ok_or(UnknownCurrency(code))
    }
}

impl Currency {
    pub fn parse(code: &str) -> Option<Currency> {
        let code = code.trim().to_uppercase();
        CURRENCIES.iter().copied().find(|c| c.code == code)
    }

    /// Format minor units, e.g. `£1,234.50` or `-$3.00`.
    pub fn format(self, minor: i64) -> String {
        let neg = minor < 0;
        let abs = minor.unsigned_abs();
        let scale = 10u64.pow(self.digits);
        let (whole, frac) = (abs / scale, abs % scale);
        let mut w = whole.to_string();
        let mut grouped = String::new();
        while w.len() > 3 {
            let tail = w.split_off(w.len() - 3);
            grouped = format!(",{tail}{grouped}");
        }
        grouped = format!("{w}{grouped}");
        let body = if self.digits > 0 {
            format!("{grouped}.{frac:0width$}", width = self.digits as usize)
        } else {
            grouped
        };
        format!("{}{}{}", if neg { "-" } else { "" }, self.symbol, body)
    }

    /// Minor units as a plain decimal for forms and CSV: `-1234.50`.
    pub fn plain(self, minor: i64) -> String {
        let scale = 10u64.pow(self.digits);
        let abs = minor.unsigned_abs();
        let sign = if minor < 0 { "-" } else { "" };
        if self.digits == 0 {
            format!("{sign}{abs}")
        } else {
            format!(
                "{sign}{}.{:0w$}",
                abs / scale,
                abs % scale,
                w = self.digits as usize
            )
        }
    }

    /// Parse a decimal amount typed by a person ("1,234.5") into minor units.
    pub fn parse_amount(self, raw: &str) -> Result<i64, String> {
        parse_decimal(raw, self.digits)
            .ok_or_else(|| format!("\u{201c}{}\u{201d} is not an amount.", raw.trim()))
    }
}

/// Parse `raw` as a decimal with at most `digits` decimals, scaled to an integer.
pub fn parse_decimal(raw: &str, digits: u32) -> Option<i64> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    if s.is_empty() {
        return None;
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > digits as usize || whole.len() > 15 {
        return None;
    }
    let scale = 10i64.pow(digits);
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = digits as usize)
            .parse()
            .ok()?
    };
    let v = w.checked_mul(scale)?.checked_add(f)?;
    Some(if neg { -v } else { v })
}

/// Divide rounding half away from zero.
fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

/// One document line. Quantity is in thousandths (1.5 → 1500); rates and
/// discounts are in basis points (20 % → 2000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price: i64,
    pub tax_rate_bp: i64,
    pub discount_bp: i64,
}

impl Line {
    /// The line's net amount in minor units.
    pub fn net(&self) -> i64 {
        let gross = self.quantity_milli as i128 * self.unit_price as i128;
        let discounted = gross * (10_000 - self.discount_bp as i128);
        div_round(discounted, 1000 * 10_000) as i64
    }
}

/// Subtotal, tax per rate and total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub subtotal: i64,
    /// (rate in basis points, taxable amount, tax), by rate.
    pub taxes: Vec<(i64, i64, i64)>,
    pub tax_total: i64,
    pub total: i64,
}

pub fn totals(lines: &[Line]) -> Totals {
    let mut by_rate: std::collections::BTreeMap<i64, i64> = Default::default();
    let mut subtotal = 0i64;
    for l in lines {
        let net = l.net();
        subtotal += net;
        *by_rate.entry(l.tax_rate_bp).or_default() += net;
    }
    let taxes: Vec<(i64, i64, i64)> = by_rate
        .into_iter()
        .map(|(rate, base)| {
            (
                rate,
                base,
                div_round(base as i128 * rate as i128, 10_000) as i64,
            )
        })
        .collect();
    let tax_total = taxes.iter().map(|t| t.2).sum();
    Totals {
        subtotal,
        taxes,
        tax_total,
        total: subtotal + tax_total,
    }
}

/// A rate in basis points as a percentage, e.g. 2000 → "20%", 1250 → "12.5%".
pub fn format_rate(bp: i64) -> String {
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    if frac == 0 {
        format!("{whole}%")
    } else if frac % 10 == 0 {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}

/// A quantity in thousandths as a person writes it: 1500 → "1.5".
pub fn format_quantity(milli: i64) -> String {
    let s = format!("{}.{:03}", milli / 1000, (milli % 1000).abs());
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {} = {}", self.subtotal, self.tax_total, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: i64, price: i64, tax: i64, disc: i64) -> Line {
        Line {
            description: "x".into(),
            quantity_milli: q,
            unit_price: price,
            tax_rate_bp: tax,
            discount_bp: disc,
        }
    }

    #[test]
    fn line_net_rounds_half_away_from_zero() {
        assert_eq!(line(1500, 333, 0, 0).net(), 500); // 499.5 → 500
        assert_eq!(line(1000, 999, 0, 1000).net(), 899); // 899.1 → 899
        assert_eq!(line(1000, 1005, 0, 5000).net(), 503); // 502.5 → 503
        assert_eq!(line(1000, -1005, 0, 5000).net(), -503);
    }

    #[test]
    fn tax_is_per_rate_on_the_sum_of_nets() {
        let t = totals(&[
            line(1000, 1001, 2000, 0),
            line(1000, 1001, 2000, 0),
            line(2000, 250, 500, 0),
        ]);
        assert_eq!(t.subtotal, 2502);
        assert_eq!(t.taxes, vec![(500, 500, 25), (2000, 2002, 400)]);
        assert_eq!(t.tax_total, 425);
        assert_eq!(t.total, 2927);
    }

    #[test]
    fn amounts_parse_and_format() {
        let gbp = Currency::parse("gbp").unwrap();
        assert_eq!(gbp.parse_amount("1,234.5"), Ok(123450));
        assert_eq!(gbp.parse_amount("0.05"), Ok(5));
        assert!(gbp.parse_amount("1.234").is_err());
        assert!(gbp.parse_amount("abc").is_err());
        assert_eq!(gbp.format(123450), "£1,234.50");
        assert_eq!(gbp.format(-5), "-£0.05");
        assert_eq!(
            Currency::parse("JPY").unwrap().format(1234567),
            "¥1,234,567"
        );
        assert_eq!(parse_decimal("1.5", 3), Some(1500));
        assert_eq!(format_quantity(1500), "1.5");
        assert_eq!(format_quantity(2000), "2");
        assert_eq!(format_rate(2000), "20%");
        assert_eq!(format_rate(1250), "12.5%");
    }
}
