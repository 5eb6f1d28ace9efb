//! Briefs: what a text should achieve, read from a TOML file or YAML front matter with
//! the field keys of `templates/briefs/` (see `templates/README.md`), checked for
//! required fields, and compiled into the settings the checks use on the draft.

use std::collections::BTreeMap;
use std::path::Path;

use imprimatur_check::Lang;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::DraftError;

/// What the reader searches for (the template's `search_intent` options).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SearchIntent {
    #[default]
    Informational,
    Commercial,
    Transactional,
    Navigational,
}

impl SearchIntent {
    pub fn parse(s: &str) -> Option<SearchIntent> {
        match s.trim().to_ascii_lowercase().as_str() {
            "informational" => Some(SearchIntent::Informational),
            "commercial" => Some(SearchIntent::Commercial),
            "transactional" => Some(SearchIntent::Transactional),
            "navigational" => Some(SearchIntent::Navigational),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SearchIntent::Informational => "informational",
            SearchIntent::Commercial => "commercial",
            SearchIntent::Transactional => "transactional",
            SearchIntent::Navigational => "navigational",
        }
    }
}

/// How the reader is addressed (`address_form`): `sie` formal, `du` informal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AddressForm {
    #[default]
    Sie,
    Du,
}

impl AddressForm {
    pub fn parse(s: &str) -> Option<AddressForm> {
        match s.trim().to_lowercase().as_str() {
            "sie" | "formal" => Some(AddressForm::Sie),
            "du" | "informal" | "casual" => Some(AddressForm::Du),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            AddressForm::Sie => "sie",
            AddressForm::Du => "du",
        }
    }
    /// The style crate's setting of the same name.
    pub fn to_style(self) -> imprimatur_style::AddressForm {
        match self {
            AddressForm::Sie => imprimatur_style::AddressForm::Sie,
            AddressForm::Du => imprimatur_style::AddressForm::Du,
        }
    }
}

/// One filled-in brief. Field keys and meanings are those of `templates/README.md`;
/// template-specific fields (`product`, `questions`, `subject_line`, `platform`, …) are
/// kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Brief {
    /// Id of the brief template it was made from (`blogartikel`, `faq`, …).
    pub template: String,
    /// Language of the text to write.
    pub lang: Lang,
    /// Working title; the draft's title when the model offers none.
    pub title: Option<String>,
    pub goal: String,
    pub audience: String,
    pub search_intent: SearchIntent,
    pub keyphrase: String,
    pub synonyms: Vec<String>,
    pub entities: Vec<String>,
    /// Knowledge base documents, relative to the workspace (`knowledge/faq.md`).
    pub required_sources: Vec<String>,
    pub tone: String,
    /// `sie` or `du`; for English it sets the register (formal / casual).
    pub address_form: AddressForm,
    /// Target length of the body in words.
    pub length_words: u32,
    pub call_to_action: String,
    /// ISO date (`2026-12-01`).
    pub deadline: Option<String>,
    /// Confidential briefs are only ever sent to local models (the router's gate).
    pub confidential: bool,
    /// Template-specific fields, as given.
    #[ts(type = "Record<string, unknown>")]
    pub extra: BTreeMap<String, Value>,
}

/// A required field that is missing or a value of the wrong kind, by field key, so the
/// brief editor can show it at the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BriefProblem {
    /// The field key, e.g. `keyphrase`.
    pub field: String,
    /// `missing`, `invalid` or `unknown_option`.
    pub kind: String,
    /// English sentence naming the field and what to do.
    pub message: String,
}

/// What the brief sets for the checks of its draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckSettings {
    pub seo: SeoSettings,
    pub style: StyleSettings,
    pub facts: FactSettings,
}

/// For the SEO check: the keyphrase (front matter `keyphrase`, `synonyms`) and length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SeoSettings {
    pub keyphrase: String,
    pub synonyms: Vec<String>,
    pub length_words: u32,
    /// The length check's band: a draft within ±20 % of the target passes.
    pub min_words: u32,
    pub max_words: u32,
}

