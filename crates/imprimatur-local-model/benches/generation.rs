//! The embedded model's speed on this machine: prompt tokens per second (one forward
//! pass over the prompt) and generated tokens per second (greedy, one token a pass).

use imprimatur_local_model::{install_llm, EmbeddedModel, InstallOptions};
use imprimatur_model::*;

fn main() {
    let options = InstallOptions::default();
    install_llm(&options).expect("install the bundled model");
    let t = std::time::Instant::now();
    let m = EmbeddedModel::load(&options.target).unwrap();
    println!(
        "SmolLM2-135M-Instruct Q8_0 loaded in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let text =
        "Die Wärmewerk Albtal GmbH versorgt Ettlingen mit Fernwärme aus Holz und Sonne. ".repeat(6);
    let req = ChatRequest {
        model: "smollm2".into(),
        messages: vec![Message::user(format!("Summarise in English: {text}"))],
        params: Params {
            max_tokens: 64,
            temperature: 0.0,
            stop: vec![],
        },
    };
    m.stream(&req, &mut |_| {}, &Cancel::new()).unwrap(); // warm-up
    let mut best_p: f64 = 0.0;
    let mut best_g: f64 = 0.0;
    let mut s = Default::default();
    for _ in 0..3 {
        m.stream(&req, &mut |_| {}, &Cancel::new()).unwrap();
        s = m.last_speed();
        best_p = best_p.max(s.prompt_tokens as f64 / s.prompt_secs);
        best_g = best_g.max(s.generated_tokens as f64 / s.generation_secs);
    }
    println!(
        "embedded model: prompt {:.0} tokens/s ({} tokens), generation {:.1} tokens/s ({} tokens), best of 3",
        best_p, s.prompt_tokens, best_g, s.generated_tokens
    );
}
