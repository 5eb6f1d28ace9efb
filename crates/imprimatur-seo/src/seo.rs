//! The SEO assessments. Thresholds and scores start from yoastseo 3.6 (its ids in
//! brackets); cornerstone content gets its stricter variants.

use imprimatur_check::{BlockKind, Lang};

use crate::analysis::{num, Analysis, Verdict};
use crate::keyphrase::{transliterate, Phrase};
use crate::serp;
use crate::Assessment;

pub(crate) fn assess(a: &Analysis) -> Vec<Assessment> {
    vec![
        a.assessment("seo.keyphrase_in_introduction", introduction(a)),
        a.assessment("seo.keyphrase_length", keyphrase_length(a)),
        a.assessment("seo.keyphrase_density", density(a)),
        a.assessment("seo.keyphrase_in_meta_description", meta_keyphrase(a)),
        a.assessment("seo.meta_description_length", meta_length(a)),
        a.assessment("seo.keyphrase_in_subheadings", subheadings(a)),
        a.assessment("seo.competing_links", competing_links(a)),
        a.assessment("seo.keyphrase_in_image_alt", image_alt(a)),
        a.assessment("seo.images", images(a)),
        a.assessment("seo.text_length", text_length(a)),
        a.assessment("seo.external_links", external_links(a)),
        a.assessment("seo.keyphrase_in_title", title_keyphrase(a)),
        a.assessment("seo.internal_links", internal_links(a)),
        a.assessment("seo.title_width", title_width(a)),
        a.assessment("seo.keyphrase_in_slug", slug(a)),
        a.assessment("seo.single_h1", single_h1(a)),
    ]
}

fn no_keyphrase() -> Verdict {
    Verdict::new(
        1,
        "no_keyphrase",
        "Legen Sie eine Fokus-Keyphrase fest (keyphrase in der Front Matter).",
        "Set a focus keyphrase (keyphrase in the front matter).",
    )
}

fn cornerstone(a: &Analysis) -> bool {
    a.doc.front_matter.cornerstone
}

/// [introductionKeyword] Keyphrase or synonym in the first paragraph: in one sentence is
/// good, spread over the paragraph ok.
fn introduction(a: &Analysis) -> Verdict {
    if a.keyphrase.is_none() {
        return Verdict::new(3, "no_keyphrase", no_keyphrase().de, no_keyphrase().en);
    }
    let first = a
        .doc
        .blocks
        .iter()
        .position(|b| b.kind == BlockKind::Paragraph && !a.doc.block_text(b).trim().is_empty());
    let Some(bi) = first else {
        return Verdict::new(
            3,
            "no_introduction",
            "Keyphrase in der Einleitung: Der Text hat noch keinen ersten Absatz.",
            "Keyphrase in introduction: The text has no first paragraph yet.",
        );
    };
    let mark = a.block_span(&a.doc.blocks[bi]);
    let sentences: Vec<_> = a.sentences.iter().filter(|s| s.block == bi).collect();
    let in_sentence = sentences.iter().any(|s| {
        a.topics()
            .any(|p| a.keys.percent_found(p, &s.keys) >= 100.0)
    });
    if in_sentence {
        return Verdict::new(
            9,
            "good",
            "Keyphrase in der Einleitung: Gut gemacht!",
            "Keyphrase in introduction: Well done!",
        )
        .marks([mark]);
    }
    let all: Vec<String> = sentences
        .iter()
        .flat_map(|s| s.keys.iter().cloned())
        .collect();
    if a.topics().any(|p| a.keys.percent_found(p, &all) >= 100.0) {
        return Verdict::new(
            6,
            "not_in_one_sentence",
            "Keyphrase in der Einleitung: Die Wörter der Keyphrase stehen im ersten Absatz, aber nicht in einem Satz. Bringen Sie sie in einem Satz zusammen.",
            "Keyphrase in introduction: Your keyphrase's words appear in the first paragraph, but not within one sentence. Fix that!",
        )
        .marks([mark]);
    }
    Verdict::new(
        3,
        "missing",
        "Keyphrase in der Einleitung: Die Keyphrase oder ein Synonym steht nicht im ersten Absatz. Sorgen Sie dafür, dass das Thema sofort klar ist.",
        "Keyphrase in introduction: Your keyphrase or its synonyms do not appear in the first paragraph. Make sure the topic is clear immediately.",
    )
    .marks([mark])
}

