//! Style and brand-voice checks. Rules are data: Vale-compatible YAML files in packs
//! (`styleguides/<Pack>/<Rule>.yml`), compiled once into a [`StyleEngine`] whose
//! combined prefilter (one `RegexSet` per text view) decides which rules can match a
//! document at all, so a check costs one pass plus the few rules that hit.
//!
//! A check is a pure function: [`check`] of a parsed [`Document`] and an engine.

mod config;
mod engine;
mod error;
mod metric;
mod pattern;
mod rule;
mod spec;
pub mod vale_ini;

pub use config::{AddressForm, GenderConvention, LevelSetting, StyleConfig};
pub use engine::{check, LoadWarning, RuleInfo, StyleEngine, Vocabulary};
pub use error::StyleError;
pub use rule::{compile_rule, load_pack, validate_rule, NotRun, Pack, Rule, RuleKind};

use imprimatur_check::Severity;
use serde::{Deserialize, Serialize};

/// A rule's level, as Vale names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Suggestion,
    Warning,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "suggestion" => Some(Level::Suggestion),
            "warning" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Suggestion => "suggestion",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Level::Suggestion => Severity::Suggestion,
            Level::Warning => Severity::Warning,
            Level::Error => Severity::Error,
        }
    }
}
