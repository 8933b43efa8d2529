//! Lenient decoding of single properties into `Field<T>`: a value with its origin, or a gap
//! that says why it is missing. PowerShell writes booleans as true/1/"True", numbers as
//! numbers or strings, dates three ways; a too-shallow `-Depth` turns objects into strings.

use super::family::Family;
use crate::source::node::{Node, Value};
use crate::source::{FileId, Origin};
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    Known(T, Origin),
    /// Boxed: most fields are known, and a large export holds millions of them.
    Missing(Box<Gap>),
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

/// Places inside one string value; see [`Obj::string_places`]. Ask in document order: the
/// JSON cursor walks on from the last place, one pass over the string in all.
pub struct StringPlaces<'a> {
    file: FileId,
    node_span: crate::source::Span,
    cursor: Option<crate::source::json::RawCursor<'a>>,
    verbatim: bool,
}

impl<'a> StringPlaces<'a> {
    /// The places inside the string value at `at` in a file's decoded `text`. `verbatim`: the
    /// value is the text between its quotes as it stands (always so for JSON, whose escapes the
    /// cursor walks); otherwise every place is the whole value.
    pub fn new(at: Origin, text: &'a str, json: bool, verbatim: bool) -> Self {
        let raw = between_quotes(text, at.span).unwrap_or("");
        let verbatim = json || verbatim;
        StringPlaces {
            file: at.file,
            node_span: at.span,
            cursor: (json && verbatim).then(|| crate::source::json::RawCursor::new(raw)),
            verbatim,
        }
    }

    /// The origin of the decoded range (start, length).
    pub fn origin(&mut self, decoded: (usize, usize)) -> Origin {
        let (start, end) = match (&mut self.cursor, self.verbatim) {
            (Some(c), _) => (c.raw(decoded.0), c.raw(decoded.0 + decoded.1)),
            (None, true) => (decoded.0, decoded.0 + decoded.1),
            (None, false) => {
                return Origin {
                    file: self.file,
                    span: self.node_span,
                }
            }
        };
        Origin {
            file: self.file,
            span: crate::source::Span::new(
                self.node_span.start() + 1 + start,
                end.saturating_sub(start).max(1),
            ),
        }
    }
}

/// A string value left where it stands in its file and decoded when asked for: the Sequence
/// XML (some 14 KB per task sequence) and the content status rows' ServerNALPath (hundreds of
/// thousands on a large site, each full of escaped backslashes), of which a run reads few.
#[derive(Clone, Debug, PartialEq)]
pub enum Kept {
    /// A JSON string, decoded again from the file's text.
    Json,
    /// A YAML string that stands in the text as it is (between its quotes).
    Verbatim,
    /// A YAML string with escapes or folding, which only the YAML parser undoes, or a number:
    /// kept decoded.
    Decoded(Box<str>),
}

impl Kept {
    /// The value at `at`, from the decoded `text` of the file it is in.
    pub fn get<'t>(&'t self, at: Origin, text: &'t str) -> Result<Cow<'t, str>, String> {
        match self {
            Kept::Json => match between_quotes(text, at.span) {
                Some(raw) if !raw.contains('\\') => Ok(Cow::Borrowed(raw)),
                _ => crate::source::json::string_at(text, at.span.start())
                    .map(Cow::Owned)
                    .map_err(|e| e.message),
            },
            Kept::Verbatim => Ok(Cow::Borrowed(between_quotes(text, at.span).unwrap_or(""))),
            Kept::Decoded(s) => Ok(Cow::Borrowed(s)),
        }
    }
}

/// The text of a string value's span without its first and last character (its quotes).
pub fn between_quotes(text: &str, span: crate::source::Span) -> Option<&str> {
    text.get(span.start() + 1..span.end().saturating_sub(1))
}

/// Reads the properties of one exported object, remembering file, class and family.
pub struct Obj<'a> {
    pub node: &'a Node<'a>,
    pub file: FileId,
    pub family: Family,
    pub class: &'a str,
    /// The file's decoded text and whether it is JSON, to place offsets inside strings.
    pub text: &'a str,
    pub json: bool,
}

