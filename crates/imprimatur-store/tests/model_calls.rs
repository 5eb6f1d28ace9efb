//! The cost ledger: each call is a ledger row and an audit entry in one transaction,
//! sums by period, cloud only, per document, and rows that cannot be changed.

use imprimatur_store::*;

fn call<'a>(document: Option<&'a str>, locality: &'a str, cost: i64) -> NewModelCall<'a> {
    NewModelCall {
        actor: "anna",
        document,
        task: "draft",
        model: if locality == "cloud" { "gpt" } else { "local" },
        preset: if locality == "cloud" {
            "openai"
        } else {
            "ollama"
        },
        provider_model: if locality == "cloud" {
            "gpt-4o-mini"
        } else {
            "qwen2.5"
        },
        locality,
        outcome: "ok",
        cached: false,
        input_tokens: 1000,
        output_tokens: 500,
        tokens_estimated: false,
        price_table: "2026-11",
        currency: "USD",
        input_price: 0.15,
        output_price: 0.60,
        cost_micros: cost,
        latency_ms: 12,
        details: serde_json::json!({ "prompt_hash": "abc", "routing": "route 1" }),
    }
}

#[test]
fn calls_are_priced_summed_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let nov = Timestamp(1_793_500_000_000); // 2026-11-01T..
    let dec = Timestamp(nov.0 + 40 * 86_400_000);
    store
        .record_model_call(&call(Some("doc1"), "cloud", 450), nov)
        .unwrap();
    store
        .record_model_call(&call(Some("doc1"), "local", 0), nov)
        .unwrap();
    store
        .record_model_call(&call(Some("doc2"), "cloud", 1000), Timestamp(nov.0 + 1))
        .unwrap();
    let e = store
        .record_model_call(&call(None, "cloud", 7), dec)
        .unwrap();
    assert_eq!(e.action, "model.call");
    assert!(
        e.details.contains("\"prompt_hash\":\"abc\""),
        "{}",
        e.details
    );

    assert_eq!(
        store.model_cloud_spend(nov, Timestamp(nov.0 + 2)).unwrap(),
        1450
    );
    assert_eq!(
        store.model_cloud_spend(nov, Timestamp(dec.0 + 1)).unwrap(),
        1457
    );
    assert_eq!(store.model_document_spend("doc1").unwrap(), 450);
    let costs = store.model_costs(nov, Timestamp(nov.0 + 2)).unwrap();
    assert_eq!(costs.len(), 2);
    assert_eq!(costs[0].preset, "openai");
    assert_eq!(costs[0].calls, 2);
    assert_eq!(costs[0].cost_micros, 1450);
    assert_eq!(costs[1].cost_micros, 0);
    let docs = store.model_document_costs(nov, dec).unwrap();
    assert_eq!(docs[0].document, "doc2");
    assert!(store.verify_audit().unwrap().intact());
}

#[test]
fn the_ledger_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    store
        .record_model_call(&call(None, "cloud", 450), Timestamp(1))
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .execute("UPDATE model_calls SET cost_micros = 0", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM model_calls", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}