/// For the style check: the form of address selects the `when: {address: …}` rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StyleSettings {
    pub address_form: AddressForm,
    pub tone: String,
    pub lang: Lang,
}

/// For the fact check: every required source must be cited at least once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactSettings {
    /// Workspace-relative paths (`knowledge/preisliste-2026.md`).
    pub required_sources: Vec<String>,
    /// Names that must be spelled as given.
    pub entities: Vec<String>,
}

/// One form field of a brief template (`[[field]]` in `templates/briefs/*.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TemplateField {
    pub key: String,
    pub label: String,
    /// text | textarea | list | enum | number | date | bool
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    #[ts(type = "unknown")]
    pub default: Option<Value>,
    #[serde(default)]
    pub help: Option<String>,
}

/// A brief template: the form the editor fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BriefTemplate {
    pub id: String,
    pub version: u32,
    pub lang: Lang,
    pub name: String,
    pub description: String,
    pub fields: Vec<TemplateField>,
}

const COMMON_KEYS: [&str; 16] = [
    "template",
    "lang",
    "title",
    "goal",
    "audience",
    "search_intent",
    "keyphrase",
    "synonyms",
    "entities",
    "required_sources",
    "tone",
    "address_form",
    "length_words",
    "call_to_action",
    "deadline",
    "confidential",
];