impl<'a> Obj<'a> {
    /// Places inside a string value (decoded offsets), mapped back through JSON escapes; for
    /// YAML strings that were not written verbatim, the whole value.
    pub fn string_places(&self, n: &Node) -> StringPlaces<'a> {
        StringPlaces::new(self.origin_of(n), self.text, self.json, self.is_verbatim(n))
    }

    /// Whether a string value is the text between its quotes as it stands (a YAML scalar
    /// without escapes or folding; JSON strings are mapped through their escapes instead).
    pub fn is_verbatim(&self, n: &Node) -> bool {
        let raw = between_quotes(self.text, n.span);
        raw.is_some() && n.as_str() == raw
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

    fn gap(&self, kind: GapKind, key: &str, at: Option<&Node>) -> Box<Gap> {
        Box::new(Gap {
            kind,
            at: Some(at.map_or(self.origin_start(), |n| self.origin_of(n))),
            what: format!("{}.{key}", self.class),
            family: Some(self.family),
        })
    }

    /// The opening of the object: where an absent key "would be".
    fn origin_start(&self) -> Origin {
        Origin {
            file: self.file,
            span: crate::source::Span::new(self.node.span.start(), 1),
        }
    }

    /// The raw node of a property, or the gap if it is absent, null or given twice.
    pub fn node(&self, key: &str) -> Result<&'a Node<'a>, Box<Gap>> {
        match self.node.get(key) {
            None => Err(self.gap(GapKind::Absent, key, None)),
            Some(n) if n.is_null() => Err(self.gap(GapKind::NotLoaded, key, Some(n))),
            Some(n @ Node {
                value: Value::Repeated(_),
                ..
            }) => Err(self.gap(
                GapKind::Invalid(
                    "the property is given more than once in its object, and ConvertFrom-Json rejects such a file; neither value is used".into(),
                ),
                key,
                Some(n),
            )),
            Some(n) => Ok(n),
        }
    }

    fn decode<T>(&self, key: &str, what: &str, f: impl FnOnce(&Node) -> Option<T>) -> Field<T> {
        match self.node(key) {
            Err(g) => Field::Missing(g),
            Ok(n) => match f(n) {
                Some(v) => Field::Known(v, self.origin_of(n)),
                None => {
                    let raw = self.text.get(n.span.start()..n.span.end()).unwrap_or("");
                    let shown: String = raw.chars().take(60).collect();
                    Field::Missing(self.gap(
                        GapKind::Invalid(format!(
                            "expected {what}, found {} `{shown}`",
                            n.kind_name()
                        )),
                        key,
                        Some(n),
                    ))
                }
            },
        }
    }

    pub fn string(&self, key: &str) -> Field<String> {
        self.decode(key, "a string", |n| match &n.value {
            Value::String(s) => Some(s.to_string()),
            Value::Int(i) => Some(i.to_string()),
            _ => None,
        })
    }

    /// A string (or number) kept where it stands, to be decoded when asked for ([`Kept`]).
    pub fn kept(&self, key: &str) -> Field<Kept> {
        self.decode(key, "a string", |n| self.kept_node(n))
    }

    /// How a string node is kept, or `None` when it is not a string or number.
    pub fn kept_node(&self, n: &Node) -> Option<Kept> {
        match &n.value {
            Value::Int(i) => Some(Kept::Decoded(i.to_string().into())),
            Value::Deferred(_) => Some(Kept::Json),
            Value::String(_) if self.json => Some(Kept::Json),
            Value::String(_) if self.is_verbatim(n) => Some(Kept::Verbatim),
            Value::String(s) => Some(Kept::Decoded(s.as_ref().into())),
            _ => None,
        }
    }

    /// Strings and numbers both compare as text (ClientSettingsID comes both ways).
    pub fn id(&self, key: &str) -> Field<String> {
        self.decode(key, "a string", |n| match &n.value {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Int(i) => Some(i.to_string()),
            _ => None,
        })
    }

    pub fn int(&self, key: &str) -> Field<i64> {
        self.decode(key, "an integer within the 64-bit range", as_int)
    }

    pub fn bool(&self, key: &str) -> Field<bool> {
        self.decode(key, "true/false, 1/0 or \"True\"/\"False\"", as_bool)
    }

    /// Milliseconds since the Unix epoch, from any of the three date forms.
    pub fn date(&self, key: &str) -> Field<i64> {
        self.decode(
            key,
            "a valid date (\\/Date(ms)\\/, ISO-8601 or DMTF)",
            |n| n.as_str().and_then(parse_date),
        )
    }

    /// An array of objects; a string or an array of strings means depth truncation.
    pub fn objects(&self, key: &str) -> Field<&'a [Node<'a>]> {
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

/// An integer, from a number or a numeric string. A number past the 64-bit range is no
/// integer (never clamped: a clamped flag word would decide flag checks).
pub fn as_int(n: &Node) -> Option<i64> {
    // 2^63: the first f64 past i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match &n.value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(f) => Some(*f as i64),
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
/// (`20201117093000.000000+060`, where the SMS Provider writes `+***` for UTC); milliseconds
/// since the Unix epoch, UTC. The whole text must be one valid date: a day past the end of
/// its month, an offset past ±14:00 or anything after the date is not a date. Every form is
/// ASCII, so non-ASCII text is refused before any slicing.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_ascii() {
        return None;
    }
    let ms = if let Some(rest) = s
        .strip_prefix("/Date(")
        .or_else(|| s.strip_prefix("\\/Date("))
    {
        ms_date(rest)?
    } else if s.len() >= 15
        && s.as_bytes()[14] == b'.'
        && s.as_bytes()[..8].iter().all(u8::is_ascii_digit)
    {
        dmtf(s)?
    } else {
        iso(s)?
    };
    // Years 1 to 9999, so that no later arithmetic on dates can overflow.
    (-62_135_596_800_000..=253_402_300_799_999)
        .contains(&ms)
        .then_some(ms)
}

