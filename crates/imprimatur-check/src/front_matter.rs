//! YAML front matter between `---` lines at the top of a document. The known keys are
//! the shared contract (DESIGN.md); unknown keys are kept untouched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "de" | "de-de" | "de-at" | "de-ch" | "deutsch" | "german" => Some(Lang::De),
            "en" | "en-us" | "en-gb" | "english" | "englisch" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct FrontMatter {
    pub title: Option<String>,
    /// The meta description.
    pub description: Option<String>,
    pub slug: Option<String>,
    pub keyphrase: Option<String>,
    pub synonyms: Vec<String>,
    pub lang: Option<Lang>,
    pub cornerstone: bool,
    pub confidential: bool,
    /// The id of the document's brief.
    pub brief: Option<String>,
    /// Keys this version does not know, kept as they were.
    #[ts(type = "Record<string, unknown>")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Broken front matter: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    /// Byte offset in the document where the problem is.
    pub offset: usize,
    pub message: String,
}

/// Splits the front matter off `text`: the parsed keys, the byte offset where the body
/// starts, and a problem if the YAML is broken (the body is still usable then).
pub(crate) fn split(text: &str) -> (FrontMatter, usize, Option<FrontMatterError>) {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let t = &text[bom..];
    let first_line_end = t.find('\n').map_or(t.len(), |i| i + 1);
    if t[..first_line_end].trim_end() != "---" {
        return (FrontMatter::default(), 0, None);
    }
    let yaml_start = bom + first_line_end;
    // The closing fence: a line that is exactly `---` or `...`.
    let mut pos = yaml_start;
    let mut close = None;
    for line in text[yaml_start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            close = Some((pos, pos + line.len()));
            break;
        }
        pos += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        return (
            FrontMatter::default(),
            0,
            Some(FrontMatterError {
                offset: bom,
                message: "the front matter opened with --- is never closed; add a line with --- after the last key".into(),
            }),
        );
    };
    let yaml = &text[yaml_start..yaml_end];
    match parse_yaml(yaml) {
        Ok(fm) => (fm, body_start, None),
        Err((line, message)) => {
            // Errors at the end of input point past the last line: clamp to it.
            let line = line.min(yaml.lines().count().max(1));
            let offset = yaml
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + yaml_start;
            (
                FrontMatter::default(),
                body_start,
                Some(FrontMatterError { offset, message }),
            )
        }
    }
}

fn parse_yaml(yaml: &str) -> Result<FrontMatter, (usize, String)> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        (line, format!("front matter is not valid YAML: {e}"))
    })?;
    let serde_yaml_ng::Value::Mapping(map) = value else {
        return Err((
            1,
            "front matter must be a list of `key: value` lines".into(),
        ));
    };
    let mut fm = FrontMatter::default();
    for (k, v) in map {
        let Some(key) = k.as_str() else { continue };
        let text = || yaml_text(&v);
        match key {
            "title" => fm.title = text(),
            "description" => fm.description = text(),
            "slug" => fm.slug = text(),
            "keyphrase" => fm.keyphrase = text(),
            "synonyms" => {
                fm.synonyms = match &v {
                    serde_yaml_ng::Value::Sequence(items) => {
                        items.iter().filter_map(yaml_text).collect()
                    }
                    other => yaml_text(other)
                        .map(|s| {
                            s.split(',')
                                .map(|p| p.trim().to_string())
                                .filter(|p| !p.is_empty())
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            }
            "lang" => fm.lang = text().as_deref().and_then(Lang::parse),
            "cornerstone" => fm.cornerstone = v.as_bool().unwrap_or(false),
            "confidential" => fm.confidential = v.as_bool().unwrap_or(false),
            "brief" => fm.brief = text(),
            _ => {
                let json = serde_json::to_value(&v).unwrap_or(serde_json::Value::Null);
                fm.extra.insert(key.to_string(), json);
            }
        }
    }
    Ok(fm)
}

fn yaml_text(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_and_extras() {
        let t = "---\ntitle: Wärmepumpe im Altbau\nsynonyms: [Altbau-Wärmepumpe, Heizungstausch]\nlang: de\ncornerstone: true\nautor: Jana\n---\n# Text\n";
        let (fm, body, err) = split(t);
        assert!(err.is_none());
        assert_eq!(fm.title.as_deref(), Some("Wärmepumpe im Altbau"));
        assert_eq!(fm.synonyms, ["Altbau-Wärmepumpe", "Heizungstausch"]);
        assert_eq!(fm.lang, Some(Lang::De));
        assert!(fm.cornerstone);
        assert_eq!(fm.extra["autor"], "Jana");
        assert_eq!(&t[body..], "# Text\n");
    }

    #[test]
    fn no_front_matter() {
        let (fm, body, err) = split("# Nur Text\n");
        assert_eq!((fm, body, err), (FrontMatter::default(), 0, None));
    }

    #[test]
    fn broken_yaml_points_at_its_line() {
        let t = "---\ntitle: ok\nkeyphrase: [unclosed\n---\nText";
        let (_, body, err) = split(t);
        let err = err.unwrap();
        assert!(err.message.contains("not valid YAML"), "{}", err.message);
        assert!(err.offset >= t.find("title").unwrap(), "{err:?}");
        assert_eq!(&t[body..], "Text");
    }

    #[test]
    fn unclosed_front_matter_is_reported() {
        let (_, body, err) = split("---\ntitle: x\n# Text");
        assert_eq!(body, 0);
        assert!(err.unwrap().message.contains("never closed"));
    }
}
