//! The brief templates in `templates/briefs/`: every kind in German and English, all
//! fields of the issue, the same keys in both languages, and a brief made from each
//! validates once the required fields are filled in.

use std::collections::BTreeMap;
use std::path::PathBuf;

use imprimatur_draft::{Brief, BriefTemplate};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../templates/briefs")
}

const FIELDS: [&str; 13] = [
    "goal",
    "audience",
    "search_intent",
    "keyphrase",
    "synonyms",
    "entities",
    "required_sources",
    "tone",
    "address_form",
    "length_words",
    "call_to_action",
    "deadline",
    "confidential",
];

#[test]
fn every_kind_in_both_languages_with_every_field() {
    let templates = BriefTemplate::load_dir(&dir()).unwrap();
    let by_lang = |lang: &str| -> BTreeMap<String, &BriefTemplate> {
        templates
            .iter()
            .filter(|t| t.lang.as_str() == lang)
            .map(|t| {
                (
                    t.fields
                        .iter()
                        .map(|f| f.key.clone())
                        .collect::<Vec<_>>()
                        .join(","),
                    t,
                )
            })
            .collect()
    };
    assert_eq!(templates.len(), 10, "5 kinds × de/en");
    for t in &templates {
        for f in FIELDS {
            assert!(
                t.fields.iter().any(|x| x.key == f),
                "{} ({}) lacks {f}",
                t.id,
                t.lang.as_str()
            );
        }
        for f in &t.fields {
            assert!(
                !f.label.is_empty() && f.help.is_some(),
                "{}.{}",
                t.id,
                f.key
            );
            if f.kind == "enum" {
                let d = f.default.as_ref().and_then(|d| d.as_str());
                assert!(
                    d.is_none_or(|d| f.options.iter().any(|o| o == d)),
                    "{}.{}",
                    t.id,
                    f.key
                );
            }
        }
    }
    // Each German template has an English twin with the same fields in the same order.
    let (de, en) = (by_lang("de"), by_lang("en"));
    assert_eq!(de.len(), 5);
    assert_eq!(
        de.keys().collect::<Vec<_>>(),
        en.keys().collect::<Vec<_>>(),
        "same field lists in German and English"
    );
}

#[test]
fn a_brief_from_a_template_reports_missing_required_fields_by_key() {
    for t in BriefTemplate::load_dir(&dir()).unwrap() {
        let mut brief = Brief::from_template(&t);
        assert_eq!(brief.template, t.id);
        let problems = brief.validate_with(&t);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert!(
            fields.contains(&"goal") && fields.contains(&"audience"),
            "{}: {fields:?}",
            t.id
        );
        // Fill in every required field; then nothing is missing.
        brief.goal = "Leser:innen verstehen die Förderung.".into();
        brief.audience = "Eigentümer:innen von Einfamilienhäusern".into();
        brief.keyphrase = "Wärmepumpe Förderung".into();
        brief.required_sources = vec!["knowledge/foerderung.html".into()];
        brief.call_to_action = "Beratung vereinbaren".into();
        for f in t
            .fields
            .iter()
            .filter(|f| f.required && !Brief::is_common_key(&f.key))
        {
            brief.extra.insert(
                f.key.clone(),
                serde_json::json!(["Wert"]).get(0).cloned().unwrap(),
            );
        }
        let problems = brief.validate_with(&t);
        assert!(problems.is_empty(), "{}: {problems:?}", t.id);
        // And the brief survives its own file format.
        let again = Brief::from_toml(&brief.to_toml()).unwrap();
        assert_eq!(again, brief, "{}", t.id);
    }
}

#[test]
fn the_brief_compiles_into_check_settings() {
    let brief = Brief::from_toml(
        r#"
template = "blogartikel"
lang = "de"
goal = "Kosten erklären"
audience = "Hausbesitzer:innen"
keyphrase = "Wärmepumpe Kosten"
synonyms = ["Preis Wärmepumpe"]
required_sources = ["knowledge/preisliste-2026.md"]
tone = "sachlich"
address_form = "du"
length_words = 500
deadline = 2026-12-01
confidential = true
"#,
    )
    .unwrap();
    assert!(brief.validate().is_empty(), "{:?}", brief.validate());
    assert_eq!(brief.deadline.as_deref(), Some("2026-12-01"));
    let s = brief.compile();
    assert_eq!(s.seo.keyphrase, "Wärmepumpe Kosten");
    assert_eq!((s.seo.min_words, s.seo.max_words), (400, 600));
    assert_eq!(s.style.address_form.as_str(), "du");
    assert_eq!(s.facts.required_sources, ["knowledge/preisliste-2026.md"]);
    assert!(brief.confidential);
}

#[test]
fn wrong_values_name_their_field() {
    let err = Brief::from_toml("length_words = \"viele\"").unwrap_err();
    assert!(err.to_string().contains("length_words"), "{err}");
    let err = Brief::from_toml("address_form = \"ihr\"").unwrap_err();
    assert!(err.to_string().contains("address_form"), "{err}");
    let b = Brief::from_toml(
        "deadline = \"morgen\"\ngoal = \"x\"\naudience = \"y\"\nlength_words = 100",
    )
    .unwrap();
    assert_eq!(b.validate()[0].field, "deadline");
    // Front matter works as well as TOML.
    let b = Brief::from_front_matter(
        "---\ngoal: Ziel\naudience: Leute\nlength_words: 120\nkeyphrase: Test\n---\n# Notizen\n",
    )
    .unwrap();
    assert!(b.validate().is_empty());
    assert_eq!(b.length_words, 120);
}
