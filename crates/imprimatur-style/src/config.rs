//! The `[style]` section of `imprimatur.toml`: which packs run for which language, level
//! overrides, the house form of address and gender convention, and vocabularies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Level;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleConfig {
    /// Packs (folders under `styleguides/`) that check German documents.
    #[serde(default = "default_packs_de")]
    pub packs: Vec<String>,
    /// Packs that check English documents.
    #[serde(default = "default_packs_en")]
    pub packs_en: Vec<String>,
    /// Findings below this level are not reported (Vale's `MinAlertLevel`).
    #[serde(default = "default_min_level")]
    pub min_level: Level,
    /// How readers are addressed: rules with `when: {address: …}` run only for this form.
    #[serde(default)]
    pub address: AddressForm,
    /// The house gender convention: rules with `when: {gender: …}` run only for this one.
    #[serde(default)]
    pub gender: GenderConvention,
    /// Vocabularies (`styleguides/config/vocabularies/NAME/accept.txt`, `reject.txt`).
    #[serde(default)]
    pub vocab: Vec<String>,
    /// Per-rule overrides: `"Pack.Rule" = "error" | "warning" | "suggestion" | "off"`.
    #[serde(default)]
    pub levels: BTreeMap<String, LevelSetting>,
}

impl Default for StyleConfig {
    fn default() -> Self {
        StyleConfig {
            packs: default_packs_de(),
            packs_en: default_packs_en(),
            min_level: default_min_level(),
            address: AddressForm::default(),
            gender: GenderConvention::default(),
            vocab: Vec::new(),
            levels: BTreeMap::new(),
        }
    }
}

fn default_packs_de() -> Vec<String> {
    vec![
        "Klartext".into(),
        "Typografie".into(),
        "Rechtschreibung".into(),
    ]
}
fn default_packs_en() -> Vec<String> {
    vec!["PlainEnglish".into()]
}
fn default_min_level() -> Level {
    Level::Suggestion
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressForm {
    #[default]
    Sie,
    Du,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GenderConvention {
    /// Kund:innen
    #[default]
    Colon,
    /// Kund*innen
    Star,
    /// Kundinnen und Kunden
    Pair,
    /// Kundschaft, Mitarbeitende
    Neutral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LevelSetting {
    Error,
    Warning,
    Suggestion,
    Off,
}

impl AddressForm {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressForm::Sie => "sie",
            AddressForm::Du => "du",
        }
    }
}

impl GenderConvention {
    pub fn as_str(self) -> &'static str {
        match self {
            GenderConvention::Colon => "colon",
            GenderConvention::Star => "star",
            GenderConvention::Pair => "pair",
            GenderConvention::Neutral => "neutral",
        }
    }
}
