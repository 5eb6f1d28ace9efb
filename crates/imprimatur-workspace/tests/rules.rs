//! The rule editor's core on a real demo workspace in a temporary folder: listing,
//! levels and on/off in `[style.levels]`, saving YAML (refused with a line number when
//! it does not compile), trying a rule on sample text; every change a revision with an
//! audit entry, and the next check uses it.

use imprimatur_workspace::checks::{CheckKind, Severity};
use imprimatur_workspace::rules::{RuleLevel, RuleListing};
use imprimatur_workspace::store::Timestamp;
use imprimatur_workspace::{Workspace, WorkspaceError};

const SAMPLE: &str = "# Heizen\n\nUnsere Wärmepumpe ist revolutionär und leise.\n";
const RULE: &str = "WaermewerkAlbtal.Werbesprache";

fn t(ms: i64) -> Timestamp {
    Timestamp(1_764_000_000_000 + ms)
}

fn demo() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::create_demo(&dir.path().join("demo"), "anna", t(0)).unwrap();
    (dir, ws)
}

/// Severities of the findings of `code` in the style check of `text`.
fn severities(ws: &Workspace, text: &str, code: &str) -> Vec<Severity> {
    ws.check(text, &[CheckKind::Style])
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.severity)
        .collect()
}

fn entry<'a>(l: &'a RuleListing, code: &str) -> &'a imprimatur_workspace::rules::RuleEntry {
    l.packs
        .iter()
        .flat_map(|p| &p.rules)
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("{code} not listed"))
}

fn audit(ws: &Workspace, action: &str) -> Vec<(String, String, serde_json::Value)> {
    ws.store()
        .audit_log(0, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| {
            (
                e.actor,
                e.subject,
                serde_json::from_str(&e.details).unwrap(),
            )
        })
        .collect()
}

#[test]
fn lists_packs_and_rules_with_their_levels_before_and_after_the_settings() {
    let (_dir, ws) = demo();
    let started = std::time::Instant::now();
    let l = ws.rules().unwrap();
    // A figure, not a limit: the rule editor lists (and compiles) every rule on opening.
    eprintln!(
        "listed {} packs, {} rules in {:.0} ms",
        l.packs.len(),
        l.packs.iter().map(|p| p.rules.len()).sum::<usize>(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let names: Vec<_> = l.packs.iter().map(|p| p.name.as_str()).collect();
    for p in ["WaermewerkAlbtal", "Klartext", "PlainEnglish"] {
        assert!(names.contains(&p), "{names:?}");
    }
    let pack = l.packs.iter().find(|p| p.name == "Klartext").unwrap();
    assert_eq!(pack.languages, ["de"]);
    let r = entry(&l, RULE);
    assert_eq!(r.kind, "existence");
    assert_eq!(
        (r.level, r.effective),
        (RuleLevel::Warning, RuleLevel::Warning)
    );
    assert!(r.active && !r.overridden);
    assert_eq!(r.file, "styleguides/WaermewerkAlbtal/Werbesprache.yml");
    assert!(r.source.contains("revolutionär"), "the YAML is listed");
    assert!(r.message.contains("Werbesprache"));
    // Turned off in the demo's imprimatur.toml.
    let off = entry(&l, "Klartext.Fuellwoerter");
    assert_eq!(off.effective, RuleLevel::Off);
    assert!(off.overridden && !off.active);
    // `when: {address: du}` does not fit the house form (sie).
    let du = entry(&l, "Klartext.AnredeDu");
    assert_eq!(du.condition.as_deref(), Some("address=du"));
    assert!(!du.active);
}

#[test]
fn a_level_change_is_an_audited_revision_of_the_settings_and_the_next_check_uses_it() {
    let (_dir, mut ws) = demo();
    let articles = ws.store().documents().unwrap().len();
    assert_eq!(severities(&ws, SAMPLE, RULE), [Severity::Warning]);

    let r = ws
        .set_rule_level(RULE, RuleLevel::Error, "bea", t(1))
        .unwrap();
    assert_eq!(
        (r.level, r.effective),
        (RuleLevel::Warning, RuleLevel::Error)
    );
    assert!(r.overridden);
    assert_eq!(severities(&ws, SAMPLE, RULE), [Severity::Error]);
    let toml = std::fs::read_to_string(ws.root().join("imprimatur.toml")).unwrap();
    assert!(
        toml.contains("\"WaermewerkAlbtal.Werbesprache\" = \"error\""),
        "{toml}"
    );
    assert!(
        toml.contains("# Stil- und Markenregeln"),
        "comments are kept"
    );
    // Reopening reads the same.
    let reopened = Workspace::open(ws.root()).unwrap();
    assert_eq!(severities(&reopened, SAMPLE, RULE), [Severity::Error]);

    // Off: no finding. On again at the file's level: the override is gone.
    ws.set_rule_level(RULE, RuleLevel::Off, "bea", t(2))
        .unwrap();
    assert!(severities(&ws, SAMPLE, RULE).is_empty());
    let r = ws
        .set_rule_level(RULE, RuleLevel::Warning, "bea", t(3))
        .unwrap();
    assert!(!r.overridden && r.active);
    assert_eq!(severities(&ws, SAMPLE, RULE), [Severity::Warning]);
    let toml = std::fs::read_to_string(ws.root().join("imprimatur.toml")).unwrap();
    assert!(!toml.contains(RULE), "{toml}");

    // Three changes, three revisions after the file as found, three audit entries.
    let doc = ws
        .store()
        .file_document("imprimatur.toml")
        .unwrap()
        .unwrap();
    let history = ws.store().history(&doc.id).unwrap();
    assert_eq!(history.len(), 4);
    assert_eq!(
        history[1].message.as_deref(),
        Some("WaermewerkAlbtal.Werbesprache: warning → error")
    );
    let entries = audit(&ws, "rule.level");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].0, "bea");
    assert_eq!(entries[0].1, "imprimatur.toml");
    assert_eq!(entries[0].2["rule"], RULE);
    assert_eq!(
        (&entries[1].2["before"], &entries[1].2["after"]),
        (&"error".into(), &"off".into())
    );
    // Rule documents are not articles.
    assert_eq!(ws.store().documents().unwrap().len(), articles);
    assert!(ws.store().verify_audit().unwrap().broken_at.is_none());
    // A rule that does not exist.
    let err = ws
        .set_rule_level("Klartext.Gibtsnicht", RuleLevel::Error, "bea", t(4))
        .unwrap_err();
    assert!(matches!(err, WorkspaceError::UnknownRule { .. }), "{err}");
}

