//! Which findings block approval and publishing, from the `[workflow]` section of
//! imprimatur.toml: contradicted facts, error-level style findings, and duplicates above
//! the coverage threshold.

use imprimatur_check::{CheckKind, Finding, Severity};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ReviewError, ReviewResult};

/// The gates of the `[workflow]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Gates {
    /// Error-level style findings block (`block_style_errors`, default true).
    pub block_style_errors: bool,
    /// A duplicate finding blocks when the share of this text found in another text is at
    /// least this (`duplicate_coverage`, 0..1, default 0.5); error-level duplicates always block.
    pub duplicate_coverage: f64,
}

impl Default for Gates {
    fn default() -> Self {
        Gates {
            block_style_errors: true,
            duplicate_coverage: 0.5,
        }
    }
}

impl Gates {
    /// Reads the `[workflow]` table; an unknown key or a wrong type is an error naming it.
    pub fn from_table(table: Option<&toml::Table>) -> ReviewResult<Gates> {
        let mut gates = Gates::default();
        let Some(table) = table else {
            return Ok(gates);
        };
        for (key, value) in table {
            match key.as_str() {
                "block_style_errors" => {
                    gates.block_style_errors = value.as_bool().ok_or_else(|| {
                        ReviewError::Settings(format!(
                            "workflow.block_style_errors must be true or false, not {value}"
                        ))
                    })?
                }
                "duplicate_coverage" => {
                    let v = value
                        .as_float()
                        .or_else(|| value.as_integer().map(|i| i as f64))
                        .filter(|v| (0.0..=1.0).contains(v))
                        .ok_or_else(|| {
                            ReviewError::Settings(format!(
                                "workflow.duplicate_coverage must be a number from 0 to 1, not {value}"
                            ))
                        })?;
                    gates.duplicate_coverage = v;
                }
                other => {
                    return Err(ReviewError::Settings(format!(
                        "unknown key workflow.{other}; known keys: block_style_errors, duplicate_coverage"
                    )))
                }
            }
        }
        Ok(gates)
    }

    /// Whether `f` must be resolved or waived before approval and publishing.
    pub fn blocks(&self, f: &Finding) -> bool {
        if f.code == "facts.contradicted" {
            return true;
        }
        match f.check {
            CheckKind::Style => self.block_style_errors && f.severity == Severity::Error,
            CheckKind::Duplicates => {
                let coverage = f
                    .evidence
                    .as_ref()
                    .and_then(|e| e.get("coverage"))
                    .and_then(|c| c.as_f64());
                f.severity == Severity::Error
                    || (f.code != "dup.same_topic"
                        && coverage.is_some_and(|c| c >= self.duplicate_coverage))
            }
            _ => false,
        }
    }
}