/// `1605605400000)/`, `-5000)/`, `1605605400000+0100)\/`: the offset says which zone the
/// value was written in but does not shift it (the milliseconds are UTC).
fn ms_date(rest: &str) -> Option<i64> {
    let rest = rest
        .strip_suffix(")/")
        .or_else(|| rest.strip_suffix(")\\/"))?;
    let (digits, offset) = match rest.get(1..).and_then(|r| r.find(['+', '-'])) {
        Some(i) => (&rest[..i + 1], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    if let Some(o) = offset {
        let (h, m) = (num(o.get(1..3)?)?, num(o.get(3..5)?)?);
        if o.len() != 5 || h > 14 || m > 59 {
            return None;
        }
    }
    let body = digits.strip_prefix('-').unwrap_or(digits);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// DMTF datetime: `yyyymmddHHMMSS.mmmmmmsUUU`, UUU the offset in minutes or `***`.
fn dmtf(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 25 || !b[15..21].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let offset_min = match (&s[21..22], &s[22..25]) {
        (_, "***") => 0,
        ("+", m) => num(m)?,
        ("-", m) => -num(m)?,
        _ => return None,
    };
    if offset_min.abs() > 14 * 60 {
        return None;
    }
    let local = civil_ms(
        num(&s[0..4])?,
        num(&s[4..6])?,
        num(&s[6..8])?,
        num(&s[8..10])?,
        num(&s[10..12])?,
        num(&s[12..14])?,
    )?;
    Some(local - offset_min * 60_000)
}

/// ISO-8601 as PowerShell and people write it: `2026-11-01`, `2026-11-01T09:30`,
/// `2026-11-01T09:30:00.1234567+01:00`, `2026-11-01 09:30:00Z`. No zone: UTC.
fn iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?);
    if b.len() == 10 {
        return civil_ms(y, mo, d, 0, 0, 0);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(&s[11..13])?, num(&s[14..16])?);
    let mut i = 16;
    let mut sec = 0;
    if b.get(i) == Some(&b':') {
        sec = num(s.get(i + 1..i + 3)?)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            i += 1 + digits;
        }
    }
    let offset_min = match &s[i..] {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = &zone[1..];
            let (zh, zm) = match z.len() {
                2 => (num(z)?, 0),
                4 => (num(&z[0..2])?, num(&z[2..4])?),
                5 if z.as_bytes()[2] == b':' => (num(&z[0..2])?, num(&z[3..5])?),
                _ => return None,
            };
            if zh > 14 || zm > 59 {
                return None;
            }
            sign * (zh * 60 + zm)
        }
    };
    Some(civil_ms(y, mo, d, h, mi, sec)? - offset_min * 60_000)
}

