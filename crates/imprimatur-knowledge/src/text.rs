//! Words and their stems for highlighting hits: lowercase, Snowball stem by language
//! (the stemmers Qdrant's BM25 uses), accents folded, so `Häuser` and `Hauses` meet.

use rust_stemmers::{Algorithm, Stemmer};

/// Byte ranges of the words in `text`: runs of alphanumeric characters.
pub(crate) fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        // Skip to the next word character.
        let (start, _) = loop {
            let (i, c) = chars.next()?;
            if c.is_alphanumeric() {
                break (i, c);
            }
        };
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

pub(crate) struct Analyzer {
    german: Stemmer,
    english: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            german: Stemmer::create(Algorithm::German),
            english: Stemmer::create(Algorithm::English),
        }
    }
}

/// The stemmers this analyzer knows; other languages are only lowercased and folded.
pub(crate) const STEMMED_LANGUAGES: [&str; 2] = ["de", "en"];

impl Analyzer {
    /// The index term of one word in a text of language `lang` (`de`, `en`; other values
    /// are not stemmed).
    pub(crate) fn term(&self, word: &str, lang: &str) -> String {
        let lower = word.to_lowercase();
        let stemmed = match primary(lang) {
            "de" => self.german.stem(&lower),
            "en" => self.english.stem(&lower),
            _ => std::borrow::Cow::Borrowed(lower.as_str()),
        };
        fold(&stemmed)
    }
}

/// `de-CH` → `de`.
fn primary(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Latin accents to their base letter, `ß` to `ss`: what the German stemmer does to
/// umlauts, applied to every language so an unstemmed or English text still matches.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' => out.push('o'),
            'ü' | 'ù' | 'ú' | 'û' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'ß' => out.push_str("ss"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_byte_ranges_of_alphanumeric_runs() {
        let text = "Größe: 3½ Häuser—ok";
        let w: Vec<&str> = words(text).map(|(s, e)| &text[s..e]).collect();
        assert_eq!(w, ["Größe", "3½", "Häuser", "ok"]);
    }

    #[test]
    fn german_inflections_and_umlauts_meet() {
        let a = Analyzer::default();
        assert_eq!(a.term("Häuser", "de"), a.term("Hauses", "de"));
        assert_eq!(a.term("Straße", "de"), a.term("strasse", "de"));
        assert_eq!(a.term("running", "en"), a.term("runs", "en"));
        assert_eq!(a.term("Müller", "fr"), "muller");
    }
}
