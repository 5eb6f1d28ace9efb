//! Every rule of the bundled packs has a fixture of good and bad sentences
//! (`tests/packs/<Pack>/<Rule>.txt`): `+` lines must not trigger the rule, `-` lines
//! must, and `- text => repl` must offer that replacement as a fix.
//! A `# config: address=du gender=star` line sets the house options for the file.

use std::path::{Path, PathBuf};

use imprimatur_check::{Document, Lang};
use imprimatur_style::{check, AddressForm, GenderConvention, StyleConfig, StyleEngine};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures(pack: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/packs")
        .join(pack)
}

/// Plays every fixture of `pack` (loaded from `root/styleguides/pack`); returns the failures.
fn play_pack(root: &Path, pack: &str, lang: Lang) -> Vec<String> {
    let mut failures = Vec::new();
    let mut rules: Vec<String> = std::fs::read_dir(root.join("styleguides").join(pack))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "yml").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    rules.sort();
    assert!(!rules.is_empty(), "{pack} has no rules");
    for rule in rules {
        let file = fixtures(pack).join(format!("{rule}.txt"));
        let Ok(text) = std::fs::read_to_string(&file) else {
            failures.push(format!("{pack}.{rule}: no fixture {}", file.display()));
            continue;
        };
        let mut cfg = StyleConfig {
            packs: vec![pack.to_string()],
            packs_en: vec![pack.to_string()],
            ..StyleConfig::default()
        };
        for opt in text
            .lines()
            .filter_map(|l| l.strip_prefix("# config:"))
            .flat_map(str::split_whitespace)
        {
            match opt {
                "address=du" => cfg.address = AddressForm::Du,
                "gender=star" => cfg.gender = GenderConvention::Star,
                "gender=pair" => cfg.gender = GenderConvention::Pair,
                "gender=neutral" => cfg.gender = GenderConvention::Neutral,
                other => panic!("{}: unknown config option {other}", file.display()),
            }
        }
        let engine = StyleEngine::load(root, &cfg).unwrap_or_else(|e| panic!("{pack}: {e}"));
        let code = format!("{pack}.{rule}");
        assert!(
            engine.rules().iter().any(|r| r.code == code),
            "{code} did not load for its fixture's config"
        );
        let (mut good, mut bad) = (0, 0);
        for line in text.lines() {
            let (want, rest) = match line.split_at_checked(2) {
                Some(("+ ", rest)) => (false, rest),
                Some(("- ", rest)) => (true, rest),
                _ => continue,
            };
            let (sentence, replacement) = match rest.split_once(" => ") {
                Some((s, r)) => (s, Some(r)),
                None => (rest, None),
            };
            let doc = Document::parse(sentence, lang);
            let found: Vec<_> = check(&doc, &engine)
                .into_iter()
                .filter(|f| f.code == code)
                .collect();
            if want {
                bad += 1;
                if found.is_empty() {
                    failures.push(format!("{code}: missed: {sentence}"));
                } else if let Some(r) = replacement {
                    let offered: Vec<_> = found
                        .iter()
                        .filter_map(|f| f.fix.as_ref())
                        .flat_map(|f| f.edits.iter().map(|e| e.replacement.clone()))
                        .collect();
                    if !offered.iter().any(|o| o == r) {
                        failures.push(format!("{code}: {sentence}: fix {offered:?}, want {r:?}"));
                    }
                }
                // Every span points at real source bytes.
                for f in &found {
                    assert!(sentence
                        .get(f.span.start as usize..f.span.end as usize)
                        .is_some());
                }
            } else {
                good += 1;
                if !found.is_empty() {
                    let what: Vec<_> = found.iter().map(|f| f.message.text.clone()).collect();
                    failures.push(format!("{code}: false alarm on: {sentence}: {what:?}"));
                }
            }
        }
        if good == 0 || bad == 0 {
            failures.push(format!("{code}: the fixture needs good and bad sentences"));
        }
    }
    failures
}

#[test]
fn klartext_german_house_style() {
    let failures = play_pack(&repo(), "Klartext", Lang::De);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn plain_english_pack() {
    let failures = play_pack(&repo(), "PlainEnglish", Lang::En);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn typografie_pack() {
    let failures = play_pack(&repo(), "Typografie", Lang::De);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn rechtschreibung_pack() {
    let failures = play_pack(&repo(), "Rechtschreibung", Lang::De);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn demo_brand_pack() {
    let failures = play_pack(&repo().join("demo"), "WaermewerkAlbtal", Lang::De);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The demo workspace carries copies of the default packs (as `imprimatur init` would
/// have made them); they must not drift from the originals.
#[test]
fn demo_copies_of_the_default_packs_are_current() {
    let mut packs: Vec<String> = std::fs::read_dir(repo().join("styleguides"))
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        // `config/` holds vocabularies and dictionaries, not a pack.
        .filter(|p| p != "config")
        .collect();
    packs.sort();
    assert!(packs.len() >= 4, "{packs:?}");
    for pack in &packs {
        let original = repo().join("styleguides").join(pack);
        let copy = repo().join("demo/styleguides").join(pack);
        let mut names: Vec<_> = std::fs::read_dir(&original)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        let mut copied: Vec<_> = std::fs::read_dir(&copy)
            .unwrap_or_else(|e| panic!("{}: {e}", copy.display()))
            .map(|e| e.unwrap().file_name())
            .collect();
        copied.sort();
        assert_eq!(
            names, copied,
            "{pack}: files differ; copy styleguides/{pack} to demo/styleguides/"
        );
        for n in names {
            assert_eq!(
                std::fs::read(original.join(&n)).unwrap(),
                std::fs::read(copy.join(&n)).unwrap(),
                "{pack}/{}: copy styleguides/{pack} to demo/styleguides/",
                n.to_string_lossy()
            );
        }
    }
}

/// What a rule editor lists: every rule with pack, kind, level, file and condition;
/// level overrides and `when:` conditions are applied.
#[test]
fn the_listing_shows_each_active_rule_with_its_file() {
    let mut cfg = StyleConfig::default();
    cfg.levels.insert(
        "Klartext.Passiv".into(),
        imprimatur_style::LevelSetting::Error,
    );
    cfg.levels.insert(
        "Klartext.Fuellwoerter".into(),
        imprimatur_style::LevelSetting::Off,
    );
    let engine = StyleEngine::load(&repo(), &cfg).unwrap();
    let list = engine.listing();
    let passiv = list.iter().find(|r| r.code == "Klartext.Passiv").unwrap();
    assert_eq!(passiv.level, imprimatur_style::Level::Error);
    assert_eq!(passiv.kind, imprimatur_style::RuleKind::Existence);
    assert!(passiv.file.ends_with("styleguides/Klartext/Passiv.yml"));
    assert_eq!(passiv.languages, ["de"]);
    assert!(!list.iter().any(|r| r.code == "Klartext.Fuellwoerter"));
    // Only the house form of address (default: Sie) and gender convention (colon) run.
    let sie = list
        .iter()
        .find(|r| r.code == "Klartext.AnredeSie")
        .unwrap();
    assert_eq!(sie.condition.as_deref(), Some("address=sie"));
    assert!(!list
        .iter()
        .any(|r| r.code == "Klartext.AnredeDu" || r.code == "Klartext.GenderStern"));
    assert!(list
        .iter()
        .any(|r| r.code == "PlainEnglish.Spelling" && r.languages == ["en"]));
    let json = serde_json::to_value(&list).unwrap();
    assert!(json[0]["kind"].as_str().is_some());
}