/// [keyphraseLength] 1–4 content words good, up to 8 ok, more bad.
fn keyphrase_length(a: &Analysis) -> Verdict {
    let mark = a.front_matter_span("keyphrase");
    let Some(k) = &a.keyphrase else {
        return Verdict::new(
            -999,
            "no_keyphrase",
            "Keyphrase-Länge: Es ist keine Fokus-Keyphrase festgelegt. Legen Sie eine fest, damit die Analyse sie prüfen kann.",
            "Keyphrase length: No focus keyphrase was set for this page. Set a keyphrase in order to calculate your SEO score.",
        )
        .value(0.0)
        .marks([mark]);
    };
    let n = k.terms.len();
    let v = match n {
        1..=4 => Verdict::new(9, "good", "Keyphrase-Länge: Gut gemacht!", "Keyphrase length: Good job!"),
        5..=8 => Verdict::new(
            6,
            "long",
            format!("Keyphrase-Länge: Die Keyphrase hat {n} Inhaltswörter, empfohlen sind höchstens 4. Kürzen Sie sie."),
            format!("Keyphrase length: The keyphrase contains {n} content words. That's more than the recommended maximum of 4 content words. Make it shorter!"),
        ),
        _ => Verdict::new(
            3,
            "too_long",
            format!("Keyphrase-Länge: Die Keyphrase hat {n} Inhaltswörter, weit mehr als die empfohlenen 4. Kürzen Sie sie deutlich."),
            format!("Keyphrase length: The keyphrase contains {n} content words. That's way more than the recommended maximum of 4 content words. Make it shorter!"),
        ),
    };
    v.arg("count", n).value(n as f64).marks([mark])
}

/// 0.7 + n/3: longer keyphrases need fewer occurrences (yoastseo's length factor).
fn length_factor(n: usize) -> f64 {
    0.7 + n as f64 / 3.0
}

fn recommended_count(n: usize, density: f64, words: usize, round_up: bool) -> usize {
    let c = density * words as f64 / (100.0 * length_factor(n));
    if c < 2.0 {
        2
    } else if round_up {
        c.ceil() as usize
    } else {
        c.floor() as usize
    }
}

/// [keyphraseDensity] Occurrences per 100 words, weighted by keyphrase length: 0.5–3 good.
fn density(a: &Analysis) -> Verdict {
    let Some(k) = &a.keyphrase else {
        return Verdict::new(-50, "no_keyphrase", no_keyphrase().de, no_keyphrase().en);
    };
    let words = a.word_count;
    if words == 0 {
        return Verdict::new(
            -50,
            "no_text",
            "Keyphrase-Dichte: Es gibt noch keinen Text.",
            "Keyphrase density: There is no text yet.",
        );
    }
    let count = a.keyphrase_count;
    let marks: Vec<_> = a
        .sentences
        .iter()
        .filter(|s| a.keys.count(k, &s.keys) > 0)
        .map(|s| a.sentence_span(s))
        .collect();
    let density = a.keyphrase_density();
    let n = k.terms.len();
    let (min, max) = if words < 100 {
        (1, if words > 50 { 2 } else { 1 })
    } else {
        (
            recommended_count(n, 0.5, words, true),
            recommended_count(n, 3.0, words, false),
        )
    };
    let weighted = count as f64 * 100.0 / words as f64 * length_factor(n);
    let (score, variant) = if count == 0 {
        (4, "none")
    } else if words < 100 {
        if (min..=max).contains(&count) {
            (9, "good")
        } else if count == max + 1 {
            (-10, "too_many")
        } else {
            (-50, "way_too_many")
        }
    } else if weighted < 0.5 || count == 1 {
        (4, "too_few")
    } else if weighted <= 3.0 || (count == 2 && min <= 2) {
        (9, "good")
    } else if weighted <= 4.0 {
        (-10, "too_many")
    } else {
        (-50, "way_too_many")
    };
    let (de, en) = match variant {
        "good" => (
            format!("Keyphrase-Dichte: Die Keyphrase kommt {count}-mal vor. Sehr gut!"),
            format!("Keyphrase density: The keyphrase was found {count} times. This is great!"),
        ),
        "none" | "too_few" => (
            format!("Keyphrase-Dichte: Die Keyphrase kommt {count}-mal vor, empfohlen sind mindestens {min}. Verwenden Sie sie öfter."),
            format!("Keyphrase density: The keyphrase was found {count} times. That's less than the recommended minimum of {min} times for a text of this length. Focus on your keyphrase!"),
        ),
        _ => (
            format!("Keyphrase-Dichte: Die Keyphrase kommt {count}-mal vor, empfohlen sind höchstens {max}. Vermeiden Sie Keyword-Stuffing."),
            format!("Keyphrase density: The keyphrase was found {count} times. That's more than the recommended maximum of {max} times for a text of this length. Don't overoptimize!"),
        ),
    };
    Verdict::new(score, variant, de, en)
        .arg("count", count)
        .arg("min", min)
        .arg("max", max)
        .arg("density", num(density, a.lang))
        .value(density)
        .marks(marks)
}

