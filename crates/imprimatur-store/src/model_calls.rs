//! The `model_calls` table: the cost ledger of language-model calls. Each row pins the
//! price table version and the unit prices it was charged at, so an old month's figures
//! never change when prices do. The full particulars (prompt hash, template, sources,
//! routing reason) go into the audit chain in the same transaction.

use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{StoreResult, Timestamp};

/// What a caller hands in to record one call.
#[derive(Debug, Clone)]
pub struct NewModelCall<'a> {
    pub actor: &'a str,
    /// The document the call was for (its id), if any.
    pub document: Option<&'a str>,
    /// draft | rewrite | fact_check | summary | test
    pub task: &'a str,
    /// The model's name in `[models.providers]`.
    pub model: &'a str,
    /// openai, azure, anthropic, ollama, … embedded.
    pub preset: &'a str,
    /// The provider's own model name.
    pub provider_model: &'a str,
    /// local | cloud
    pub locality: &'a str,
    /// ok | failed | cancelled
    pub outcome: &'a str,
    pub cached: bool,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub tokens_estimated: bool,
    pub price_table: &'a str,
    pub currency: &'a str,
    /// Unit prices per million tokens at the time of the call.
    pub input_price: f64,
    pub output_price: f64,
    pub cost_micros: i64,
    pub latency_ms: u64,
    /// Everything else for the audit entry (never a key, never the prompt's text).
    pub details: serde_json::Value,
}

/// Spending of one model in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ModelCost {
    pub preset: String,
    pub model: String,
    pub locality: String,
    #[ts(type = "number")]
    pub calls: u64,
    #[ts(type = "number")]
    pub cached_calls: u64,
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    /// Millionths of the currency unit.
    #[ts(type = "number")]
    pub cost_micros: i64,
    pub currency: String,
}

/// Spending of one document, all time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentCost {
    pub document: String,
    #[ts(type = "number")]
    pub calls: u64,
    #[ts(type = "number")]
    pub cost_micros: i64,
    pub currency: String,
}

pub(crate) fn insert(
    conn: &Connection,
    call: &NewModelCall<'_>,
    audit_seq: u64,
    now: Timestamp,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO model_calls (at, actor, document, task, model, preset, provider_model,
             locality, outcome, cached, input_tokens, output_tokens, tokens_estimated,
             price_table, currency, input_price, output_price, cost_micros, latency_ms, audit_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        params![
            now.0,
            call.actor,
            call.document,
            call.task,
            call.model,
            call.preset,
            call.provider_model,
            call.locality,
            call.outcome,
            call.cached,
            call.input_tokens,
            call.output_tokens,
            call.tokens_estimated,
            call.price_table,
            call.currency,
            call.input_price,
            call.output_price,
            call.cost_micros,
            call.latency_ms as i64,
            audit_seq as i64,
        ],
    )?;
    Ok(())
}

/// Cloud spending in `[from, to)`, in micros.
pub(crate) fn cloud_spend(conn: &Connection, from: Timestamp, to: Timestamp) -> StoreResult<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(cost_micros), 0) FROM model_calls
         WHERE locality = 'cloud' AND at >= ?1 AND at < ?2",
        params![from.0, to.0],
        |r| r.get(0),
    )?)
}

/// Cloud spending for `document`, all time, in micros.
pub(crate) fn document_spend(conn: &Connection, document: &str) -> StoreResult<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(cost_micros), 0) FROM model_calls
         WHERE locality = 'cloud' AND document = ?1",
        params![document],
        |r| r.get(0),
    )?)
}

fn cost_row(r: &Row<'_>) -> rusqlite::Result<ModelCost> {
    Ok(ModelCost {
        preset: r.get(0)?,
        model: r.get(1)?,
        locality: r.get(2)?,
        calls: r.get::<_, i64>(3)? as u64,
        cached_calls: r.get::<_, i64>(4)? as u64,
        input_tokens: r.get::<_, i64>(5)? as u64,
        output_tokens: r.get::<_, i64>(6)? as u64,
        cost_micros: r.get(7)?,
        currency: r.get(8)?,
    })
}

/// Spending per provider and model in `[from, to)`, dearest first.
pub(crate) fn costs(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<ModelCost>> {
    let mut stmt = conn.prepare(
        "SELECT preset, provider_model, locality, count(*), sum(cached),
                sum(input_tokens), sum(output_tokens), sum(cost_micros), currency
         FROM model_calls WHERE at >= ?1 AND at < ?2
         GROUP BY preset, provider_model, locality, currency
         ORDER BY sum(cost_micros) DESC, preset, provider_model",
    )?;
    let rows = stmt.query_map(params![from.0, to.0], cost_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Spending per document in `[from, to)`, dearest first.
pub(crate) fn document_costs(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<DocumentCost>> {
    let mut stmt = conn.prepare(
        "SELECT document, count(*), sum(cost_micros), currency
         FROM model_calls WHERE document IS NOT NULL AND at >= ?1 AND at < ?2
         GROUP BY document, currency ORDER BY sum(cost_micros) DESC, document",
    )?;
    let rows = stmt.query_map(params![from.0, to.0], |r| {
        Ok(DocumentCost {
            document: r.get(0)?,
            calls: r.get::<_, i64>(1)? as u64,
            cost_micros: r.get(2)?,
            currency: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
