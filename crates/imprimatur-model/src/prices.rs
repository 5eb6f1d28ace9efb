//! Versioned price tables shipped in the repository (`prices/YYYY-MM.toml`). A call is
//! priced with the newest table and the record keeps its version and unit prices.

use serde::Deserialize;

use crate::config::Preset;
use crate::error::{ModelError, ModelResult};
use crate::provider::Usage;

/// Every shipped table, oldest first. Append; never change a shipped one.
const TABLES: &[(&str, &str)] = &[("2026-11", include_str!("../prices/2026-11.toml"))];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    pub version: String,
    pub currency: String,
    #[serde(default)]
    local: Vec<LocalPresets>,
    #[serde(default, rename = "price")]
    prices: Vec<PriceRow>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalPresets {
    presets: Vec<Preset>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceRow {
    preset: Preset,
    model: String,
    input: f64,
    output: f64,
}

/// Unit prices per million tokens, in the table's currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

impl Price {
    pub const FREE: Price = Price {
        input: 0.0,
        output: 0.0,
    };

    /// The cost in millionths of the currency unit (integers, so sums are exact).
    pub fn cost_micros(&self, usage: &Usage) -> i64 {
        (usage.input_tokens as f64 * self.input + usage.output_tokens as f64 * self.output).round()
            as i64
    }
}

impl PriceTable {
    pub fn parse(version: &str, text: &str) -> ModelResult<PriceTable> {
        let t: PriceTable = toml::from_str(text).map_err(|e| ModelError::Prices {
            file: format!("prices/{version}.toml"),
            message: e.message().trim().to_string(),
        })?;
        if t.version != version {
            return Err(ModelError::Prices {
                file: format!("prices/{version}.toml"),
                message: format!("says version {:?}", t.version),
            });
        }
        Ok(t)
    }

    /// The newest shipped table.
    pub fn current() -> PriceTable {
        let (v, text) = TABLES.last().expect("at least one price table");
        PriceTable::parse(v, text).expect("shipped price tables parse (tested)")
    }

    pub fn versions() -> Vec<&'static str> {
        TABLES.iter().map(|(v, _)| *v).collect()
    }

    pub fn bundled(version: &str) -> Option<PriceTable> {
        TABLES
            .iter()
            .find(|(v, _)| *v == version)
            .and_then(|(v, t)| PriceTable::parse(v, t).ok())
    }

    /// The price of `model` at `preset`; `None` when the table does not know it.
    /// Exact model names first, then the longest listed name the model starts with
    /// (`gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`).
    pub fn price(&self, preset: Preset, model: &str) -> Option<Price> {
        if self.local.iter().any(|l| l.presets.contains(&preset)) {
            return Some(Price::FREE);
        }
        let rows = self.prices.iter().filter(|r| r.preset == preset);
        let best = rows
            .filter(|r| model == r.model || model.starts_with(&format!("{}-", r.model)))
            .max_by_key(|r| r.model.len())?;
        Some(Price {
            input: best.input,
            output: best.output,
        })
    }
}

/// Formats micros as money: `0.001234 USD` style with 4 decimals (costs are small).
pub fn format_money(micros: i64, currency: &str) -> String {
    format!("{:.4} {currency}", micros as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_table_parses_and_prices_its_models() {
        for v in PriceTable::versions() {
            let t = PriceTable::bundled(v).expect("parses");
            assert!(!t.prices.is_empty());
        }
        let t = PriceTable::current();
        let p = t.price(Preset::Openai, "gpt-4o-mini-2024-07-18").unwrap();
        assert_eq!(p.input, 0.15);
        // gpt-4o must not be taken for gpt-4o-mini's price or the other way round
        assert_eq!(t.price(Preset::Openai, "gpt-4o").unwrap().input, 2.50);
        assert_eq!(t.price(Preset::Ollama, "anything"), Some(Price::FREE));
        assert_eq!(t.price(Preset::Openai, "unknown-model"), None);
        let usage = Usage {
            input_tokens: 1_000,
            output_tokens: 500,
            estimated: false,
        };
        // 1000 × 0.15 + 500 × 0.60 = 450 micro-dollars
        assert_eq!(p.cost_micros(&usage), 450);
    }
}
