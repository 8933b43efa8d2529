//! Task sequence steps from the `Sequence` XML of SMS_TaskSequencePackage: each step's class,
//! name, whether it (or a group around it) is disabled, and its `property="..."` variables,
//! each with its offset in the XML so a finding can point inside the exported string.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

#[derive(Clone, Debug, PartialEq)]
pub struct XmlStep {
    pub class: String,
    pub name: String,
    pub enabled: bool,
    /// Offset and length of the `<step` tag in the XML text.
    pub at: (usize, usize),
    pub vars: Vec<XmlVar>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct XmlVar {
    pub name: String,
    pub property: String,
    pub value: String,
    /// Offset and length of the value text (or of the tag when the value is empty).
    pub at: (usize, usize),
}

/// A package the task sequence references (`<referenceList><reference package=.../>`): the
/// same list as the `References` property, which a too-shallow `ConvertTo-Json -Depth` cuts.
#[derive(Clone, Debug, PartialEq)]
pub struct XmlReference {
    pub package: String,
    /// Offset and length of the `<reference` tag.
    pub at: (usize, usize),
}

/// The steps and the referenced packages of the Sequence XML, in document order.
pub fn parse(xml: &str) -> Result<(Vec<XmlStep>, Vec<XmlReference>), String> {
    parse_keeping(xml, &|_| true)
}

/// [`parse`], keeping only the step variables whose `property` `keep` accepts (the model reads
/// a few; a task sequence has hundreds).
pub fn parse_keeping(
    xml: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Result<(Vec<XmlStep>, Vec<XmlReference>), String> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<XmlStep> = Vec::new();
    let mut references: Vec<XmlReference> = Vec::new();
    let mut root_seen = false;
    // One entry per open <group>/<step>: whether it is disabled.
    let mut disabled: Vec<bool> = Vec::new();
    let mut in_step = false;
    let mut var: Option<XmlVar> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            format!(
                "the Sequence XML is not well formed at offset {}: {e}",
                reader.error_position()
            )
        })?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if is(&e, "sequence") => root_seen = true,
            Event::Start(e) | Event::Empty(e) if is(&e, "reference") => {
                if let [Some(package)] = attrs(&e, ["package"]) {
                    references.push(XmlReference {
                        package: package.into_owned(),
                        at: (before, after - before),
                    });
                }
            }
            Event::Start(e) | Event::Empty(e) if is(&e, "group") || is(&e, "step") => {
                let [disable, class, name] = attrs(&e, ["disable", "type", "name"]);
                let off = disable.is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let enabled = !off && !disabled.iter().any(|d| *d);
                let self_closing = xml.as_bytes().get(after.saturating_sub(2)) == Some(&b'/');
                if is(&e, "step") {
                    out.push(XmlStep {
                        class: class.map(Cow::into_owned).unwrap_or_default(),
                        name: name.map(Cow::into_owned).unwrap_or_default(),
                        enabled,
                        at: (before, after - before),
                        vars: Vec::new(),
                    });
                    in_step = !self_closing;
                }
                if !self_closing {
                    disabled.push(off);
                }
            }
            Event::End(e) if e.name().as_ref() == b"group" || e.name().as_ref() == b"step" => {
                disabled.pop();
                if e.name().as_ref() == b"step" {
                    in_step = false;
                }
            }
            Event::Start(e) if in_step && is(&e, "variable") => {
                let [name, property] = attrs(&e, ["name", "property"]);
                let property = property.unwrap_or_default();
                var = keep(&property).then(|| XmlVar {
                    name: name.map(Cow::into_owned).unwrap_or_default(),
                    property: property.into_owned(),
                    value: String::new(),
                    at: (after, 0),
                });
            }
            Event::Text(t) => {
                if let Some(v) = var.as_mut() {
                    v.value.push_str(&t.decode().map_err(|e| e.to_string())?);
                    v.at.1 = after - v.at.0;
                }
            }
            Event::GeneralRef(r) => {
                if let Some(v) = var.as_mut() {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    v.value.push_str(&entity(&name));
                    v.at.1 = after - v.at.0;
                }
            }
            Event::End(e) if e.name().as_ref() == b"variable" => {
                if let (Some(mut v), Some(step)) = (var.take(), out.last_mut()) {
                    if v.at.1 == 0 {
                        v.at = (before, after - before);
                    }
                    step.vars.push(v);
                }
            }
            _ => {}
        }
    }
    // A string that is no task sequence XML (`System.Object[]` from a shallow -Depth) lists
    // nothing: that is unknown, not an empty task sequence.
    if !root_seen {
        return Err("the Sequence is not task sequence XML (it has no <sequence> element)".into());
    }
    Ok((out, references))
}

fn is(e: &BytesStart, name: &str) -> bool {
    e.name().as_ref() == name.as_bytes()
}

/// The unescaped values of the named attributes, in one pass over the tag. The first
/// attribute of a name counts (a value that does not unescape is none, as is a later
/// duplicate): what a search of the attributes for the first one with the name gives.
fn attrs<'a, const N: usize>(e: &'a BytesStart, names: [&str; N]) -> [Option<Cow<'a, str>>; N] {
    let mut found: [Option<Option<Cow<'a, str>>>; N] = std::array::from_fn(|_| None);
    let mut all = e.attributes();
    // The first of a name is all we take, so the duplicate check (a list of every key seen,
    // searched for each attribute) would change nothing.
    all.with_checks(false);
    for a in all.flatten() {
        if let Some(i) = names.iter().position(|n| a.key.as_ref() == n.as_bytes()) {
            if found[i].is_none() {
                found[i] = Some(a.unescape_value().ok());
            }
        }
    }
    found.map(Option::flatten)
}

fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => {
            let code = name
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()));
            code.and_then(char::from_u32)
                .map_or_else(|| format!("&{name};"), String::from)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<sequence version="3.10"><group name="Install"><step type="SMS_TaskSequence_ApplyNetworkSettingsAction" name="Apply Network Settings"><defaultVarList><variable name="OSDNetworkJoinType" property="NetworkJoinType">1</variable><variable name="OSDWorkgroupName" property="WorkgroupName">A&amp;B</variable></defaultVarList></step></group><group name="Old" disable="true"><step type="SMS_TaskSequence_JoinDomainWorkgroupAction" name="Join"/></group></sequence>"#;

    #[test]
    fn steps_vars_and_disabled_groups() {
        let (s, _) = parse(XML).expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].class, "SMS_TaskSequence_ApplyNetworkSettingsAction");
        assert!(s[0].enabled);
        assert!(!s[1].enabled, "a step in a disabled group is disabled");
        let join = &s[0].vars[0];
        assert_eq!(
            (join.property.as_str(), join.value.as_str()),
            ("NetworkJoinType", "1")
        );
        assert_eq!(&XML[join.at.0..join.at.0 + join.at.1], "1");
        assert_eq!(s[0].vars[1].value, "A&B");
        assert!(XML[s[0].at.0..].starts_with("<step type"));
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(parse("<sequence><step type=\"x\"></sequence>").is_err());
        assert!(parse("System.Object[]").is_err(), "no task sequence XML");
    }
}
