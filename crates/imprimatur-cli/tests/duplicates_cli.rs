//! `imprimatur corpus import` and `imprimatur check --only duplicates` through the real
//! binary, on the demo workspace and on files written here.

use std::path::Path;

use assert_cmd::Command;

fn imprimatur(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
    c.arg("-w").arg(ws);
    c
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// `corpus import --json DIR`, which must succeed, and its report.
fn import_json(ws: &Path, dir: &Path) -> serde_json::Value {
    json(
        &imprimatur(ws)
            .args(["corpus", "import", "--json"])
            .arg(dir)
            .assert()
            .success()
            .get_output()
            .stdout,
    )
}

const OLD_ARTICLE: &str = "# Solarthermie im Bestand\n\nEine solarthermische Anlage auf dem Dach \
erwärmt im Sommer das gesamte Brauchwasser eines Einfamilienhauses. Im Frühjahr und im Herbst \
unterstützt sie die Heizung, sofern ein ausreichend großer Pufferspeicher im Keller steht. Die \
Kollektoren sollten nach Süden zeigen und eine Neigung zwischen dreißig und fünfundvierzig Grad \
haben. Verschattung durch Bäume oder Nachbargebäude kostet spürbar Ertrag.\n";

#[test]
fn an_imported_corpus_is_found_in_a_draft_and_unchanged_files_are_not_indexed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let corpus = tmp.path().join("alte-seite");
    std::fs::create_dir_all(corpus.join("ratgeber")).unwrap();
    std::fs::write(corpus.join("ratgeber/solarthermie.md"), OLD_ARTICLE).unwrap();
    std::fs::write(
        corpus.join("impressum.html"),
        "<html><head><title>Impressum</title></head><body><p>Wärmewerk Albtal GmbH, Musterbach.</p></body></html>",
    )
    .unwrap();
    std::fs::write(corpus.join("logo.png"), [0x89, b'P', b'N', b'G', 0, 0, 1]).unwrap();
    std::fs::write(corpus.join("kaputt.txt"), b"Text\0mit NUL").unwrap();

    let out = imprimatur(&ws)
        .args(["corpus", "import", "--json"])
        .arg(&corpus)
        .assert()
        .success()
        .get_output()
        .clone();
    let report = json(&out.stdout);
    assert_eq!(report["name"], "alte-seite", "{report}");
    assert_eq!(report["files"], 4);
    assert_eq!(report["imported"], 2);
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[1/4]"), "progress on stderr: {stderr}");
    assert!(
        stderr.contains("logo.png") && stderr.contains("not a corpus format"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kaputt.txt") && stderr.contains("binary file"),
        "{stderr}"
    );

    // Again: the same files are unchanged (content hash), one changed file is indexed.
    std::fs::write(
        corpus.join("impressum.html"),
        "<html><body><p>Wärmewerk Albtal GmbH, Musterbach, Albstraße 1.</p></body></html>",
    )
    .unwrap();
    let again = import_json(&ws, &corpus);
    assert_eq!(again["imported"], 1, "{again}");
    assert_eq!(again["updated"], 1, "{again}");
    assert_eq!(again["added"], 0, "{again}");
    assert_eq!(again["removed"], 0, "{again}");
    assert_eq!(again["unchanged"], 1, "{again}");

    // A file deleted from the folder leaves the corpus with the next import; a new one
    // joins it. The other corpora and the workspace's texts stay.
    std::fs::remove_file(corpus.join("impressum.html")).unwrap();
    std::fs::write(
        corpus.join("kontakt.txt"),
        "Wärmewerk Albtal, Telefon 07243 1234, montags bis freitags.",
    )
    .unwrap();
    let third = import_json(&ws, &corpus);
    assert_eq!(third["removed"], 1, "{third}");
    assert_eq!(third["added"], 1, "{third}");
    assert_eq!(third["updated"], 0, "{third}");
    assert_eq!(third["unchanged"], 1, "{third}");
    assert_eq!(
        third["indexed"], again["indexed"],
        "one out, one in: {third}"
    );
    let plain = imprimatur(&ws)
        .args(["corpus", "import"])
        .arg(&corpus)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plain = String::from_utf8_lossy(&plain);
    assert!(
        plain.contains("0 added, 0 updated, 0 removed, 2 unchanged"),
        "{plain}"
    );

    // A draft with the article's middle sentences pasted in.
    let pasted =
        "# Neue Heizung\n\nWir beraten Sie gern. Im Frühjahr und im Herbst unterstützt sie \
die Heizung, sofern ein ausreichend großer Pufferspeicher im Keller steht. Die Kollektoren sollten \
nach Süden zeigen und eine Neigung zwischen dreißig und fünfundvierzig Grad haben. Rufen Sie an.\n";
    let draft = tmp.path().join("entwurf.md");
    std::fs::write(&draft, pasted).unwrap();
    let report = json(
        &imprimatur(&ws)
            .arg("check")
            .arg(&draft)
            .args(["--only", "duplicates", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    let findings = report["findings"].as_array().unwrap();
    let passage = findings
        .iter()
        .find(|f| f["code"] == "dup.copied_passage")
        .unwrap_or_else(|| panic!("a copied passage: {report}"));
    assert_eq!(passage["check"], "duplicates");
    assert_eq!(
        passage["evidence"]["document"],
        "corpus:alte-seite/ratgeber/solarthermie.md"
    );
    assert_eq!(passage["evidence"]["title"], "Solarthermie im Bestand");
    let (s, e) = (
        passage["span"]["start"].as_u64().unwrap() as usize,
        passage["span"]["end"].as_u64().unwrap() as usize,
    );
    assert!(
        pasted[s..e].starts_with("Im Frühjahr") && pasted[s..e].ends_with("Grad haben"),
        "draft span: {:?}",
        &pasted[s..e]
    );
    let other = passage["evidence"]["other_text"].as_str().unwrap();
    assert!(other.starts_with("Im Frühjahr"), "{other}");
    // Only duplicates ran: no style findings.
    assert!(
        findings.iter().all(|f| f["check"] == "duplicates"),
        "{report}"
    );

    // Plain output names file, line and code.
    let out = imprimatur(&ws)
        .arg("check")
        .arg(&draft)
        .args(["--only", "duplicates"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("entwurf.md:3:") && text.contains(":dup.copied_passage:"),
        "{text}"
    );
}

#[test]
fn the_demo_imports_its_published_articles_and_a_stored_document_is_not_its_own_duplicate() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("demo")
        .arg(&ws)
        .assert()
        .success();
    // Every corpus file was imported at demo creation: importing again changes nothing.
    let again = json(
        &imprimatur(&ws)
            .args(["corpus", "import", "--name", "website", "--json"])
            .arg(ws.join("corpus/website"))
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert!(again["files"].as_u64().unwrap() >= 3, "{again}");
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["unchanged"], again["files"], "{again}");

    // A demo article checked from its file is the stored document itself: no
    // near-duplicate of itself.
    let article = ws.join("../article.md");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/documents");
    std::fs::copy(root.join("waermepumpe-im-altbau.md"), &article).unwrap();
    let report = json(
        &imprimatur(&ws)
            .arg("check")
            .arg(&article)
            .args(["--only", "duplicates", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["code"] != "dup.near_duplicate"),
        "{report}"
    );

    // An unknown [duplicates] key is an error naming the key and its line.
    let toml = ws.join("imprimatur.toml");
    let mut settings = std::fs::read_to_string(&toml).unwrap();
    settings.push_str("\n[duplicates]\nnear_dup = 0.4\n");
    let line = settings.lines().count();
    std::fs::write(&toml, settings).unwrap();
    let out = imprimatur(&ws)
        .arg("check")
        .arg(&article)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("near_dup") && err.contains(&format!("line {line}")),
        "{err}"
    );
}

/// A draft written afresh on the topic of a demo article (its title, keyphrase and body
/// in other words, no shared passages) is on the same topic as that article; a draft on
/// something else is not. Without the embedding model the check says once that it
/// skipped the signal, and why.
#[test]
fn a_draft_on_the_topic_of_a_demo_article_names_it_and_an_unrelated_draft_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("demo")
        .arg(&ws)
        .assert()
        .success();
    let check = |name: &str, text: &str, data_home: Option<&Path>| {
        let file = tmp.path().join(name);
        std::fs::write(&file, text).unwrap();
        let mut c = imprimatur(&ws);
        if let Some(dir) = data_home {
            c.env("XDG_DATA_HOME", dir);
        }
        let out = c
            .arg("check")
            .arg(&file)
            .args(["--only", "duplicates", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        json(&out)["findings"].as_array().unwrap().clone()
    };
    let codes = |f: &[serde_json::Value], code: &str| -> Vec<serde_json::Value> {
        f.iter().filter(|f| f["code"] == code).cloned().collect()
    };

    let same = check("zuschuss.md", SAME_TOPIC, None);
    let topic = codes(&same, "dup.same_topic");
    let named = topic
        .iter()
        .find(|f| {
            f["evidence"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Förderung für Wärmepumpen 2026"))
        })
        .unwrap_or_else(|| panic!("same topic as the funding article: {same:#?}"));
    assert!(
        named["evidence"]["document"]
            .as_str()
            .unwrap()
            .starts_with("doc:"),
        "{named}"
    );
    assert!(
        named["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Förderung für Wärmepumpen 2026"),
        "{named}"
    );
    // Written afresh: the verdict is the embeddings', not copied text.
    assert!(codes(&same, "dup.copied_passage").is_empty(), "{same:#?}");
    assert!(
        codes(&same, "dup.same_topic_skipped").is_empty(),
        "{same:#?}"
    );

    let other = check("sommerfest.md", UNRELATED, None);
    assert!(codes(&other, "dup.same_topic").is_empty(), "{other:#?}");
    assert!(codes(&other, "dup.same_topic_skipped").is_empty());

    // No model installed: said once, with the way to install it; the other duplicate
    // signals still run.
    let empty = tmp.path().join("no-models");
    std::fs::create_dir_all(&empty).unwrap();
    let without = check("zuschuss2.md", SAME_TOPIC, Some(&empty));
    let skipped = codes(&without, "dup.same_topic_skipped");
    assert_eq!(skipped.len(), 1, "{without:#?}");
    let text = skipped[0]["message"]["text"].as_str().unwrap();
    assert!(text.contains("install-embedder"), "{text}");
    assert!(codes(&without, "dup.same_topic").is_empty());
}

const SAME_TOPIC: &str = "---
title: \"Staatliches Geld für den Heizungstausch: Zuschüsse zur neuen Wärmepumpe\"
keyphrase: \"Zuschuss Wärmepumpe\"
---

# Staatliches Geld für den Heizungstausch: Zuschüsse zur neuen Wärmepumpe

Wer seinen alten Gas- oder Ölkessel gegen eine Wärmepumpe tauscht, bekommt vom Staat einen \
beträchtlichen Teil der Ausgaben erstattet. Jeder Antragsteller erhält einen Basiszuschuss von \
drei Zehnteln der Investition. Dazu kommen Aufschläge: für Eigentümer, die ihren Kessel früh \
ersetzen, für Haushalte mit kleinem Einkommen und für sparsame Geräte mit natürlichem \
Kältemittel. Mehr als sieben Zehntel der anrechenbaren Ausgaben werden aber nie bezahlt.

Den Antrag reichen Sie ein, bevor die Handwerker anfangen, und zwar nachdem Sie den Auftrag \
beim Installateur unterschrieben haben. Der Auftrag muss eine Klausel enthalten, die ihn an \
die Zusage der Fördermittel knüpft.
";

const UNRELATED: &str = "# Unser Sommerfest am Baggersee

Am letzten Freitag im Juli feiert das ganze Team am Baggersee bei Musterbach. Es gibt \
Grillwürstchen, Salate und kalte Getränke; wer mag, bringt einen Kuchen mit. Für die Kinder \
ist eine Schnitzeljagd durch den Wald geplant, und abends spielt eine Band aus dem Ort. \
Bitte tragen Sie sich bis Mitte Juni in die Liste am Empfang ein, damit wir genug Bänke und \
Sonnenschirme bestellen können.
";