#[test]
fn saving_yaml_validates_names_the_line_and_writes_nothing_invalid() {
    let (_dir, mut ws) = demo();
    let path = ws
        .root()
        .join("styleguides/WaermewerkAlbtal/Werbesprache.yml");
    let original = std::fs::read_to_string(&path).unwrap();
    let saved = |e: WorkspaceError| match e {
        WorkspaceError::InvalidRule { problem, .. } => problem,
        other => panic!("not a rule error: {other}"),
    };

    // Invalid YAML: its line and column.
    let bad_yaml = "extends: existence\nmessage: \"x\"\ntokens:\n  - 'a'\n - 'b'\n";
    let p = saved(
        ws.save_rule("WaermewerkAlbtal", "Werbesprache", bad_yaml, "bea", t(1))
            .unwrap_err(),
    );
    assert_eq!((p.code.as_str(), p.line), ("style.yaml", 5), "{p}");
    assert!(p.column >= 1);

    // A pattern that does not compile: the rule and the entry's line.
    let bad_regex = "extends: existence\nmessage: \"'%s'\"\nlevel: warning\ntokens:\n  - 'revolutionär'\n  - 'einzig(artig'\n";
    let p = saved(
        ws.save_rule("WaermewerkAlbtal", "Werbesprache", bad_regex, "bea", t(2))
            .unwrap_err(),
    );
    assert_eq!(
        (p.code.as_str(), p.line, p.column),
        ("style.regex", 6, 3),
        "{p}"
    );
    assert!(p.message.contains(RULE), "{p}");

    // An unknown kind: the `extends` line and the known kinds.
    let bad_kind = "message: x\nextends: existance\ntokens: [a]\n";
    let p = saved(
        ws.save_rule("WaermewerkAlbtal", "Werbesprache", bad_kind, "bea", t(3))
            .unwrap_err(),
    );
    assert_eq!((p.code.as_str(), p.line), ("style.unknown_kind", 2), "{p}");
    assert!(p.message.contains("substitution") && p.message.contains("existance"));

    // A bad level: its line.
    let bad_level = "extends: existence\nmessage: x\nlevel: laut\ntokens: [a]\n";
    let p = saved(
        ws.save_rule("WaermewerkAlbtal", "Werbesprache", bad_level, "bea", t(4))
            .unwrap_err(),
    );
    assert_eq!(p.line, 3, "{p}");

    // Nothing was written or recorded.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    assert!(ws
        .store()
        .file_document("styleguides/WaermewerkAlbtal/Werbesprache.yml")
        .unwrap()
        .is_none());
    assert!(audit(&ws, "rule.save").is_empty());
    assert_eq!(severities(&ws, SAMPLE, RULE), [Severity::Warning]);
}

