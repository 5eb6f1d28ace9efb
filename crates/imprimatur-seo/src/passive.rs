//! Passive voice of one sentence.
//!
//! German: the Vorgangspassiv, a form of *werden* (wird, wurde, worden, würde…) together
//! with a past participle anywhere in the sentence (main clauses put the participle at the
//! end, subordinate clauses before the auxiliary). A participle is a lower-case word (German
//! nouns are capitalised, which rules out "Gebäude" or "Gesetz") that
//! - starts with `ge` and ends with `t` or `en` (gebaut, gefördert, gefunden),
//! - or has a separable prefix before that `ge` (eingebaut, ausgetauscht, angeschlossen),
//! - or ends with `iert` (installiert, saniert),
//! - or has an inseparable prefix (be-, ver-, er-, ent-, emp-, zer-, miss-) and ends in `t`
//!   (bezahlt, erneuert, entfernt),
//! - or is in the list of irregular participles (empfohlen, beschrieben…),
//!
//! and is not in the exception list (gegen, genug, gestern, and ge- infinitives such as
//! gewinnen that follow *werden* in the future tense).
//!
//! English: a form of *be* or *get* followed, within three words, by a participle (-ed or an
//! irregular one).

use imprimatur_check::Lang;

use crate::lexicon::Lexicon;

const SEPARABLE_PREFIXES: &[&str] = &[
    "zusammen", "zurück", "wieder", "heraus", "herein", "hinaus", "vorbei", "voran", "bereit",
    "fest", "fort", "frei", "hoch", "nach", "statt", "teil", "weg", "auf", "aus", "bei", "ein",
    "her", "hin", "los", "mit", "vor", "dar", "ab", "an", "um", "zu", "durch", "über", "unter",
];
const INSEPARABLE_PREFIXES: &[&str] = &["miss", "emp", "ent", "zer", "be", "ver", "er", "ge"];

/// Whether the sentence (its words as written) is in the passive voice.
pub fn is_passive(words: &[&str], lang: Lang) -> bool {
    let lexicon = Lexicon::get(lang);
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    match lang {
        Lang::De => {
            lower
                .iter()
                .any(|w| lexicon.passive_auxiliaries.contains(w.as_str()))
                && words
                    .iter()
                    .zip(&lower)
                    .any(|(w, l)| is_german_participle(w, l, lexicon))
        }
        Lang::En => lower.iter().enumerate().any(|(i, w)| {
            lexicon.passive_auxiliaries.contains(w.as_str())
                && lower
                    .iter()
                    .skip(i + 1)
                    .take(3)
                    .any(|p| is_english_participle(p, lexicon))
        }),
    }
}

fn is_german_participle(word: &str, lower: &str, lexicon: &Lexicon) -> bool {
    if word.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    if lexicon.participle_exceptions.contains(lower) {
        return false;
    }
    if lexicon.irregular_participles.contains(lower) {
        return true;
    }
    let len = lower.chars().count();
    if len < 5 {
        return false;
    }
    let ends_like = |s: &str| s.ends_with('t') || s.ends_with("en");
    if lower.ends_with("iert") {
        return true;
    }
    let ge_form = |s: &str| s.starts_with("ge") && s.chars().count() >= 5 && ends_like(s);
    if ge_form(lower) {
        return true;
    }
    if SEPARABLE_PREFIXES
        .iter()
        .any(|p| lower.strip_prefix(p).is_some_and(ge_form))
    {
        return true;
    }
    INSEPARABLE_PREFIXES[..7].iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|rest| rest.chars().count() >= 3)
    }) && lower.ends_with('t')
        && !lower.ends_with("st")
}

fn is_english_participle(word: &str, lexicon: &Lexicon) -> bool {
    if lexicon.participle_exceptions.contains(word) {
        return false;
    }
    lexicon.irregular_participles.contains(word) || (word.len() > 4 && word.ends_with("ed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passive(s: &str, lang: Lang) -> bool {
        let words: Vec<&str> = s
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .collect();
        is_passive(&words, lang)
    }

    #[test]
    fn german_vorgangspassiv() {
        for s in [
            "Die Wärmepumpe wird im Garten aufgestellt.",
            "Die Anlage wurde 2024 eingebaut.",
            "Der Antrag muss vor Baubeginn gestellt werden.",
            "Die Heizkörper sind bereits ausgetauscht worden.",
            "Die Förderung wird von der KfW bezahlt.",
            "Die Pumpe wurde von unserem Team installiert.",
            "Das Gerät wird vom Hersteller empfohlen.",
            "Weil die Anlage gewartet wird, läuft sie leise.",
        ] {
            assert!(passive(s, Lang::De), "{s}");
        }
        for s in [
            "Die Wärmepumpe wird nächstes Jahr günstiger.",
            "Wir werden den Wettbewerb gewinnen.",
            "Das Gebäude wird zum Effizienzhaus.",
            "Wir bauen die Anlage im Garten auf.",
            "Die Heizung ist gestern ausgefallen.",
        ] {
            assert!(!passive(s, Lang::De), "{s}");
        }
    }

    #[test]
    fn english_passive() {
        assert!(passive("The pump was installed in May.", Lang::En));
        assert!(passive("The house is heated by a heat pump.", Lang::En));
        assert!(passive("It was built in 1970.", Lang::En));
        assert!(!passive("We installed the pump in May.", Lang::En));
        assert!(!passive("The pump is quiet.", Lang::En));
    }
}
