//! Vocabularies (Vale's `Vocab`): accepted terms are exempt from rules and spelling and
//! must be written exactly so (`Vale.Terms`); rejected terms are flagged (`Vale.Avoid`).

use std::fs;
use std::path::Path;

use imprimatur_check::{Document, Lang};
use imprimatur_style::{check, StyleConfig, StyleEngine};

#[test]
fn accepted_terms_are_exempt_and_must_be_written_exactly_so() {
    let dir = tempfile::tempdir().unwrap();
    let styles = dir.path().join("styleguides");
    let vocab = styles.join("config/vocabularies/Marke");
    fs::create_dir_all(&vocab).unwrap();
    fs::write(vocab.join("accept.txt"), "Musterbach\nAlbAir\n").unwrap();
    fs::write(vocab.join("reject.txt"), "Heizpilz\n").unwrap();
    fs::create_dir_all(styles.join("Haus")).unwrap();
    fs::write(
        styles.join("Haus/Gross.yml"),
        "extends: existence\nmessage: \"'%s' ist großgeschrieben.\"\nlevel: warning\nraw:\n  - '\\b[A-Z]\\w+'\n",
    )
    .unwrap();
    let english =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../styleguides/PlainEnglish/Spelling.yml");
    fs::create_dir_all(styles.join("Plain")).unwrap();
    fs::copy(english, styles.join("Plain/Spelling.yml")).unwrap();
    let cfg = StyleConfig {
        packs: vec!["Haus".into()],
        packs_en: vec!["Plain".into()],
        vocab: vec!["Marke".into()],
        ..StyleConfig::default()
    };
    let engine = StyleEngine::load(dir.path(), &cfg).unwrap();

    let doc = Document::parse("Albair aus Musterbach ersetzt den Heizpilz.", Lang::De);
    let found = check(&doc, &engine);
    let codes: Vec<(&str, &str)> = found
        .iter()
        .map(|f| {
            (
                f.code.as_str(),
                &doc.source[f.span.start as usize..f.span.end as usize],
            )
        })
        .collect();
    // "Musterbach" is accepted: the capital-letter rule leaves it alone.
    assert!(!codes.contains(&("Haus.Gross", "Musterbach")), "{codes:?}");
    assert!(codes.contains(&("Haus.Gross", "Heizpilz")), "{codes:?}");
    assert!(codes.contains(&("Vale.Avoid", "Heizpilz")), "{codes:?}");
    let terms = found.iter().find(|f| f.code == "Vale.Terms").unwrap();
    assert_eq!(terms.message.text, "Use 'AlbAir' instead of 'Albair'.");
    assert_eq!(terms.fix.as_ref().unwrap().edits[0].replacement, "AlbAir");

    // Spelling skips accepted words but not misspelled ones.
    let doc = Document::parse("Our office in Musterbach is clsoed.", Lang::En);
    let spelled: Vec<_> = check(&doc, &engine)
        .into_iter()
        .filter(|f| f.code == "Plain.Spelling")
        .map(|f| f.message.text)
        .collect();
    assert_eq!(spelled, ["Did you really mean 'clsoed'?"]);
}
