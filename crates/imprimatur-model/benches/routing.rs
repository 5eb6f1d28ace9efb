//! Prints the model layer's own overhead: routing (plan + the PII scan of the prompt),
//! and the latency of an answer from the response cache, end to end through
//! `Router::ask` including its ledger row and audit entry. Targets: routing under 1 ms,
//! a cache hit under 5 ms. The embedded model's tokens per second are printed by
//! imprimatur-local-model's bench when that crate is built.
//!
//! The endpoint that fills the cache is a local server playing the OpenAI wire format
//! (a protocol stand-in; the cloud is unreachable here).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use imprimatur_model::*;
use imprimatur_store::{Store, Timestamp};

fn config(url: &str) -> String {
    let mut t = String::from("default = [\"m0\", \"m1\"]\npii = \"mask\"\n[budget]\nmonthly = 50.0\nper_document = 5.0\n");
    for i in 0..10 {
        let (preset, key) = if i % 2 == 0 {
            ("openai", "key = \"openai\"\n")
        } else {
            ("ollama", "")
        };
        t.push_str(&format!(
            "[providers.m{i}]\npreset = \"{preset}\"\nmodel = \"gpt-4o-mini\"\nbase_url = \"{url}/v1\"\n{key}"
        ));
    }
    for (i, task) in ["draft", "rewrite", "fact_check", "summary"]
        .iter()
        .cycle()
        .take(20)
        .enumerate()
    {
        t.push_str(&format!(
            "[[routes]]\ntask = \"{task}\"\nconfidential = {}\nchain = [\"m{}\", \"m{}\", \"m{}\"]\n",
            i % 3 == 0,
            i % 10,
            (i + 1) % 10,
            (i + 3) % 10
        ));
    }
    t
}

fn prompt() -> String {
    let para = "Die Wärmewerk Albtal GmbH versorgt seit 2019 rund 3.500 Haushalte in Ettlingen \
                mit Fernwärme aus Holzhackschnitzeln und Solarthermie. Ansprechpartnerin ist \
                Frau Petra Schneider, erreichbar unter petra.schneider@waermewerk-albtal.de. ";
    para.repeat(2000 / para.len() + 1)
}

fn main() {
    println!("protocol stand-in: a local server plays OpenAI's chat completions SSE");
    let server = Server::start(|_, _| Reply::Sse {
        events: openai_events(&["Fernwärme ", "ist ", "lokal."], Some((400, 3))),
        delay: Duration::ZERO,
    });
    let keys = KeyMap::new();
    keys.insert("openai", Secret::new("sk-bench"));
    let dir = tempfile::tempdir().unwrap();
    let router = Router::new(
        ModelsConfig::from_toml(&config(&server.url)).unwrap(),
        Arc::new(keys),
    )
    .with_cache(&dir.path().join("cache.db"))
    .unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let text = prompt();
    let mut ask = Ask::new(Task::Summary, vec![Message::user(text.clone())], "bench");
    ask.document = Some("doc-bench".into());

    // Routing: the PII scan of a 2,000-character prompt and the plan over 20 routes.
    let n = 2_000;
    let t = Instant::now();
    for _ in 0..n {
        let has_pii = !pii::detect(&text).is_empty();
        let plan = router.plan(&ask, has_pii, Spend::default()).unwrap();
        std::hint::black_box(plan);
    }
    let routing = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(router.plan(&ask, true, Spend::default()).unwrap());
    }
    let plan_only = t.elapsed() / n;
    println!(
        "routing overhead: {:.3} ms per call (plan over 20 routes {:.1} µs + PII scan of {} characters) — target < 1 ms",
        routing.as_secs_f64() * 1e3,
        plan_only.as_secs_f64() * 1e6,
        text.chars().count()
    );

    // Cache hits, end to end: plan, PII masking, cache lookup, restore, ledger + audit write.
    let now = Timestamp(1_795_501_105_000);
    let first = router
        .ask(&mut store, &ask, now, &mut |_| {}, &Cancel::new())
        .unwrap();
    assert!(!first.cached);
    let n = 200;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let a = router
            .ask(
                &mut store,
                &ask,
                Timestamp(now.0 + i as i64),
                &mut |_| {},
                &Cancel::new(),
            )
            .unwrap();
        times.push(t.elapsed());
        assert!(a.cached);
    }
    times.sort();
    let median = times[n / 2];
    let p95 = times[n * 95 / 100];
    println!(
        "cache hit through Router::ask (incl. ledger row and audit entry): median {:.2} ms, p95 {:.2} ms — target < 5 ms",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
    println!(
        "endpoint requests: {} (one fill, then cache)",
        server.received().len()
    );
}