/// [metaDescriptionKeyword] Keyphrase or synonym once or twice in the meta description.
fn meta_keyphrase(a: &Analysis) -> Verdict {
    let mark = a.front_matter_span("description");
    if a.keyphrase.is_none() {
        return Verdict::new(3, "no_keyphrase", no_keyphrase().de, no_keyphrase().en).marks([mark]);
    }
    let description = a.doc.front_matter.description.clone().unwrap_or_default();
    if description.trim().is_empty() {
        return Verdict::new(
            1,
            "no_description",
            "Keyphrase in der Meta-Beschreibung: Es gibt noch keine Meta-Beschreibung (description).",
            "Keyphrase in meta description: No meta description has been specified.",
        )
        .marks([mark]);
    }
    let count = imprimatur_check::text::sentences(&description, a.lang)
        .into_iter()
        .map(|r| {
            let keys = a.keys.keys(&description[r]);
            a.topics()
                .map(|p| a.keys.count(p, &keys))
                .max()
                .unwrap_or(0)
        })
        .sum::<usize>();
    let v = match count {
        0 => Verdict::new(
            3,
            "missing",
            "Keyphrase in der Meta-Beschreibung: Die Keyphrase oder ein Synonym fehlt in der Meta-Beschreibung. Ergänzen Sie sie.",
            "Keyphrase in meta description: The meta description has been specified, but it does not contain the keyphrase. Fix that!",
        ),
        1 | 2 => Verdict::new(
            9,
            "good",
            "Keyphrase in der Meta-Beschreibung: Keyphrase oder Synonym kommen vor. Gut gemacht!",
            "Keyphrase in meta description: Keyphrase or synonym appear in the meta description. Well done!",
        ),
        _ => Verdict::new(
            3,
            "too_often",
            format!("Keyphrase in der Meta-Beschreibung: Die Keyphrase steht {count}-mal darin. Einmal oder zweimal genügt."),
            format!("Keyphrase in meta description: The meta description contains the keyphrase {count} times, which is over the advised maximum of 2 times. Limit that!"),
        ),
    };
    v.arg("count", count).value(count as f64).marks([mark])
}

/// [metaDescriptionLength] 121–156 characters good.
fn meta_length(a: &Analysis) -> Verdict {
    let mark = a.front_matter_span("description");
    let len = a
        .doc
        .front_matter
        .description
        .as_deref()
        .map_or(0, |d| d.chars().count());
    let off = if cornerstone(a) { 3 } else { 6 };
    let v = if len == 0 {
        Verdict::new(
            1,
            "missing",
            "Länge der Meta-Beschreibung: Es gibt keine Meta-Beschreibung. Suchmaschinen zeigen dann einen Ausschnitt aus dem Text.",
            "Meta description length: No meta description has been specified. Search engines will display copy from the page instead.",
        )
    } else if len <= 120 {
        Verdict::new(
            off,
            "too_short",
            format!("Länge der Meta-Beschreibung: Sie ist mit {len} Zeichen zu kurz (bis 120). Bis zu 156 Zeichen sind möglich – nutzen Sie den Platz."),
            "Meta description length: The meta description is too short (under 120 characters). Up to 156 characters are available. Use the space!".to_string(),
        )
    } else if len > 156 {
        Verdict::new(
            off,
            "too_long",
            format!("Länge der Meta-Beschreibung: Sie ist mit {len} Zeichen länger als 156 und wird abgeschnitten."),
            "Meta description length: The meta description is over 156 characters. To ensure the entire description will be visible, you should reduce the length!".to_string(),
        )
    } else {
        Verdict::new(
            9,
            "good",
            "Länge der Meta-Beschreibung: Gut gemacht!",
            "Meta description length: Well done!",
        )
    };
    v.arg("length", len).value(len as f64).marks([mark])
}