impl Brief {
    /// Reads a brief from TOML (`key = value` lines with the template's field keys).
    pub fn from_toml(text: &str) -> Result<Brief, DraftError> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| DraftError::BriefSyntax {
                    format: "TOML",
                    message: e.to_string(),
                })?;
        let map = table
            .into_iter()
            .map(|(k, v)| (k, toml_to_json(v)))
            .collect();
        Brief::from_map(map)
    }

    /// Reads a brief from a Markdown file's YAML front matter (between `---` lines), or
    /// from a bare YAML mapping.
    pub fn from_front_matter(text: &str) -> Result<Brief, DraftError> {
        let t = text.trim_start_matches('\u{feff}');
        let yaml = if let Some(rest) = t.strip_prefix("---") {
            let rest = rest.trim_start_matches(['\r', '\n']);
            match rest.find("\n---").or_else(|| rest.find("\n...")) {
                Some(end) => &rest[..end],
                None => {
                    return Err(DraftError::BriefSyntax {
                        format: "front matter",
                        message: "the front matter opened with --- is never closed; add a line with --- after the last key".into(),
                    })
                }
            }
        } else {
            t
        };
        let value: Value = serde_yaml_ng::from_str(yaml).map_err(|e| DraftError::BriefSyntax {
            format: "YAML front matter",
            message: e.to_string(),
        })?;
        let Value::Object(map) = value else {
            return Err(DraftError::BriefSyntax {
                format: "YAML front matter",
                message: "a brief must be a mapping of `key: value` lines".into(),
            });
        };
        Brief::from_map(map.into_iter().collect())
    }

    /// Reads a brief by the file's extension: `.toml` as TOML, anything else as front matter.
    pub fn load(path: &Path) -> Result<Brief, DraftError> {
        let text = std::fs::read_to_string(path).map_err(|source| DraftError::Io {
            path: path.display().to_string(),
            source,
        })?;
        if path.extension().is_some_and(|e| e == "toml") {
            Brief::from_toml(&text)
        } else {
            Brief::from_front_matter(&text)
        }
    }

    /// Builds a brief from field values. Values of the wrong type are errors naming the
    /// field; missing fields become empty and are reported by [`Brief::validate`].
    pub fn from_map(mut map: BTreeMap<String, Value>) -> Result<Brief, DraftError> {
        let mut take = |k: &str| map.remove(k);
        let text = |k: &'static str, v: Option<Value>| -> Result<String, DraftError> {
            match v {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(other) => Err(DraftError::BriefField {
                    field: k,
                    message: format!("expected text, found {other}"),
                }),
            }
        };
        let list = |k: &'static str, v: Option<Value>| -> Result<Vec<String>, DraftError> {
            match v {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::String(s)) => Ok(s
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()),
                Some(Value::Array(items)) => items
                    .into_iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s),
                        other => Err(DraftError::BriefField {
                            field: k,
                            message: format!("expected a list of texts, found the item {other}"),
                        }),
                    })
                    .collect(),
                Some(other) => Err(DraftError::BriefField {
                    field: k,
                    message: format!("expected a list of texts, found {other}"),
                }),
            }
        };
        let template = text("template", take("template"))?;
        let lang_text = text("lang", take("lang"))?;
        let lang = if lang_text.is_empty() {
            Lang::De
        } else {
            Lang::parse(&lang_text).ok_or(DraftError::BriefField {
                field: "lang",
                message: format!("{lang_text:?} is not a language; write de or en"),
            })?
        };
        let title = Some(text("title", take("title"))?).filter(|t| !t.is_empty());
        let goal = text("goal", take("goal"))?;
        let audience = text("audience", take("audience"))?;
        let intent_text = text("search_intent", take("search_intent"))?;
        let search_intent = if intent_text.is_empty() {
            SearchIntent::default()
        } else {
            SearchIntent::parse(&intent_text).ok_or(DraftError::BriefField {
                field: "search_intent",
                message: format!("{intent_text:?} is not one of informational, commercial, transactional, navigational"),
            })?
        };
        let keyphrase = text("keyphrase", take("keyphrase"))?;
        let synonyms = list("synonyms", take("synonyms"))?;
        let entities = list("entities", take("entities"))?;
        let required_sources = list("required_sources", take("required_sources"))?;
        let tone = text("tone", take("tone"))?;
        let address_text = text("address_form", take("address_form"))?;
        let address_form = if address_text.is_empty() {
            AddressForm::Sie
        } else {
            AddressForm::parse(&address_text).ok_or(DraftError::BriefField {
                field: "address_form",
                message: format!("{address_text:?} is not a form of address; write sie or du"),
            })?
        };
        let length_words =
            match take("length_words") {
                None | Some(Value::Null) => 0,
                Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or(
                    DraftError::BriefField {
                        field: "length_words",
                        message: format!(
                            "{n} is not a word count; write a whole number such as 900"
                        ),
                    },
                )?,
                Some(Value::String(s)) => s.trim().parse().map_err(|_| DraftError::BriefField {
                    field: "length_words",
                    message: format!("{s:?} is not a word count; write a whole number such as 900"),
                })?,
                Some(other) => {
                    return Err(DraftError::BriefField {
                        field: "length_words",
                        message: format!("expected a number of words, found {other}"),
                    })
                }
            };
        let call_to_action = text("call_to_action", take("call_to_action"))?;
        let deadline = Some(text("deadline", take("deadline"))?).filter(|d| !d.is_empty());
        let confidential = match take("confidential") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
            Some(other) => {
                return Err(DraftError::BriefField {
                    field: "confidential",
                    message: format!("expected true or false, found {other}"),
                })
            }
        };
        Ok(Brief {
            template,
            lang,
            title,
            goal,
            audience,
            search_intent,
            keyphrase,
            synonyms,
            entities,
            required_sources,
            tone,
            address_form,
            length_words,
            call_to_action,
            deadline,
            confidential,
            extra: map,
        })
    }

    /// A new brief with the defaults of `template`.
    pub fn from_template(template: &BriefTemplate) -> Brief {
        let mut map: BTreeMap<String, Value> = template
            .fields
            .iter()
            .filter_map(|f| f.default.clone().map(|d| (f.key.clone(), d)))
            .collect();
        map.insert("template".into(), Value::String(template.id.clone()));
        map.insert("lang".into(), Value::String(template.lang.as_str().into()));
        Brief::from_map(map).unwrap_or_else(|_| Brief::empty(&template.id, template.lang))
    }

    fn empty(template: &str, lang: Lang) -> Brief {
        Brief {
            template: template.to_string(),
            lang,
            title: None,
            goal: String::new(),
            audience: String::new(),
            search_intent: SearchIntent::default(),
            keyphrase: String::new(),
            synonyms: Vec::new(),
            entities: Vec::new(),
            required_sources: Vec::new(),
            tone: String::new(),
            address_form: AddressForm::Sie,
            length_words: 0,
            call_to_action: String::new(),
            deadline: None,
            confidential: false,
            extra: BTreeMap::new(),
        }
    }

    /// The brief as TOML, common keys first in template order, then the extra fields.
    pub fn to_toml(&self) -> String {
        let mut t = toml::Table::new();
        let s = |v: &str| toml::Value::String(v.to_string());
        let l = |v: &[String]| toml::Value::Array(v.iter().map(|x| s(x)).collect());
        t.insert("template".into(), s(&self.template));
        t.insert("lang".into(), s(self.lang.as_str()));
        if let Some(title) = &self.title {
            t.insert("title".into(), s(title));
        }
        t.insert("goal".into(), s(&self.goal));
        t.insert("audience".into(), s(&self.audience));
        t.insert("search_intent".into(), s(self.search_intent.as_str()));
        t.insert("keyphrase".into(), s(&self.keyphrase));
        t.insert("synonyms".into(), l(&self.synonyms));
        t.insert("entities".into(), l(&self.entities));
        t.insert("required_sources".into(), l(&self.required_sources));
        t.insert("tone".into(), s(&self.tone));
        t.insert("address_form".into(), s(self.address_form.as_str()));
        t.insert(
            "length_words".into(),
            toml::Value::Integer(self.length_words.into()),
        );
        t.insert("call_to_action".into(), s(&self.call_to_action));
        if let Some(d) = &self.deadline {
            t.insert("deadline".into(), s(d));
        }
        t.insert(
            "confidential".into(),
            toml::Value::Boolean(self.confidential),
        );
        for (k, v) in &self.extra {
            if let Some(v) = json_to_toml(v) {
                t.insert(k.clone(), v);
            }
        }
        // toml::Table keeps insertion order only with preserve_order; the keys are
        // sorted otherwise, which is still a stable, diffable file.
        toml::to_string(&t).unwrap_or_default()
    }

    /// Required fields that are empty, and values out of range, by field key.
    pub fn validate(&self) -> Vec<BriefProblem> {
        let mut problems = Vec::new();
        let missing = |field: &str, what: &str| BriefProblem {
            field: field.to_string(),
            kind: "missing".into(),
            message: format!("the brief needs {what} (field `{field}`)"),
        };
        if self.goal.trim().is_empty() {
            problems.push(missing("goal", "a goal: what the text should achieve"));
        }
        if self.audience.trim().is_empty() {
            problems.push(missing("audience", "an audience: who the text is for"));
        }
        // The keyphrase is optional for newsletters and social posts: their templates
        // say so, and `validate_with` checks it by the template.
        if self.length_words == 0 {
            problems.push(missing("length_words", "a target length in words"));
        } else if !(30..=10_000).contains(&self.length_words) {
            problems.push(BriefProblem {
                field: "length_words".into(),
                kind: "invalid".into(),
                message: format!(
                    "{} words is outside 30–10,000 (field `length_words`)",
                    self.length_words
                ),
            });
        }
        if let Some(d) = &self.deadline {
            if !is_iso_date(d) {
                problems.push(BriefProblem {
                    field: "deadline".into(),
                    kind: "invalid".into(),
                    message: format!(
                        "{d:?} is not a date; write it as YYYY-MM-DD (field `deadline`)"
                    ),
                });
            }
        }
        problems
    }

    /// [`Brief::validate`] plus the template's own required fields and enum options.
    pub fn validate_with(&self, template: &BriefTemplate) -> Vec<BriefProblem> {
        let mut problems = self.validate();
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        for field in &template.fields {
            if problems.iter().any(|p| p.field == field.key) {
                continue;
            }
            let v = value
                .get(&field.key)
                .or_else(|| self.extra.get(&field.key))
                .unwrap_or(&Value::Null);
            let empty = match v {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            if field.required && empty {
                problems.push(BriefProblem {
                    field: field.key.clone(),
                    kind: "missing".into(),
                    message: format!(
                        "the template {} requires {} (field `{}`)",
                        template.id, field.label, field.key
                    ),
                });
            } else if field.kind == "enum" && !field.options.is_empty() && !empty {
                let ok = v
                    .as_str()
                    .is_some_and(|s| field.options.iter().any(|o| o == s));
                if !ok {
                    problems.push(BriefProblem {
                        field: field.key.clone(),
                        kind: "unknown_option".into(),
                        message: format!(
                            "{v} is not one of {} (field `{}`)",
                            field.options.join(", "),
                            field.key
                        ),
                    });
                }
            }
        }
        problems
    }

    /// The settings the checks run with on this brief's draft.
    pub fn compile(&self) -> CheckSettings {
        CheckSettings {
            seo: SeoSettings {
                keyphrase: self.keyphrase.clone(),
                synonyms: self.synonyms.clone(),
                length_words: self.length_words,
                min_words: self.length_words * 4 / 5,
                max_words: self.length_words * 6 / 5,
            },
            style: StyleSettings {
                address_form: self.address_form,
                tone: self.tone.clone(),
                lang: self.lang,
            },
            facts: FactSettings {
                required_sources: self.required_sources.clone(),
                entities: self.entities.clone(),
            },
        }
    }

    /// Whether `key` is one of the common keys (not a template extra).
    pub fn is_common_key(key: &str) -> bool {
        COMMON_KEYS.contains(&key)
    }
}