/// All-digit ASCII as a number (`"+1"` and `" 1"` are not).
fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn civil_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    // Second 60 is a leap second, which Windows writes as :59.
    if !(1..=9999).contains(&y) || !(1..=month_days).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s.min(59)) * 1000)
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

    /// Each way a string is kept gives back the decoded value, and its origin the whole value.
    #[test]
    fn kept_strings_decode_on_demand() {
        let json = r#"[{"Deferred": "\\\\dp1\\", "Plain": "PS1", "Escaped": "a\u0041", "Num": 7, "No": true}]"#;
        let yaml = "- Verbatim: 'PS1'\n  Folded: \"a\\tb\"\n";
        let check = |text: &str, is_json: bool, want: &[(&str, Option<&str>)]| {
            let mut nodes = Vec::new();
            if is_json {
                crate::source::json::parse_items(text, &["Deferred"], |n| {
                    nodes.push(n.into_owned())
                })
                .expect("valid JSON");
            } else {
                assert!(crate::source::yaml::parse_items(text, &mut |n| nodes.push(n)).is_ok());
            }
            let o = Obj {
                node: &nodes[0],
                file: FileId(0),
                family: Family::ContentStatus,
                class: "C",
                text,
                json: is_json,
            };
            for (key, value) in want {
                let got = match o.kept(key) {
                    Field::Known(kept, at) => {
                        Some(kept.get(at, text).expect("decodes").into_owned())
                    }
                    Field::Missing(_) => None,
                };
                assert_eq!(got.as_deref(), *value, "{key}");
            }
        };
        check(
            json,
            true,
            &[
                ("Deferred", Some(r"\\dp1\")),
                ("Plain", Some("PS1")),
                ("Escaped", Some("aA")),
                ("Num", Some("7")),
                ("No", None),
                ("Absent", None),
            ],
        );
        check(
            yaml,
            false,
            &[("Verbatim", Some("PS1")), ("Folded", Some("a\tb"))],
        );
    }

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
        // Offsets are applied: 10:30 at +01:00 is 09:30 UTC.
        assert_eq!(parse_date("2020-11-17T10:30:00+01:00"), Some(ms));
        assert_eq!(parse_date("2020-11-17T10:30:00+0100"), Some(ms));
        assert_eq!(parse_date("20201117103000.000000+060"), Some(ms));
        assert_eq!(parse_date("2020-11-17T09:30Z"), Some(ms));
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        for bad in [
            "2027-02-30",
            "2026-02-29",
            "2026-13-01",
            "2026-12-01 junk",
            "2026-12-01T00:00:00+99:00",
            "2026-12-01T24:00:00",
            "2026-11-2é",
            "2026-é1-01T00:00:00",
            "20201117093000.0000é0+***",
            "/Date(99999999999999999999999)/",
            "/Date(1605605400000)/junk",
            "/Date()/",
            "/Date(-)/",
            "10000-01-01",
            "2026-1-01",
            "+026-11-01",
            "2026-11-01T",
            "2026-11-01T09:30:00.",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(parse_date("2024-02-29").is_some(), "a leap day");
    }

    #[test]
    fn huge_numbers_are_not_integers() {
        let n = crate::source::json::parse("[99999999999999999999999, 1e3, 5.5, \"12\"]")
            .expect("json");
        let Value::Array(items) = n.value else {
            panic!()
        };
        let got: Vec<_> = items.iter().map(as_int).collect();
        assert_eq!(got, vec![None, Some(1000), None, Some(12)]);
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
