//! Lenient decoding of single properties into `Field<T>`: a value with its origin, or a gap
//! that says why it is missing. PowerShell writes booleans as true/1/"True", numbers as
//! numbers or strings, dates three ways; a too-shallow `-Depth` turns objects into strings.

use super::family::Family;
use crate::source::node::{Node, Value};
use crate::source::{FileId, Origin};

#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    Known(T, Origin),
    Missing(Gap),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub kind: GapKind,
    /// Where the gap shows (the null, the truncated string, the object lacking the key).
    pub at: Option<Origin>,
    /// `Class.Property`, or a description of the missing object.
    pub what: String,
    pub family: Option<Family>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GapKind {
    /// The property is not in the object.
    Absent,
    /// `null`: a lazy WMI property that was not loaded.
    NotLoaded,
    /// A string where an object or array was expected: ConvertTo-Json ran out of depth.
    Truncated,
    /// Present but not decodable (an unknown enum value, a malformed date).
    Invalid(String),
    /// No file of the family is in the export at all.
    NotExported,
    /// Not in the export, and no file could supply it (for example the media plan).
    NotProvided(String),
}

impl Gap {
    pub fn not_exported(family: Family, what: impl Into<String>) -> Self {
        Gap {
            kind: GapKind::NotExported,
            at: None,
            what: what.into(),
            family: Some(family),
        }
    }

    /// One sentence for a report: what is missing and how to get it.
    pub fn explain(&self) -> String {
        let supplier = self.family.map(Family::supplier).unwrap_or_default();
        match &self.kind {
            GapKind::Absent => format!("`{}` is not in the export; it comes from the {supplier}", self.what),
            GapKind::NotLoaded => format!(
                "`{}` is null: a lazy property that was not loaded; export it with {} (not -Fast)",
                self.what,
                self.family.map_or("the cmdlet", Family::cmdlet)
            ),
            GapKind::Truncated => format!(
                "`{}` was cut to a string by ConvertTo-Json: the export is incomplete; re-export with `ConvertTo-Json -Depth 10`",
                self.what
            ),
            GapKind::Invalid(why) => format!("`{}` cannot be decoded: {why}", self.what),
            GapKind::NotExported => format!("the export has no {supplier}, needed for {}", self.what),
            GapKind::NotProvided(how) => format!("{} is not known: {how}", self.what),
        }
    }
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Field::Known(v, _) => Some(v),
            Field::Missing(_) => None,
        }
    }
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Field::Known(_, o) => Some(*o),
            Field::Missing(g) => g.at,
        }
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Known(v, o) => Field::Known(f(v), o),
            Field::Missing(g) => Field::Missing(g),
        }
    }
}

/// Reads the properties of one exported object, remembering file, class and family.
pub struct Obj<'a> {
    pub node: &'a Node,
    pub file: FileId,
    pub family: Family,
    pub class: &'a str,
    /// The file's decoded text and whether it is JSON, to place offsets inside strings.
    pub text: &'a str,
    pub json: bool,
}

impl<'a> Obj<'a> {
    /// The origin of a range inside a string value (decoded offsets), mapped back through
    /// JSON escapes. For YAML strings that were not written verbatim, the whole value.
    pub fn inside_string(&self, n: &Node, decoded: (usize, usize)) -> Origin {
        let raw = self
            .text
            .get(n.span.start + 1..n.span.end().saturating_sub(1))
            .unwrap_or("");
        let start = if self.json {
            crate::source::json::raw_offset(raw, decoded.0)
        } else if n.as_str() == Some(raw) {
            decoded.0
        } else {
            return self.origin_of(n);
        };
        let end = if self.json {
            crate::source::json::raw_offset(raw, decoded.0 + decoded.1)
        } else {
            decoded.0 + decoded.1
        };
        Origin {
            file: self.file,
            span: crate::source::Span::new(
                n.span.start + 1 + start,
                end.saturating_sub(start).max(1),
            ),
        }
    }

    pub fn origin_of(&self, n: &Node) -> Origin {
        Origin {
            file: self.file,
            span: n.span,
        }
    }
    pub fn origin(&self) -> Origin {
        self.origin_of(self.node)
    }

    fn gap(&self, kind: GapKind, key: &str, at: Option<&Node>) -> Gap {
        Gap {
            kind,
            at: Some(at.map_or(self.origin_start(), |n| self.origin_of(n))),
            what: format!("{}.{key}", self.class),
            family: Some(self.family),
        }
    }

    /// The opening of the object: where an absent key "would be".
    fn origin_start(&self) -> Origin {
        Origin {
            file: self.file,
            span: crate::source::Span::new(self.node.span.start, 1),
        }
    }