/// [subheadingsKeyword] 30–75 % of the H2/H3 subheadings reflect the topic.
fn subheadings(a: &Analysis) -> Verdict {
    if a.keyphrase.is_none() {
        return Verdict::new(1, "no_keyphrase", no_keyphrase().de, no_keyphrase().en);
    }
    let subs: Vec<_> = a
        .doc
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Heading(2 | 3)))
        .collect();
    let limit = if cornerstone(a) { 250 } else { 300 };
    if subs.is_empty() {
        return if a.word_count >= limit {
            Verdict::new(
                2,
                "no_subheadings_long",
                "Keyphrase in Zwischenüberschriften: Der Text ist lang, hat aber keine Zwischenüberschriften. Gliedern Sie ihn mit H2- und H3-Überschriften, die das Thema aufgreifen.",
                "Keyphrase in subheading: You are not using any higher-level subheadings containing the keyphrase or its synonyms. Fix that!",
            )
        } else {
            Verdict::new(
                9,
                "short_text",
                "Keyphrase in Zwischenüberschriften: Der Text ist kurz genug für keine Zwischenüberschriften.",
                "Keyphrase in subheading: The text is short enough not to need subheadings.",
            )
        };
    }
    let matching: Vec<_> = subs
        .iter()
        .filter(|b| {
            let keys = a.keys.keys(a.doc.block_text(b));
            a.topics().any(|p| reflects_topic(a, p, &keys))
        })
        .collect();
    let (n, m) = (subs.len(), matching.len());
    let min = (n as f64 * 0.3).ceil() as usize;
    let max = (n as f64 * 0.75).floor() as usize;
    let marks: Vec<_> = subs.iter().map(|b| a.block_span(b)).collect();
    let share = m as f64 * 100.0 / n as f64;
    let v = if m == 0 {
        Verdict::new(
            3,
            "none",
            "Keyphrase in Zwischenüberschriften: Verwenden Sie die Keyphrase oder Synonyme in mehr H2- und H3-Überschriften.",
            "Keyphrase in subheading: Use more keyphrases or synonyms in your H2 and H3 subheadings!",
        )
    } else if m < min {
        Verdict::new(
            3,
            "too_few",
            format!("Keyphrase in Zwischenüberschriften: Nur {m} von {n} Zwischenüberschriften greifen das Thema auf. Verwenden Sie die Keyphrase in mehr davon."),
            format!("Keyphrase in subheading: Use more keyphrases or synonyms in your higher-level subheadings! ({m} of {n})"),
        )
    } else if m > max && n > 1 {
        Verdict::new(
            3,
            "too_many",
            format!("Keyphrase in Zwischenüberschriften: {m} von {n} Zwischenüberschriften enthalten die Keyphrase – zu viele. Das wirkt überoptimiert."),
            format!("Keyphrase in subheading: More than 75% of your higher-level subheadings reflect the topic of your copy. That's too much. Don't over-optimize! ({m} of {n})"),
        )
    } else {
        Verdict::new(
            9,
            "good",
            format!("Keyphrase in Zwischenüberschriften: {m} von {n} Zwischenüberschriften greifen das Thema auf. Gut gemacht!"),
            format!("Keyphrase in subheading: {m} of your higher-level subheadings reflect the topic of your copy. Good job!"),
        )
    };
    v.arg("matching", m)
        .arg("total", n)
        .value(share)
        .marks(marks)
}

/// A subheading reflects the topic when it holds more than half of the content words
/// (all of them for one- and two-word keyphrases).
fn reflects_topic(a: &Analysis, p: &Phrase, keys: &[String]) -> bool {
    let pct = a.keys.percent_found(p, keys);
    if p.terms.len() <= 2 {
        pct >= 100.0
    } else {
        pct > 50.0
    }
}

/// An anchor competes when it *is* the topic: it holds every content word of the keyphrase
/// (or a synonym) and no other content word ("Wärmepumpe im Altbau", but not "Förderung
/// für die Wärmepumpe im Altbau").
fn anchor_has_topic(a: &Analysis, text: &str) -> bool {
    let lexicon = crate::lexicon::Lexicon::get(a.lang);
    let keys: Vec<String> = imprimatur_check::text::words(text)
        .filter(|(_, w)| !lexicon.function_words.contains(w.to_lowercase().as_str()))
        .map(|(_, w)| a.keys.key(w))
        .collect();
    !keys.is_empty()
        && a.topics().any(|p| {
            a.keys.percent_found(p, &keys) >= 100.0
                && keys
                    .iter()
                    .all(|k| p.terms.iter().any(|t| a.keys.matches(t, k)))
        })
}

