//! German or English? A cheap stopword count, good enough for chunks of a few sentences:
//! the most frequent function words of each language make up a quarter to a half of
//! running text, and the two lists barely overlap. Umlauts and ß count for German.
//! A declared language (front matter, `<html lang>`, DOCX properties) always wins; this
//! is only for sources without one.

use imprimatur_check::Lang;

const DE: &[&str] = &[
    "der", "die", "das", "und", "ist", "nicht", "mit", "für", "auf", "ein", "eine", "einer",
    "einen", "den", "dem", "des", "zu", "von", "sie", "wir", "ich", "es", "im", "auch", "sich",
    "werden", "wird", "bei", "oder", "aus", "nach", "wie", "als", "sind", "zum", "zur", "über",
    "unter", "kann", "können", "nur", "noch", "bis", "ab", "vom", "am", "hat", "haben", "ihr",
    "ihre", "ihren", "wenn", "dass", "pro", "jahr", "jahre", "mehr",
];
const EN: &[&str] = &[
    "the", "and", "is", "are", "of", "to", "in", "for", "with", "on", "that", "this", "it", "be",
    "you", "we", "not", "or", "as", "at", "by", "from", "have", "has", "an", "a", "your", "our",
    "can", "will", "which", "if", "up", "per", "year", "years", "more", "all", "only", "when",
    "into", "than", "they", "their", "there", "was", "were", "been", "do", "does",
];

/// The language of `text` by stopwords; `fallback` when the text gives no evidence
/// (numbers, tables, names) or both languages score the same.
pub fn detect(text: &str, fallback: Lang) -> Lang {
    let (mut de, mut en) = (0usize, 0usize);
    for (_, word) in imprimatur_check::text::words(text) {
        let lower = word.to_lowercase();
        if lower.contains(['ä', 'ö', 'ü', 'ß']) {
            de += 1;
        }
        if DE.contains(&lower.as_str()) {
            de += 1;
        }
        if EN.contains(&lower.as_str()) {
            en += 1;
        }
    }
    match de.cmp(&en) {
        std::cmp::Ordering::Greater => Lang::De,
        std::cmp::Ordering::Less => Lang::En,
        std::cmp::Ordering::Equal => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_english_sentences() {
        assert_eq!(
            detect(
                "Die Wärmepumpe läuft auch bei minus 20 Grad zuverlässig.",
                Lang::En
            ),
            Lang::De
        );
        assert_eq!(
            detect(
                "The heat pump runs reliably even at minus 20 degrees.",
                Lang::De
            ),
            Lang::En
        );
        // Without umlauts too.
        assert_eq!(
            detect("Wir bieten eine kostenlose Beratung an.", Lang::En),
            Lang::De
        );
        assert_eq!(
            detect("AlbAir 9 | 9,0 kW | 12.490,00 €", Lang::En),
            Lang::En
        );
        assert_eq!(
            detect("AlbAir 9 | 9,0 kW | 12.490,00 €", Lang::De),
            Lang::De
        );
    }
}