#[test]
fn a_saved_rule_is_an_audited_revision_and_checks_at_once() {
    let (_dir, mut ws) = demo();
    let text = "Unsere Wärmepumpe ist phänomenal.\n";
    assert!(severities(&ws, text, RULE).is_empty());
    let r = ws.rule(RULE).unwrap();
    let changed = r.source.replace(
        "  - 'revolutionär(?:e|en|em|er|es)?'",
        "  - 'revolutionär(?:e|en|em|er|es)?'\n  - 'phänomenal'",
    );
    assert_ne!(changed, r.source);
    let saved = ws
        .save_rule("WaermewerkAlbtal", "Werbesprache", &changed, "bea", t(1))
        .unwrap();
    assert_eq!(saved.source, changed);
    assert_eq!(saved.revisions, 2, "as found, then the change");
    assert_eq!(severities(&ws, text, RULE), [Severity::Warning]);
    let entries = audit(&ws, "rule.save");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, "bea");
    assert_eq!(
        entries[0].1,
        "styleguides/WaermewerkAlbtal/Werbesprache.yml"
    );
    assert_eq!(entries[0].2["rule"], RULE);

    // The level in the YAML counts, unless the settings override it.
    let louder = changed.replace("level: warning", "level: error");
    ws.save_rule("WaermewerkAlbtal", "Werbesprache", &louder, "bea", t(2))
        .unwrap();
    assert_eq!(severities(&ws, text, RULE), [Severity::Error]);

    // A new rule in a pack.
    let new = "extends: existence\nmessage: \"Schreiben Sie nicht '%s'.\"\nlevel: error\ntokens:\n  - Ölheizung\n";
    let r = ws
        .save_rule("WaermewerkAlbtal", "KeinOel", new, "bea", t(3))
        .unwrap();
    assert!(r.active);
    assert_eq!(
        severities(&ws, "Die Ölheizung bleibt.\n", "WaermewerkAlbtal.KeinOel"),
        [Severity::Error]
    );
    assert_eq!(audit(&ws, "rule.create").len(), 1);
    let bad = ws
        .save_rule("WaermewerkAlbtal", "../x", new, "bea", t(4))
        .unwrap_err();
    assert!(matches!(bad, WorkspaceError::RuleName(_)), "{bad}");
}

#[test]
fn trying_an_unsaved_rule_on_sample_text() {
    let (_dir, ws) = demo();
    let yaml = "extends: substitution\nmessage: \"'%s' statt '%s'\"\nlevel: error\nswap:\n  Wärme-Pumpe: Wärmepumpe\n";
    let trial = ws.try_rule(
        "WaermewerkAlbtal",
        "Entwurf",
        yaml,
        "Die Wärme-Pumpe läuft.\n",
    );
    assert!(trial.problem.is_none(), "{:?}", trial.problem);
    assert_eq!(trial.findings.len(), 1);
    let f = &trial.findings[0];
    assert_eq!(f.code, "WaermewerkAlbtal.Entwurf");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!((f.span.line, f.span.column), (1, 5));
    assert!(f.fix.is_some(), "substitutions offer their fix");
    // Nothing was written.
    assert!(!ws
        .root()
        .join("styleguides/WaermewerkAlbtal/Entwurf.yml")
        .exists());
    // A broken draft: its problem, no findings.
    let trial = ws.try_rule("WaermewerkAlbtal", "Entwurf", "extends: [", "x");
    assert_eq!(trial.problem.unwrap().code, "style.yaml");
    assert!(trial.findings.is_empty());
}