/// [textCompetingLinks] Links whose anchor text is the keyphrase compete with this page.
fn competing_links(a: &Analysis) -> Verdict {
    if a.keyphrase.is_none() {
        return Verdict::new(8, "no_keyphrase", no_keyphrase().de, no_keyphrase().en);
    }
    let competing: Vec<_> = a
        .doc
        .links
        .iter()
        .filter(|l| !l.is_image && anchor_has_topic(a, &l.text))
        .collect();
    let n = competing.len();
    let marks = competing
        .iter()
        .map(|l| a.doc.span(l.source.start, l.source.end));
    if n == 0 {
        Verdict::new(
            8,
            "good",
            "Konkurrierende Links: Kein Link verwendet die Keyphrase oder ein Synonym als Ankertext. Gut!",
            "Competing links: There are no links which use your keyphrase or synonym as their anchor text. Nice!",
        )
    } else {
        Verdict::new(
            2,
            "found",
            format!("Konkurrierende Links: {n} Link(s) verwenden die Keyphrase als Ankertext. So konkurrieren Sie mit der verlinkten Seite um dieselbe Suchanfrage – ändern Sie den Ankertext."),
            format!("Competing links: You're linking to another page with the words you want this page to rank for ({n} links). Don't do that!"),
        )
    }
    .arg("count", n)
    .value(n as f64)
    .marks(marks)
}

/// [imageKeyphrase] Keyphrase in the alt text of some (30–75 % from five images on) images.
fn image_alt(a: &Analysis) -> Verdict {
    let imgs: Vec<_> = a.doc.links.iter().filter(|l| l.is_image).collect();
    let marks: Vec<_> = imgs
        .iter()
        .map(|l| a.doc.span(l.source.start, l.source.end))
        .collect();
    if imgs.is_empty() || a.keyphrase.is_none() {
        return Verdict::new(
            3,
            "no_images",
            "Keyphrase im Alt-Text: Die Seite hat keine Bilder oder keine Keyphrase. Fügen Sie Bilder mit Alt-Texten hinzu, die die Keyphrase enthalten.",
            "Keyphrase in image alt attributes: This page does not have images, a keyphrase, or both. Add some images with alt attributes that include the keyphrase or synonyms!",
        )
        .value(0.0)
        .marks(marks);
    }
    let n = imgs.len();
    let with_alt = imgs.iter().filter(|l| !l.text.trim().is_empty()).count();
    // An alt text reflects the topic with half of its content words: alt texts describe
    // images ("Naturnaher Gartenteich mit Seerosen" for "Gartenteich anlegen").
    let m = imgs
        .iter()
        .filter(|l| {
            let keys = a.keys.keys(&l.text);
            a.topics().any(|p| a.keys.percent_found(p, &keys) >= 50.0)
        })
        .count();
    let cs_off = if cornerstone(a) { 3 } else { 6 };
    let v = if with_alt == 0 {
        Verdict::new(
            cs_off,
            "no_alt",
            "Keyphrase im Alt-Text: Die Bilder haben keine Alt-Texte. Beschreiben Sie sie und verwenden Sie dabei die Keyphrase.",
            "Keyphrase in image alt attributes: Images on this page do not have alt attributes that reflect the topic of your text. Add your keyphrase or synonyms to the alt tags of relevant images!",
        )
    } else if m == 0 {
        Verdict::new(
            cs_off,
            "missing",
            "Keyphrase im Alt-Text: Kein Alt-Text enthält die Keyphrase oder ein Synonym. Ergänzen Sie sie bei passenden Bildern.",
            "Keyphrase in image alt attributes: Images on this page do not have alt attributes that reflect the topic of your text. Add your keyphrase or synonyms to the alt tags of relevant images!",
        )
    } else if n < 5 {
        Verdict::new(
            9,
            "good",
            "Keyphrase im Alt-Text: Gut gemacht!",
            "Keyphrase in image alt attributes: Good job!",
        )
    } else {
        let min = (n as f64 * 0.3).ceil() as usize;
        let max = (n as f64 * 0.75).floor() as usize;
        if m < min {
            Verdict::new(
                6,
                "too_few",
                format!("Keyphrase im Alt-Text: Nur {m} von {n} Bildern haben die Keyphrase im Alt-Text. Ergänzen Sie sie bei weiteren."),
                format!("Keyphrase in image alt attributes: Out of {n} images on this page, only {m} have an alt attribute that reflects the topic of your text. Add your keyphrase or synonyms to more alt tags!"),
            )
        } else if m > max {
            Verdict::new(
                6,
                "too_many",
                format!("Keyphrase im Alt-Text: {m} von {n} Bildern haben die Keyphrase im Alt-Text – zu viele. Beschreiben Sie die Bilder abwechslungsreicher."),
                format!("Keyphrase in image alt attributes: Out of {n} images on this page, {m} have alt attributes with words from your keyphrase or synonyms. That's a bit much. Only include the keyphrase when it fits the image!"),
            )
        } else {
            Verdict::new(
                9,
                "good",
                "Keyphrase im Alt-Text: Gut gemacht!",
                "Keyphrase in image alt attributes: Good job!",
            )
        }
    };
    v.arg("matching", m)
        .arg("total", n)
        .value(m as f64)
        .marks(marks)
}

