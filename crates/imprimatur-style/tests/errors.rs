//! Bad rule files fail with errors that say where and how to fix them; packs with
//! `sequence` or `script` rules load with a warning naming the rule.

use std::fs;

use imprimatur_style::{load_pack, validate_rule, StyleConfig, StyleEngine, StyleError};

#[test]
fn invalid_yaml_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("styleguides/Haus");
    fs::create_dir_all(&pack).unwrap();
    fs::write(
        pack.join("Kaputt.yml"),
        "extends: existence\nmessage: x\nlevel: warning\ntokens:\n  - a\n  b: c\n",
    )
    .unwrap();
    let cfg = StyleConfig {
        packs: vec!["Haus".into()],
        packs_en: vec![],
        ..StyleConfig::default()
    };
    let err = StyleEngine::load(dir.path(), &cfg).unwrap_err();
    assert_eq!(err.code(), "style.yaml");
    let msg = err.to_string();
    assert!(msg.contains("Kaputt.yml:6:"), "{msg}");
}

#[test]
fn a_pattern_that_does_not_compile_names_the_rule() {
    let err = validate_rule(
        "Haus",
        "Klammer",
        "extends: existence\nmessage: x\ntokens:\n  - 'ab(c'\n",
    )
    .unwrap_err();
    assert_eq!(err.code(), "style.regex");
    assert!(err.to_string().contains("rule Haus.Klammer"), "{err}");
    assert!(err.to_string().contains("ab(c"), "{err}");
}

#[test]
fn an_unknown_kind_lists_the_known_kinds() {
    let err = validate_rule("Haus", "Neu", "extends: existance\nmessage: x\n").unwrap_err();
    let StyleError::UnknownKind { kind, known, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(kind, "existance");
    for k in [
        "existence",
        "substitution",
        "occurrence",
        "repetition",
        "consistency",
        "conditional",
        "capitalization",
        "metric",
        "spelling",
    ] {
        assert!(known.contains(k), "{known}");
    }
}

#[test]
fn an_unquoted_mapping_in_a_list_is_an_error_not_a_silent_drop() {
    let err = validate_rule(
        "Haus",
        "F",
        "extends: existence\nmessage: x\ntokens:\n  - im Grunde(?: genommen)?\n",
    )
    .unwrap_err();
    assert_eq!(err.code(), "style.yaml");
    assert!(err.to_string().contains("quotes"), "{err}");
}

#[test]
fn sequence_and_script_rules_load_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Folge.yml"),
        "extends: sequence\nmessage: x\ntokens: []\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("Wort.yml"),
        "extends: existence\nmessage: '%s'\ntokens: [foo]\n",
    )
    .unwrap();
    let pack = load_pack(dir.path(), "Haus").unwrap();
    assert_eq!(pack.rules.len(), 1);
    assert_eq!(pack.warnings.len(), 1);
    assert!(
        pack.warnings[0].contains("Haus.Folge"),
        "{:?}",
        pack.warnings
    );
}

#[test]
fn a_missing_pack_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let err = StyleEngine::load(dir.path(), &StyleConfig::default()).unwrap_err();
    assert_eq!(err.code(), "style.pack_not_found");
    assert!(err.to_string().contains("styleguides/Klartext"), "{err}");
}
