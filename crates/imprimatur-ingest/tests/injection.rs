//! Prompt-injection rules against fixtures: every attack line (German and English) is
//! flagged, no ordinary line is.

use imprimatur_ingest::injection::scan;

fn lines(fixture: &str) -> Vec<&str> {
    fixture
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn every_attack_is_flagged() {
    let missed: Vec<&str> = lines(include_str!("fixtures/injection-bad.txt"))
        .into_iter()
        .filter(|l| scan(l).is_empty())
        .collect();
    assert!(missed.is_empty(), "not flagged: {missed:#?}");
}

#[test]
fn ordinary_text_is_not_flagged() {
    let false_alarms: Vec<(&str, Vec<&str>)> = lines(include_str!("fixtures/injection-good.txt"))
        .into_iter()
        .map(|l| (l, scan(l).into_iter().map(|f| f.rule).collect::<Vec<_>>()))
        .filter(|(_, rules)| !rules.is_empty())
        .collect();
    assert!(false_alarms.is_empty(), "false alarms: {false_alarms:#?}");
}

#[test]
fn the_demo_knowledge_base_is_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/knowledge");
    let mut seen = 0;
    for entry in walk(std::path::Path::new(dir)) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let flags = scan(&text);
        assert!(
            flags.is_empty(),
            "{}: {:?}",
            entry.display(),
            flags
                .iter()
                .map(|f| &text[f.range.clone()])
                .collect::<Vec<_>>()
        );
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} demo sources found in {dir}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
