//! A rule file as written: Vale's YAML fields, read leniently where Vale is lenient
//! (a scalar where a list is expected, numbers as tokens) so existing packs load.

use std::path::Path;

use serde::{Deserialize, Deserializer};
use serde_yaml_ng::Value;

use crate::error::StyleError;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RuleSpec {
    pub extends: Option<String>,
    #[serde(deserialize_with = "scalar")]
    pub message: String,
    #[serde(deserialize_with = "scalar")]
    pub link: String,
    pub level: Option<String>,
    #[serde(deserialize_with = "list")]
    pub scope: Vec<String>,
    pub ignorecase: bool,
    pub nonword: bool,
    pub append: bool,
    #[serde(deserialize_with = "list")]
    pub tokens: Vec<String>,
    #[serde(deserialize_with = "list")]
    pub raw: Vec<String>,
    #[serde(deserialize_with = "list")]
    pub exceptions: Vec<String>,
    pub vocab: Option<bool>,
    #[serde(deserialize_with = "pairs")]
    pub swap: Vec<(String, String)>,
    pub capitalize: bool,
    pub max: usize,
    pub min: usize,
    #[serde(deserialize_with = "scalar")]
    pub token: String,
    pub alpha: bool,
    #[serde(deserialize_with = "pairs")]
    pub either: Vec<(String, String)>,
    #[serde(deserialize_with = "scalar")]
    pub first: String,
    #[serde(deserialize_with = "scalar")]
    pub second: String,
    #[serde(rename = "match", deserialize_with = "scalar")]
    pub match_: String,
    #[serde(deserialize_with = "scalar")]
    pub style: String,
    #[serde(deserialize_with = "list")]
    pub indicators: Vec<String>,
    pub threshold: Option<f64>,
    #[serde(deserialize_with = "scalar")]
    pub formula: String,
    #[serde(deserialize_with = "scalar")]
    pub condition: String,
    #[serde(deserialize_with = "list")]
    pub dictionaries: Vec<String>,
    #[serde(deserialize_with = "scalar")]
    pub dicpath: String,
    #[serde(deserialize_with = "list")]
    pub filters: Vec<String>,
    #[serde(deserialize_with = "list")]
    pub ignore: Vec<String>,
    /// Imprimatur: `terminology` rules, preferred term → forbidden variants.
    #[serde(deserialize_with = "term_map")]
    pub terms: Vec<(String, Vec<String>)>,
    /// Imprimatur: run only under this house setting, e.g. `when: {address: du}`.
    pub when: Option<When>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub address: Option<String>,
    pub gender: Option<String>,
}

pub(crate) fn parse(file: &Path, text: &str) -> Result<RuleSpec, StyleError> {
    serde_yaml_ng::from_str::<Option<RuleSpec>>(text)
        .map(Option::unwrap_or_default)
        .map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            StyleError::Yaml {
                file: file.to_path_buf(),
                line,
                column,
                message: e.to_string(),
            }
        })
}

fn to_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        _ => None,
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(to_text(&v).unwrap_or_default())
}

fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    match v {
        Value::Sequence(items) => items
            .iter()
            .map(|i| {
                // `- im Grunde(?: genommen)?` is a mapping to YAML: say so instead of dropping it.
                to_text(i).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "a list entry is not text ({}); put entries that contain ': ' or start with a special character in quotes",
                        serde_yaml_ng::to_string(i).unwrap_or_default().trim()
                    ))
                })
            })
            .collect(),
        other => Ok(to_text(&other).into_iter().collect()),
    }
}

fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    let v = Value::deserialize(d)?;
    let Value::Mapping(m) = v else {
        return Ok(Vec::new());
    };
    Ok(m.iter()
        .filter_map(|(k, v)| Some((to_text(k)?, to_text(v).unwrap_or_default())))
        .collect())
}

fn term_map<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Vec<String>)>, D::Error> {
    let v = Value::deserialize(d)?;
    let Value::Mapping(m) = v else {
        return Ok(Vec::new());
    };
    Ok(m.iter()
        .filter_map(|(k, v)| {
            let forbidden = match v {
                Value::Sequence(items) => items.iter().filter_map(to_text).collect(),
                other => to_text(other).into_iter().collect(),
            };
            Some((to_text(k)?, forbidden))
        })
        .collect())
}