/// [images] At least one image.
fn images(a: &Analysis) -> Verdict {
    let n = a.doc.links.iter().filter(|l| l.is_image).count();
    if n == 0 {
        Verdict::new(
            3,
            "none",
            "Bilder: Auf der Seite gibt es keine Bilder. Fügen Sie welche hinzu.",
            "Images: No images appear on this page. Add some!",
        )
    } else {
        Verdict::new(9, "good", "Bilder: Gut gemacht!", "Images: Good job!")
    }
    .arg("count", n)
    .value(n as f64)
}

/// [textLength] 300 words (900 for cornerstone content).
fn text_length(a: &Analysis) -> Verdict {
    let w = a.word_count;
    let (rec, slightly, below, far) = if cornerstone(a) {
        (900, 400, 300, 0)
    } else {
        (300, 250, 200, 100)
    };
    let score = if w >= rec {
        9
    } else if w >= slightly {
        6
    } else if cornerstone(a) {
        -20
    } else if w >= below {
        3
    } else if w >= far {
        -10
    } else {
        -20
    };
    let v = if score == 9 {
        Verdict::new(
            9,
            "good",
            format!("Textlänge: Der Text hat {w} Wörter. Gut gemacht!"),
            format!("Text length: The text contains {w} words. Good job!"),
        )
    } else {
        Verdict::new(
            score,
            "too_short",
            format!("Textlänge: Der Text hat {w} Wörter, empfohlen sind mindestens {rec}. Ergänzen Sie Inhalt."),
            format!("Text length: The text contains {w} words. This is below the recommended minimum of {rec} words. Add more content."),
        )
    };
    v.arg("words", w).arg("minimum", rec).value(w as f64)
}

/// [externalLinks] At least one link to another site.
fn external_links(a: &Analysis) -> Verdict {
    let ext: Vec<_> = a
        .doc
        .links
        .iter()
        .filter(|l| !l.is_image && a.cfg.is_external(&l.url))
        .collect();
    let n = ext.len();
    if n == 0 {
        Verdict::new(
            3,
            "none",
            "Externe Links: Die Seite verlinkt keine anderen Websites. Belegen Sie Aussagen mit Quellen.",
            "Outbound links: No outbound links appear in this page. Add some!",
        )
    } else {
        Verdict::new(9, "good", "Externe Links: Gut gemacht!", "Outbound links: Good job!")
    }
    .arg("count", n)
    .value(n as f64)
    .marks(ext.iter().map(|l| a.doc.span(l.source.start, l.source.end)))
}

/// [internalLinks] At least one link within the site.
fn internal_links(a: &Analysis) -> Verdict {
    let int: Vec<_> = a
        .doc
        .links
        .iter()
        .filter(|l| !l.is_image && a.cfg.is_internal(&l.url))
        .collect();
    let n = int.len();
    if n == 0 {
        Verdict::new(
            3,
            "none",
            "Interne Links: Die Seite verlinkt keine anderen Seiten dieser Website. Ergänzen Sie passende Links.",
            "Internal links: No internal links appear in this page, make sure to add some!",
        )
    } else {
        Verdict::new(9, "good", "Interne Links: Gut gemacht!", "Internal links: You have enough internal links. Good job!")
    }
    .arg("count", n)
    .value(n as f64)
    .marks(int.iter().map(|l| a.doc.span(l.source.start, l.source.end)))
}

