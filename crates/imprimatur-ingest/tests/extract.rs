//! Extraction of every format from real files, and typed errors for broken ones.

use std::path::Path;

use imprimatur_ingest::{
    chunk, extract, BlockKind, ChunkOptions, ExtractError, Extracted, Format, Lang,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let path = Path::new(FIXTURES).join(name);
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

fn outline(x: &Extracted) -> Vec<String> {
    x.blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Heading { level, title } => format!("h{level} {title}"),
            BlockKind::Body => format!("p {}", &x.text[b.range.clone()]),
        })
        .collect()
}

#[test]
fn docx_paragraphs_headings_and_properties() {
    let (path, bytes) = fixture("wartung.docx");
    let x = extract(&path, &bytes).unwrap();
    assert_eq!(x.format, Format::Docx);
    assert_eq!(
        outline(&x),
        [
            "h1 Wartungsvertrag Plus",
            "p Der Wartungsvertrag Plus kostet 389,00 € pro Jahr. Er enthält die jährliche Wartung & einen Störungsdienst rund um die Uhr.",
            "h2 Leistungen",
            "p Jährliche Inspektion der Wärmepumpe.",
            "p Prüfung des Kältekreises (R290).",
            "h2 Kündigung",
            "p Der Vertrag ist mit drei Monaten Frist zum Jahresende kündbar.",
            "p Tarif",
            "p Preis",
            "p Plus",
            "p 389,00 €",
        ]
    );
    assert_eq!(x.meta.title.as_deref(), Some("Wartungsvertrag Plus"));
    assert_eq!(x.meta.lang, Some(Lang::De));
    let chunks = chunk(&x, &ChunkOptions::default());
    assert_eq!(
        chunks[1].heading_path,
        ["Wartungsvertrag Plus", "Leistungen"]
    );
    assert!(chunks.iter().all(|c| c.text == x.text[c.range.clone()]));
}

#[test]
fn pdf_text_by_page() {
    let (path, bytes) = fixture("datenblatt.pdf");
    let x = extract(&path, &bytes).unwrap();
    assert_eq!(x.format, Format::Pdf);
    assert!(
        x.text.contains("Die AlbAir 9 liefert 9,0 kW Heizleistung"),
        "{}",
        x.text
    );
    assert!(
        x.text.contains("Schallleistungspegel beträgt 54 dB(A)"),
        "{}",
        x.text
    );
    assert_eq!(x.pages.len(), 2);
    let chunks = chunk(&x, &ChunkOptions::default());
    let garantie = chunks.iter().find(|c| c.text.contains("Garantie")).unwrap();
    assert_eq!(garantie.page, Some(2));
    assert!(chunks
        .iter()
        .filter(|c| c.text.contains("AlbAir 9 liefert"))
        .all(|c| c.page == Some(1)));
    assert!(chunks.iter().all(|c| c.lang == Lang::De));
}

#[test]
fn demo_sources_of_every_text_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/knowledge");
    let html = imprimatur_ingest::extract_file(&dir.join("foerderung.html")).unwrap();
    assert_eq!(html.meta.lang, Some(Lang::De));
    assert!(html.meta.title.as_deref().unwrap().starts_with("Förderung"));
    let o = outline(&html);
    assert!(o.contains(&"h2 Die Förderbausteine".to_string()), "{o:#?}");
    assert!(!html.text.contains("<"), "markup left in {}", html.text);

    let txt = imprimatur_ingest::extract_file(&dir.join("unternehmen.txt")).unwrap();
    let o = outline(&txt);
    assert!(o.contains(&"h2 Kontakt".to_string()), "{o:#?}");
    let chunks = chunk(&txt, &ChunkOptions::default());
    let kontakt = chunks
        .iter()
        .find(|c| c.heading_path.last().is_some_and(|h| h == "Kontakt"))
        .unwrap();
    assert!(kontakt.text.contains("+49 7000 482910"));
    // Offsets are file offsets.
    let file = std::fs::read_to_string(dir.join("unternehmen.txt")).unwrap();
    assert_eq!(&file[kontakt.range.clone()], kontakt.text);

    let md = imprimatur_ingest::extract_file(&dir.join("preisliste-2026.md")).unwrap();
    assert_eq!(md.meta.valid_from.as_deref(), Some("2026-01-01"));
    let en = imprimatur_ingest::extract_file(&dir.join("en/faq-en.md")).unwrap();
    assert!(chunk(&en, &ChunkOptions::default())
        .iter()
        .all(|c| c.lang == Lang::En));
}

fn err(name: &str, bytes: &[u8]) -> ExtractError {
    let e = extract(Path::new(name), bytes).expect_err(name);
    assert_eq!(e.path(), Path::new(name));
    assert!(e.to_string().starts_with(name), "{e}");
    e
}

#[test]
fn broken_files_are_typed_errors_naming_the_file() {
    assert!(matches!(
        err("bild.md", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ExtractError::Binary { offset: 8, .. }
    ));
    assert!(matches!(
        err("latin1.txt", b"Gr\xfc\xdfe"),
        ExtractError::Encoding { offset: 2, .. }
    ));
    assert!(matches!(
        err("x.html", b"<p>\0</p>"),
        ExtractError::Binary { .. }
    ));
    assert!(matches!(
        err("tabelle.xlsx", b"PK"),
        ExtractError::Unsupported { .. }
    ));
    assert!(matches!(
        err("kein.pdf", b"hello"),
        ExtractError::Pdf { .. }
    ));
    assert!(matches!(
        err("kaputt.docx", b"PK\x03\x04 truncated"),
        ExtractError::Docx { .. }
    ));
    // A zip that is not a Word document.
    let (_, pdf) = fixture("datenblatt.pdf");
    let truncated = &pdf[..pdf.len() / 2];
    let e = err("halb.pdf", truncated);
    assert!(
        matches!(
            e,
            ExtractError::Pdf { .. } | ExtractError::PdfWithoutText { .. }
        ),
        "{e}"
    );
    let (_, docx) = fixture("wartung.docx");
    let e = err("halb.docx", &docx[..docx.len() / 2]);
    assert!(matches!(e, ExtractError::Docx { .. }), "{e}");
    assert!(
        e.to_string().contains("LibreOffice"),
        "says how to fix: {e}"
    );
}

/// Whatever the bytes, extraction returns; it never panics. Mutations of the real
/// fixtures (flipped bytes, cuts) reach deep into the PDF and DOCX readers.
#[test]
fn mangled_files_never_panic() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let (_, pdf) = fixture("datenblatt.pdf");
    let (_, docx) = fixture("wartung.docx");
    for (name, original) in [("m.pdf", &pdf), ("m.docx", &docx)] {
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..next(8) + 1 {
                let i = next(bytes.len());
                bytes[i] = next(256) as u8;
            }
            if next(4) == 0 {
                bytes.truncate(next(bytes.len()));
            }
            let _ = extract(Path::new(name), &bytes);
        }
    }
}
