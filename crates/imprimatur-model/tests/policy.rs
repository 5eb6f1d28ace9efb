//! The routing policy as data: confidential text never reaches a cloud endpoint (shown by
//! what the endpoint received), routes by task and tier, PII masked and restored or kept
//! local, budgets that block, and the response cache.
//!
//! The "cloud" and "local" endpoints are real HTTP servers on loopback that play the
//! OpenAI wire format (PROTOCOL STAND-INS: the cloud is unreachable here).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use imprimatur_model::*;
use imprimatur_store::{NewModelCall, Store, Timestamp};

const NOW: Timestamp = Timestamp(1_795_501_105_000); // 2026-11-24
const SECRET: &str = "Projekt Albtal-Speicher: Übernahme der Stadtwerke Bruchsal am 3. März";

/// An OpenAI-compatible server that answers with what it was asked, so a test sees
/// both what arrived and what came back.
fn echo_server() -> Server {
    Server::start(|_, req| {
        let said = last_user(req);
        let p = pieces(&format!("Antwort: {said}"), 3);
        let p: Vec<&str> = p.iter().map(String::as_str).collect();
        Reply::Sse {
            events: openai_events(&p, Some((20, 10))),
            delay: Duration::ZERO,
        }
    })
}

fn config(cloud: &Server, local: &Server, extra: &str) -> String {
    format!(
        r#"default = ["cloud", "local"]
{extra}
[providers.cloud]
preset = "openai"
model = "gpt-4o-mini"
key = "openai"
base_url = "{}/v1"
tier = "cheap"

[providers.premium]
preset = "anthropic"
model = "claude-opus-4-0"
key = "openai"
base_url = "{}"
tier = "premium"

[providers.local]
preset = "vllm"
model = "qwen2.5-7b-instruct"
base_url = "{}/v1"
"#,
        cloud.url, cloud.url, local.url
    )
}

fn router(toml: &str) -> Router {
    let keys = KeyMap::new();
    keys.insert("openai", Secret::new("sk-test-0123456789"));
    Router::new(ModelsConfig::from_toml(toml).unwrap(), Arc::new(keys))
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("s.db")).unwrap();
    (dir, s)
}

fn ask(text: &str, confidential: bool) -> Ask {
    let mut a = Ask::new(Task::Draft, vec![Message::user(text)], "anna");
    a.confidential = confidential;
    a.document = Some("doc-7".into());
    a
}

fn call(r: &Router, store: &mut Store, a: &Ask) -> (Result<Answer, ModelError>, String) {
    let mut shown = String::new();
    let res = r.ask(
        store,
        a,
        NOW,
        &mut |e| match e {
            Event::Delta(t) => shown.push_str(t),
            Event::Discard { .. } => shown.clear(),
        },
        &Cancel::new(),
    );
    (res, shown)
}

