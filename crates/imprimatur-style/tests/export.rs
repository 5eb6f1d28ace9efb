//! `.vale.ini` from the `[style]` settings: written out and read back with the same
//! reader Imprimatur uses for Vale setups, it selects the rules Imprimatur runs.

use std::collections::BTreeSet;
use std::path::Path;

use imprimatur_style::{vale_ini, AddressForm, LevelSetting, StyleConfig, StyleEngine};

#[test]
fn the_exported_vale_ini_runs_the_rules_imprimatur_runs() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let mut cfg = StyleConfig {
        packs: vec!["WaermewerkAlbtal".into(), "Klartext".into()],
        packs_en: vec![],
        address: AddressForm::Du,
        ..StyleConfig::default()
    };
    cfg.levels
        .insert("Klartext.Passiv".into(), LevelSetting::Error);
    cfg.levels
        .insert("Klartext.Fuellwoerter".into(), LevelSetting::Off);
    let text = vale_ini::export(&demo, &cfg).unwrap();
    assert!(text.contains("StylesPath = styleguides\n"), "{text}");
    assert!(
        text.contains("BasedOnStyles = WaermewerkAlbtal, Klartext\n"),
        "{text}"
    );
    assert!(text.contains("Klartext.AnredeSie = NO\n"), "{text}");
    assert!(text.contains("Klartext.Passiv = error\n"), "{text}");
    assert!(
        text.contains("WaermewerkAlbtal.Terminologie = NO\n"),
        "{text}"
    );

    // Read back as Vale would see it (in the workspace folder), the same rules run.
    let ini = vale_ini::parse(&demo.join(".vale.ini"), &text).unwrap();
    let vale = ini.engine_for("md", &[]).unwrap();
    let ours = StyleEngine::load(&demo, &cfg).unwrap();
    let codes = |e: &StyleEngine| -> BTreeSet<(String, String)> {
        e.listing()
            .into_iter()
            .filter(|r| r.languages.contains(&"de".to_string()))
            .filter(|r| r.kind != imprimatur_style::RuleKind::Terminology)
            .map(|r| (r.code, r.level.as_str().to_string()))
            .collect()
    };
    assert_eq!(codes(&vale), codes(&ours));
    assert!(codes(&ours).contains(&("Klartext.Passiv".into(), "error".into())));
}