/// [keyphraseInSEOTitle] The exact keyphrase at the start of the title is good; elsewhere, or
/// all its words in any order, ok.
fn title_keyphrase(a: &Analysis) -> Verdict {
    let mark = a.front_matter_span("title");
    let title = a.doc.front_matter.title.clone().unwrap_or_default();
    let Some(k) = &a.keyphrase else {
        return Verdict::new(2, "no_keyphrase", no_keyphrase().de, no_keyphrase().en).marks([mark]);
    };
    if title.trim().is_empty() {
        return Verdict::new(
            2,
            "no_title",
            "Keyphrase im SEO-Titel: Es gibt noch keinen Titel (title).",
            "Keyphrase in SEO title: Please create an SEO title.",
        )
        .marks([mark]);
    }
    let words: Vec<String> = imprimatur_check::text::words(&title)
        .map(|(_, w)| w.to_string())
        .collect();
    let keys: Vec<String> = words.iter().map(|w| a.keys.key(w)).collect();
    let kkeys: Vec<String> = k.words.iter().map(|w| a.keys.key(w)).collect();
    let exact = (0..keys.len()).find(|&i| {
        kkeys.len() <= keys.len() - i
            && kkeys
                .iter()
                .enumerate()
                .all(|(j, kk)| a.keys.matches(kk, &keys[i + j]) || *kk == keys[i + j])
    });
    // Leading function words ("Die Wärmepumpe im Altbau") do not move the keyphrase.
    let lexicon = crate::lexicon::Lexicon::get(a.lang);
    let lead = words
        .iter()
        .take_while(|w| lexicon.function_words.contains(w.to_lowercase().as_str()))
        .count();
    let v = match exact {
        Some(i) if i <= lead => Verdict::new(
            9,
            "start",
            "Keyphrase im SEO-Titel: Die Keyphrase steht am Anfang des Titels. Gut gemacht!",
            "Keyphrase in SEO title: The exact match of the focus keyphrase appears at the beginning of the SEO title. Good job!",
        ),
        Some(_) => Verdict::new(
            6,
            "not_at_start",
            "Keyphrase im SEO-Titel: Die Keyphrase steht im Titel, aber nicht am Anfang. Stellen Sie sie nach vorn.",
            "Keyphrase in SEO title: The exact match of the focus keyphrase appears in the SEO title, but not at the beginning. Move it to the beginning for the best results.",
        ),
        None if a.keys.percent_found(k, &keys) >= 100.0 => Verdict::new(
            6,
            "words_only",
            "Keyphrase im SEO-Titel: Alle Wörter der Keyphrase stehen im Titel, aber nicht in dieser Form. Verwenden Sie die Keyphrase genau so.",
            "Keyphrase in SEO title: Does not contain the exact match. Try to write the exact match of your keyphrase in the SEO title and put it at the beginning of the title.",
        ),
        None => Verdict::new(
            2,
            "missing",
            "Keyphrase im SEO-Titel: Der Titel enthält die Keyphrase nicht. Setzen Sie sie an den Anfang.",
            "Keyphrase in SEO title: Not all the words from your keyphrase appear in the SEO title. For the best SEO results write the exact match of your keyphrase in the SEO title, and put the keyphrase at the beginning of the title.",
        ),
    };
    v.value(exact.map_or(-1.0, |i| i as f64)).marks([mark])
}