fn received_text(s: &Server) -> String {
    s.received()
        .iter()
        .map(|r| r.body.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn confidential_text_never_arrives_at_a_cloud_endpoint() {
    let cloud = echo_server();
    let local = echo_server();
    // A careless route that puts the cloud model first even for confidential documents.
    let toml = config(
        &cloud,
        &local,
        "[[routes]]\nconfidential = true\nchain = [\"cloud\", \"premium\", \"local\"]\n",
    );
    let r = router(&toml);
    let (_d, mut store) = store();

    // Routed: the gate refuses both cloud models, the local one answers.
    let (res, shown) = call(&r, &mut store, &ask(SECRET, true));
    let a = res.unwrap();
    assert_eq!(a.model, "local");
    assert_eq!(a.locality, "local");
    assert_eq!(shown, format!("Antwort: {SECRET}"));
    assert!(
        a.decisions
            .iter()
            .any(|d| d.starts_with("refused cloud: the document is confidential")),
        "{:?}",
        a.decisions
    );
    assert!(
        a.decisions.iter().any(|d| d.starts_with("refused premium")),
        "{:?}",
        a.decisions
    );

    // Asked by name: refused too, with a clear message.
    let mut named = ask(SECRET, true);
    named.model = Some("cloud".into());
    let err = call(&r, &mut store, &named).0.unwrap_err();
    assert_eq!(err.code(), "model_refused");
    assert!(err.to_string().contains("confidential"), "{err}");

    // What the cloud endpoint received: nothing at all.
    println!(
        "cloud endpoint received {} requests",
        cloud.received().len()
    );
    assert!(cloud.received().is_empty());
    assert!(!received_text(&cloud).contains("Albtal-Speicher"));
    assert!(received_text(&local).contains("Albtal-Speicher"));

    // The same text without the flag does go to the cloud: the test can fail.
    let a = call(&r, &mut store, &ask(SECRET, false)).0.unwrap();
    assert_eq!(a.model, "cloud");
    assert!(received_text(&cloud).contains("Albtal-Speicher"));

    // Every decision is on record with its reason.
    let log = store.audit_log(0, 50).unwrap();
    let first = log.iter().find(|e| e.action == "model.call").unwrap();
    assert!(
        first
            .details
            .contains("refused cloud: the document is confidential"),
        "{}",
        first.details
    );
}

#[test]
fn a_hosted_service_cannot_be_declared_local() {
    let err = ModelsConfig::from_toml(
        "[providers.x]\npreset = \"openai\"\nmodel = \"gpt-4o\"\nkey = \"k\"\nlocality = \"local\"\n",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("cannot be declared local"),
        "{err}"
    );
    // A local server on a public host is cloud unless the file says otherwise.
    let c = ModelsConfig::from_toml(
        "[providers.x]\npreset = \"ollama\"\nmodel = \"m\"\nbase_url = \"https://llm.example.com/v1\"\n\
         [providers.y]\npreset = \"ollama\"\nmodel = \"m\"\nbase_url = \"http://192.168.1.20:11434/v1\"\n",
    )
    .unwrap();
    assert_eq!(c.providers["x"].locality(), Locality::Cloud);
    assert_eq!(c.providers["y"].locality(), Locality::Local);
}

#[test]
fn routes_choose_by_task_and_tier() {
    let cloud = echo_server();
    let local = echo_server();
    let toml = config(
        &cloud,
        &local,
        r#"[[routes]]
task = "summary"
chain = ["local"]
[[routes]]
task = "fact_check"
max_tier = "cheap"
chain = ["premium", "cloud", "local"]
"#,
    );
    let r = router(&toml);
    let (_d, mut store) = store();
    let mut a = ask("Fasse zusammen: Fernwärme.", false);
    a.task = Task::Summary;
    let ans = call(&r, &mut store, &a).0.unwrap();
    assert_eq!(ans.model, "local");
    assert!(
        ans.decisions[0].starts_with("route 1 (task summary"),
        "{:?}",
        ans.decisions
    );

    a.task = Task::FactCheck;
    let ans = call(&r, &mut store, &a).0.unwrap();
    assert_eq!(ans.model, "cloud");
    assert!(ans
        .decisions
        .iter()
        .any(|d| d.contains("skipped premium: tier premium is above the route's max_tier cheap")));

    a.task = Task::Draft;
    let ans = call(&r, &mut store, &a).0.unwrap();
    assert!(
        ans.decisions[0].starts_with("no route for task draft: default chain"),
        "{:?}",
        ans.decisions
    );
}

#[test]
fn pii_is_masked_for_the_cloud_and_restored_in_the_streamed_answer() {
    let cloud = echo_server();
    let local = echo_server();
    let r = router(&config(&cloud, &local, "pii = \"mask\""));
    let (_d, mut store) = store();
    let text = "Bitte an Frau Petra Schneider schreiben: petra.schneider@waermewerk-albtal.de, \
                Tel. +49 721 1234567, IBAN DE89 3704 0044 0532 0130 00, \
                Anschrift Rheinstraße 12, 76185 Karlsruhe.";
    let (res, shown) = call(&r, &mut store, &ask(text, false));
    let a = res.unwrap();
    assert_eq!(a.model, "cloud");
    let sent = last_user(&cloud.received()[0]);
    println!("sent to the cloud: {sent}");
    for value in [
        "Petra Schneider",
        "petra.schneider@",
        "1234567",
        "DE89",
        "Rheinstraße",
        "76185",
    ] {
        assert!(!sent.contains(value), "{value} reached the cloud: {sent}");
    }
    for placeholder in [
        "[NAME_1]",
        "[EMAIL_1]",
        "[PHONE_1]",
        "[IBAN_1]",
        "[ADDRESS_1]",
    ] {
        assert!(sent.contains(placeholder), "{placeholder} missing: {sent}");
    }
    // The echo came back in 3-character pieces, splitting placeholders; both the stream
    // and the answer show the original values.
    assert_eq!(a.text, format!("Antwort: {text}"));
    assert_eq!(shown, a.text);
    assert_eq!(a.masked, vec!["ADDRESS", "EMAIL", "IBAN", "NAME", "PHONE"]);
}

#[test]
fn pii_stays_local_when_the_policy_says_so() {
    let cloud = echo_server();
    let local = echo_server();
    let r = router(&config(&cloud, &local, "pii = \"local\""));
    let (_d, mut store) = store();
    let a = call(
        &r,
        &mut store,
        &ask("Rückruf an 0721 98765-43 bitte.", false),
    )
    .0
    .unwrap();
    assert_eq!(a.model, "local");
    assert!(a
        .decisions
        .iter()
        .any(|d| d.contains("personal data and pii = \"local\"")));
    assert!(cloud.received().is_empty());
    // Without PII the cloud model answers.
    let a = call(&r, &mut store, &ask("Was ist Fernwärme?", false))
        .0
        .unwrap();
    assert_eq!(a.model, "cloud");
}

fn spent(store: &mut Store, document: Option<&str>, micros: i64) {
    store
        .record_model_call(
            &NewModelCall {
                actor: "anna",
                document,
                task: "draft",
                model: "cloud",
                preset: "openai",
                provider_model: "gpt-4o-mini",
                locality: "cloud",
                outcome: "ok",
                cached: false,
                input_tokens: 1,
                output_tokens: 1,
                tokens_estimated: false,
                price_table: "2026-11",
                currency: "USD",
                input_price: 0.15,
                output_price: 0.6,
                cost_micros: micros,
                latency_ms: 1,
                details: serde_json::json!({}),
            },
            NOW,
        )
        .unwrap();
}

#[test]
fn budgets_block_further_cloud_calls_with_a_clear_message() {
    let cloud = echo_server();
    let local = echo_server();
    let (_d, mut store) = store();

    // Monthly cap: 0.50 USD. Spent 0.50 this month → cloud models are skipped.
    let only_cloud = format!(
        "default = [\"cloud\"]\n[budget]\nmonthly = 0.5\n[providers.cloud]\npreset = \"openai\"\nmodel = \"gpt-4o-mini\"\nkey = \"openai\"\nbase_url = \"{}/v1\"\n",
        cloud.url
    );
    let r = router(&only_cloud);
    assert_eq!(
        call(&r, &mut store, &ask("Hallo", false)).0.unwrap().model,
        "cloud"
    );
    spent(&mut store, None, 500_000);
    let err = call(&r, &mut store, &ask("Hallo", false)).0.unwrap_err();
    assert_eq!(err.code(), "model_budget");
    let msg = err.to_string();
    assert!(
        msg.contains("monthly budget of 0.5000 USD is spent")
            && msg.contains("Raise [models.budget]"),
        "{msg}"
    );
    assert_eq!(cloud.received().len(), 1);

    // Per-document cap: another document still may; with a local model in the chain, it answers.
    let toml = config(&cloud, &local, "[budget]\nper_document = 0.1\n");
    let r = router(&toml);
    let (_d2, mut store) = self::store();
    spent(&mut store, Some("doc-7"), 100_000);
    let a = call(&r, &mut store, &ask("Hallo", false)).0.unwrap();
    assert_eq!(a.model, "local");
    assert!(
        a.decisions
            .iter()
            .any(|d| d.contains("budget of 0.1000 USD for document doc-7 is spent")),
        "{:?}",
        a.decisions
    );
    let mut other = ask("Hallo", false);
    other.document = Some("doc-8".into());
    assert_eq!(call(&r, &mut store, &other).0.unwrap().model, "cloud");
}

#[test]
fn the_cache_answers_the_same_request_once() {
    let cloud = echo_server();
    let local = echo_server();
    let dir = tempfile::tempdir().unwrap();
    let r = router(&config(&cloud, &local, ""))
        .with_cache(&dir.path().join("cache.db"))
        .unwrap();
    let (_d, mut store) = store();
    let first = call(&r, &mut store, &ask("Was ist Fernwärme?", false))
        .0
        .unwrap();
    assert!(!first.cached);
    assert!(first.cost_micros > 0);
    let (res, shown) = call(&r, &mut store, &ask("Was ist Fernwärme?", false));
    let second = res.unwrap();
    assert!(second.cached);
    assert_eq!(second.text, first.text);
    assert_eq!(shown, first.text);
    assert_eq!(second.cost_micros, 0);
    assert_eq!(cloud.received().len(), 1);
    // other parameters, other answer
    let mut warmer = ask("Was ist Fernwärme?", false);
    warmer.params.temperature = 0.9;
    assert!(!call(&r, &mut store, &warmer).0.unwrap().cached);
    assert_eq!(cloud.received().len(), 2);
    let (from, to) = imprimatur_model::ledger::month_of(NOW);
    let costs = store.model_costs(from, to).unwrap();
    assert_eq!(costs[0].calls, 3);
    assert_eq!(costs[0].cached_calls, 1);
}