impl BriefTemplate {
    /// Reads a template file (`[template]` + `[[field]]`, see `templates/README.md`).
    pub fn from_toml(text: &str) -> Result<BriefTemplate, DraftError> {
        #[derive(Deserialize)]
        struct Head {
            id: String,
            version: u32,
            lang: String,
            name: String,
            #[serde(default)]
            description: String,
        }
        #[derive(Deserialize)]
        struct File {
            template: Head,
            #[serde(default)]
            field: Vec<toml::Table>,
        }
        let file: File = toml::from_str(text).map_err(|e| DraftError::BriefSyntax {
            format: "brief template TOML",
            message: e.to_string(),
        })?;
        let lang = Lang::parse(&file.template.lang).ok_or(DraftError::BriefField {
            field: "lang",
            message: format!("{:?} is not a language; write de or en", file.template.lang),
        })?;
        let fields = file
            .field
            .into_iter()
            .map(|t| {
                let json: serde_json::Map<String, Value> =
                    t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect();
                serde_json::from_value::<TemplateField>(Value::Object(json)).map_err(|e| {
                    DraftError::BriefSyntax {
                        format: "brief template field",
                        message: e.to_string(),
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BriefTemplate {
            id: file.template.id,
            version: file.template.version,
            lang,
            name: file.template.name,
            description: file.template.description,
            fields,
        })
    }

    /// Every `*.toml` template in `dir`, sorted by file name.
    pub fn load_dir(dir: &Path) -> Result<Vec<BriefTemplate>, DraftError> {
        let io = |source| DraftError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).map_err(|source| DraftError::Io {
                    path: p.display().to_string(),
                    source,
                })?;
                BriefTemplate::from_toml(&text).map_err(|e| e.in_file(p))
            })
            .collect()
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        // A TOML date (`deadline = 2026-12-01`) is kept as its ISO text.
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn json_to_toml(v: &Value) -> Option<toml::Value> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(a) => toml::Value::Array(a.iter().filter_map(json_to_toml).collect()),
        Value::Object(o) => toml::Value::Table(
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}