/// [titleWidth] 400–600 px at Arial 20 px (see [`serp`]).
fn title_width(a: &Analysis) -> Verdict {
    let mark = a.front_matter_span("title");
    let title = a.seo_title();
    let px = serp::width_px(&title, serp::DESKTOP);
    let max = serp::DESKTOP.max_px;
    let v = if title.is_empty() {
        Verdict::new(
            1,
            "missing",
            "Breite des SEO-Titels: Es gibt noch keinen Titel.",
            "SEO title width: Please create an SEO title.",
        )
    } else if px <= 400.0 {
        Verdict::new(
            // yoastseo 3.6 rates short titles good too (`widthTooShort: 9`); the message
            // still suggests using the space.
            9,
            "too_short",
            format!("Breite des SEO-Titels: Der Titel ist mit {} px zu kurz. Nutzen Sie den Platz bis {max} px.", num(px, Lang::De)),
            format!("SEO title width: The SEO title is too short ({px} px). Use the space to add keyphrase variations or create compelling call-to-action copy."),
        )
    } else if px > max {
        Verdict::new(
            3,
            "too_long",
            format!("Breite des SEO-Titels: Der Titel ist {} px breit und wird bei {max} px abgeschnitten. Kürzen Sie ihn.", num(px, Lang::De)),
            format!("SEO title width: The SEO title is wider than the viewable limit ({px} of {max} px). Try to make it shorter."),
        )
    } else {
        Verdict::new(
            9,
            "good",
            "Breite des SEO-Titels: Gut gemacht!",
            "SEO title width: Good job!",
        )
    };
    v.arg("width_px", num(px, a.lang)).value(px).marks([mark])
}

/// [slugKeyword] The keyphrase's words in the slug (umlauts as ae, oe, ue, ss).
fn slug(a: &Analysis) -> Verdict {
    let mark = a.front_matter_span("slug");
    let slug = a.doc.front_matter.slug.clone().unwrap_or_default();
    let Some(k) = &a.keyphrase else {
        return Verdict::new(3, "no_keyphrase", no_keyphrase().de, no_keyphrase().en).marks([mark]);
    };
    if slug.trim().is_empty() {
        return Verdict::new(
            3,
            "no_slug",
            "Keyphrase im Slug: Es gibt noch keinen Slug.",
            "Keyphrase in slug: Please create a slug.",
        )
        .marks([mark]);
    }
    // Slug words, and the keyphrase's content words written as in URLs.
    let parts: Vec<String> = slug
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| p.to_lowercase())
        .collect();
    let lexicon = crate::lexicon::Lexicon::get(a.lang);
    let content: Vec<&String> = k
        .words
        .iter()
        .filter(|w| !lexicon.function_words.contains(w.as_str()))
        .collect();
    let content = if content.is_empty() {
        k.words.iter().collect()
    } else {
        content
    };
    let joined = parts.concat();
    let found = content
        .iter()
        .filter(|w| {
            let t = transliterate(w);
            let f = crate::keyphrase::fold(w);
            parts.iter().any(|p| *p == t || *p == f)
                || (a.cfg.word_forms && {
                    let key = a.keys.key(&t);
                    parts.iter().any(|p| a.keys.matches(&key, &a.keys.key(p)))
                        || (a.lang == Lang::De && t.len() >= 4 && joined.contains(&t))
                })
        })
        .count();
    let pct = found as f64 * 100.0 / content.len() as f64;
    let good = if content.len() < 3 {
        pct >= 100.0
    } else {
        pct > 50.0
    };
    let v = if good {
        Verdict::new(
            9,
            "good",
            "Keyphrase im Slug: Sehr gut!",
            "Keyphrase in slug: Great work!",
        )
    } else {
        Verdict::new(
            if cornerstone(a) { 3 } else { 6 },
            "missing",
            "Keyphrase im Slug: Die Keyphrase steht (teilweise) nicht im Slug. Ändern Sie das.",
            "Keyphrase in slug: (Part of) your keyphrase does not appear in the slug. Change that!",
        )
    };
    v.value(pct).marks([mark])
}

/// [singleH1] At most one H1 in the body.
fn single_h1(a: &Analysis) -> Verdict {
    let h1: Vec<_> = a
        .doc
        .headings()
        .filter(|(l, _)| *l == 1)
        .map(|(_, b)| a.block_span(b))
        .collect();
    let n = h1.len();
    if n <= 1 {
        Verdict::new(
            8,
            "good",
            "Einzelne H1: Der Text hat höchstens eine H1-Überschrift. Gut gemacht!",
            "Single title: You don't have multiple H1 headings, well done!",
        )
    } else {
        Verdict::new(
            1,
            "multiple",
            format!("Einzelne H1: Der Text hat {n} H1-Überschriften. Machen Sie aus allen außer der ersten H2-Überschriften."),
            format!("Single title: H1s should only be used as your main title. Find all H1s in your text that aren't your main title and change them to a lower heading level! ({n} H1s)"),
        )
    }
    .arg("count", n)
    .value(n as f64)
    .marks(h1)
}