    /// The raw node of a property, or the gap if it is absent or null.
    pub fn node(&self, key: &str) -> Result<&'a Node, Gap> {
        match self.node.get(key) {
            None => Err(self.gap(GapKind::Absent, key, None)),
            Some(n) if n.is_null() => Err(self.gap(GapKind::NotLoaded, key, Some(n))),
            Some(n) => Ok(n),
        }
    }

    fn decode<T>(&self, key: &str, what: &str, f: impl FnOnce(&Node) -> Option<T>) -> Field<T> {
        match self.node(key) {
            Err(g) => Field::Missing(g),
            Ok(n) => match f(n) {
                Some(v) => Field::Known(v, self.origin_of(n)),
                None => Field::Missing(self.gap(
                    GapKind::Invalid(format!("expected {what}, found {}", n.kind_name())),
                    key,
                    Some(n),
                )),
            },
        }
    }

    pub fn string(&self, key: &str) -> Field<String> {
        self.decode(key, "a string", |n| match &n.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            _ => None,
        })
    }

    /// Strings and numbers both compare as text (ClientSettingsID comes both ways).
    pub fn id(&self, key: &str) -> Field<String> {
        self.string(key).map(|s| s.trim().to_string())
    }

    pub fn int(&self, key: &str) -> Field<i64> {
        self.decode(key, "an integer", as_int)
    }

    pub fn bool(&self, key: &str) -> Field<bool> {
        self.decode(key, "true/false, 1/0 or \"True\"/\"False\"", as_bool)
    }

    /// Milliseconds since the Unix epoch, from any of the three date forms.
    pub fn date(&self, key: &str) -> Field<i64> {
        self.decode(key, "a date (\\/Date(ms)\\/, ISO-8601 or DMTF)", |n| {
            n.as_str().and_then(parse_date)
        })
    }

    /// An array of objects; a string or an array of strings means depth truncation.
    pub fn objects(&self, key: &str) -> Field<&'a [Node]> {
        let n = match self.node(key) {
            Err(g) => return Field::Missing(g),
            Ok(n) => n,
        };
        match &n.value {
            Value::Array(items) if items.iter().all(|i| matches!(i.value, Value::Object(_))) => {
                Field::Known(items.as_slice(), self.origin_of(n))
            }
            Value::Object(_) => Field::Known(std::slice::from_ref(n), self.origin_of(n)),
            Value::String(_) | Value::Array(_) => {
                Field::Missing(self.gap(GapKind::Truncated, key, Some(n)))
            }
            _ => Field::Missing(self.gap(
                GapKind::Invalid(format!(
                    "expected an array of objects, found {}",
                    n.kind_name()
                )),
                key,
                Some(n),
            )),
        }
    }

    pub fn child<'b>(&'b self, node: &'b Node, class: &'b str) -> Obj<'b> {
        Obj {
            node,
            file: self.file,
            family: self.family,
            class,
            text: self.text,
            json: self.json,
        }
    }
}

pub fn as_int(n: &Node) -> Option<i64> {
    match &n.value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn as_bool(n: &Node) -> Option<bool> {
    match &n.value {
        Value::Bool(b) => Some(*b),
        Value::Int(0) => Some(false),
        Value::Int(1) => Some(true),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `\/Date(1605605400000)\/` (optionally with an offset), ISO-8601, or DMTF
/// (`20201117093000.000000+***`, where the SMS Provider writes `+***` for UTC).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(rest) = s
        .strip_prefix("/Date(")
        .or_else(|| s.strip_prefix("\\/Date("))
    {
        // Milliseconds, optionally negative, then an optional +hhmm offset that does not shift UTC.
        let end = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
            .map_or(rest.len(), |(i, _)| i);
        return rest[..end].parse().ok();
    }
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() >= 14 && s.as_bytes().get(14) == Some(&b'.') {
        return civil_ms(
            &s[0..4],
            &s[4..6],
            &s[6..8],
            &s[8..10],
            &s[10..12],
            &s[12..14],
        );
    }
    // ISO-8601: 2026-11-01, 2026-11-01T09:30:00, with optional fraction and zone (zone ignored: UTC assumed).
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let (h, mi, se) = if b.len() >= 19 && (b[10] == b'T' || b[10] == b' ') {
            (&s[11..13], &s[14..16], &s[17..19])
        } else {
            ("0", "0", "0")
        };
        return civil_ms(&s[0..4], &s[5..7], &s[8..10], h, mi, se);
    }
    None
}

fn civil_ms(y: &str, mo: &str, d: &str, h: &str, mi: &str, s: &str) -> Option<i64> {
    let (y, mo, d): (i64, i64, i64) = (y.parse().ok()?, mo.parse().ok()?, d.parse().ok()?);
    let (h, mi, s): (i64, i64, i64) = (h.parse().ok()?, mi.parse().ok()?, s.parse().ok()?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * 1000)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_date_forms_agree() {
        let ms = 1_605_605_400_000; // 2020-11-17T09:30:00Z
        assert_eq!(parse_date("/Date(1605605400000)/"), Some(ms));
        assert_eq!(parse_date("/Date(1605605400000+0100)/"), Some(ms));
        assert_eq!(parse_date("2020-11-17T09:30:00Z"), Some(ms));
        assert_eq!(parse_date("2020-11-17T09:30:00.1234567+00:00"), Some(ms));
        assert_eq!(parse_date("20201117093000.000000+***"), Some(ms));
        assert_eq!(parse_date("2020-11-17"), Some(ms - 34_200_000));
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn booleans_three_ways() {
        let n = crate::source::json::parse("[true, 1, \"False\", 0, \"1\", 2]").expect("json");
        let Value::Array(items) = n.value else {
            panic!()
        };
        let got: Vec<_> = items.iter().map(as_bool).collect();
        assert_eq!(
            got,
            vec![
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                None
            ]
        );
    }
}
