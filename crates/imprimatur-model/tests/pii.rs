//! PII detection against good and bad fixtures (tests/fixtures/pii.txt), and masking
//! that survives an answer streamed in arbitrary pieces.

use imprimatur_model::pii::{detect, iban_valid, Masking, PiiKind};

fn kind(s: &str) -> Option<PiiKind> {
    match s {
        "email" => Some(PiiKind::Email),
        "phone" => Some(PiiKind::Phone),
        "iban" => Some(PiiKind::Iban),
        "address" => Some(PiiKind::Address),
        "name" => Some(PiiKind::Name),
        "none" => None,
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn fixtures() {
    let text = include_str!("fixtures/pii.txt");
    let mut failures = Vec::new();
    let (mut good, mut bad) = (0, 0);
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let parts: Vec<&str> = line.split(" | ").collect();
        let found = detect(parts[1]);
        match kind(parts[0]) {
            Some(k) => {
                good += 1;
                let want = parts[2];
                if !found.iter().any(|m| m.kind == k && m.text == want) {
                    failures.push(format!("{line}\n    found {found:?}"));
                }
            }
            None => {
                bad += 1;
                if !found.is_empty() {
                    failures.push(format!("{line}\n    false positive {found:?}"));
                }
            }
        }
    }
    println!("{good} sentences with personal data, {bad} without");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(good >= 20 && bad >= 10);
}

#[test]
fn iban_checksums() {
    assert!(iban_valid("DE89 3704 0044 0532 0130 00"));
    assert!(iban_valid("GB82WEST12345698765432"));
    assert!(!iban_valid("GB82WEST12345698765433"));
    assert!(!iban_valid("DE89 3704 0044 0532 0130")); // German IBANs have 22 characters
}

#[test]
fn masking_is_consistent_and_restores_across_any_split() {
    let mut m = Masking::new();
    let a = m.mask("Frau Petra Schneider (petra@example.de) und noch einmal petra@example.de");
    assert_eq!(a, "Frau [NAME_1] ([EMAIL_1]) und noch einmal [EMAIL_1]");
    let b = m.mask("Antwort an petra@example.de, Tel. 0171 2345678");
    assert_eq!(b, "Antwort an [EMAIL_1], Tel. [PHONE_1]");
    assert_eq!(m.len(), 3);

    let answer = "Liebe [NAME_1], wir rufen unter [PHONE_1] an [und nicht] per [EMAIL_1][EMAIL_2].";
    let want = "Liebe Petra Schneider, wir rufen unter 0171 2345678 an [und nicht] per petra@example.de[EMAIL_2].";
    assert_eq!(m.restore(answer), want);
    // every split of the answer into two pieces, and into single characters
    for cut in 0..=answer.len() {
        if !answer.is_char_boundary(cut) {
            continue;
        }
        let mut s = m.stream();
        let mut out = s.push(&answer[..cut]);
        out.push_str(&s.push(&answer[cut..]));
        out.push_str(&s.finish());
        assert_eq!(out, want, "split at {cut}");
    }
    let mut s = m.stream();
    let mut out = String::new();
    for c in answer.chars() {
        out.push_str(&s.push(&c.to_string()));
    }
    out.push_str(&s.finish());
    assert_eq!(out, want);
}
