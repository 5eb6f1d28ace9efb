//! The readability assessments: structure (subheadings, paragraphs), sentences (length,
//! transitions, passive voice, repeated beginnings), and the formulas (Flesch/Amstad,
//! Wiener Sachtextformel, LIX). Thresholds start from yoastseo 3.6.

use imprimatur_check::{BlockKind, Lang};

use crate::analysis::{is_text, num, token_count, Analysis, Verdict};
use crate::lexicon::Lexicon;
use crate::passive::is_passive;
use crate::Assessment;

pub(crate) fn assess(a: &Analysis) -> Vec<Assessment> {
    let mut out = vec![
        a.assessment(
            "readability.subheading_distribution",
            subheading_distribution(a),
        ),
        a.assessment("readability.paragraph_length", paragraph_length(a)),
        a.assessment("readability.sentence_length", sentence_length(a)),
        a.assessment("readability.transition_words", transition_words(a)),
        a.assessment("readability.passive_voice", passive_voice(a)),
        a.assessment("readability.sentence_beginnings", sentence_beginnings(a)),
        a.assessment("readability.flesch_reading_ease", flesch(a)),
    ];
    if a.lang == Lang::De {
        out.push(a.assessment("readability.wiener_sachtextformel", wiener(a)));
    }
    out.push(a.assessment("readability.lix", lix(a)));
    out
}

fn pct(part: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        crate::stats::round1(part as f64 * 100.0 / total as f64)
    }
}

/// [subheadingsTooLong] At most 300 words (250 for cornerstone) after each subheading.
fn subheading_distribution(a: &Analysis) -> Verdict {
    let cs = a.doc.front_matter.cornerstone;
    let (limit, far) = if cs { (250, 300) } else { (300, 350) };
    // Sections: the text before the first subheading, then after each H2–H6.
    let mut sections: Vec<(Option<usize>, usize)> = vec![(None, 0)];
    for (i, b) in a.doc.blocks.iter().enumerate() {
        match b.kind {
            BlockKind::Heading(l) if l >= 2 => sections.push((Some(i), 0)),
            BlockKind::Heading(_) => {}
            _ if is_text(b) => {
                if let Some(last) = sections.last_mut() {
                    last.1 += token_count(a.doc.block_text(b));
                }
            }
            _ => {}
        }
    }
    let has_subheadings = sections.len() > 1;
    if !has_subheadings {
        let words = sections[0].1;
        return if words <= limit {
            Verdict::new(
                9,
                "short_text",
                "Verteilung der Zwischenüberschriften: Der Text braucht bei dieser Länge keine Zwischenüberschriften.",
                "Subheading distribution: You are not using any subheadings, but your text is short enough and probably doesn't need them.",
            )
        } else {
            Verdict::new(
                2,
                "none",
                format!("Verteilung der Zwischenüberschriften: Der Text hat {words} Wörter, aber keine Zwischenüberschriften. Gliedern Sie ihn."),
                "Subheading distribution: You are not using any subheadings, although your text is rather long. Try and add some subheadings.",
            )
            .value(words as f64)
        };
    }
    let long: Vec<_> = sections.iter().filter(|s| s.1 > limit).collect();
    let marks: Vec<_> = long
        .iter()
        .map(|(h, _)| match h {
            Some(i) => a.block_span(&a.doc.blocks[*i]),
            None => a.doc.span(a.doc.body_start, a.doc.body_start),
        })
        .collect();
    let longest = sections.iter().map(|s| s.1).max().unwrap_or(0);
    let intro = sections[0].1;
    let score = if intro > limit && long.len() < 2 {
        if intro > far {
            3
        } else {
            6
        }
    } else if longest <= limit {
        9
    } else if longest <= far {
        6
    } else {
        3
    };
    let v = if score == 9 {
        Verdict::new(
            9,
            "good",
            "Verteilung der Zwischenüberschriften: Sehr gut!",
            "Subheading distribution: Great job!",
        )
    } else {
        let n = long.len();
        Verdict::new(
            score,
            "too_long",
            format!("Verteilung der Zwischenüberschriften: {n} Abschnitt(e) haben mehr als {limit} Wörter. Gliedern Sie sie mit weiteren Zwischenüberschriften."),
            format!("Subheading distribution: {n} section(s) of your text are longer than {limit} words and are not separated by any subheadings. Add subheadings to improve readability."),
        )
        .arg("count", n)
    };
    v.arg("longest", longest).value(longest as f64).marks(marks)
}

/// [textParagraphTooLong] Paragraphs of at most 150 words.
fn paragraph_length(a: &Analysis) -> Verdict {
    let paras: Vec<_> = a
        .doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .map(|b| (b, token_count(a.doc.block_text(b))))
        .collect();
    let longest = paras.iter().map(|p| p.1).max().unwrap_or(0);
    let long: Vec<_> = paras.iter().filter(|p| p.1 > 150).collect();
    let score = if longest <= 150 {
        9
    } else if longest <= 200 {
        6
    } else {
        3
    };
    let v = if score == 9 {
        Verdict::new(
            9,
            "good",
            "Absatzlänge: Kein Absatz ist zu lang. Sehr gut!",
            "Paragraph length: There are no paragraphs that are too long. Great job!",
        )
    } else {
        let n = long.len();
        Verdict::new(
            score,
            "too_long",
            format!("Absatzlänge: {n} Absatz/Absätze haben mehr als 150 Wörter (der längste {longest}). Teilen Sie sie."),
            format!("Paragraph length: {n} of the paragraphs contains more than the recommended maximum of 150 words. Shorten your paragraphs!"),
        )
        .arg("count", n)
    };
    v.arg("longest", longest)
        .value(longest as f64)
        .marks(long.iter().map(|(b, _)| a.block_span(b)))
}

/// [textSentenceLength] At most 25 % (cornerstone 20 %) of sentences over 20 words.
fn sentence_length(a: &Analysis) -> Verdict {
    let cs = a.doc.front_matter.cornerstone;
    let (slightly, far) = if cs { (20.0, 25.0) } else { (25.0, 30.0) };
    let long: Vec<_> = a.sentences.iter().filter(|s| s.length > 20).collect();
    let share = pct(long.len(), a.sentences.len());
    let score = if share <= slightly {
        9
    } else if share <= far {
        6
    } else {
        3
    };
    let v = if score == 9 {
        Verdict::new(9, "good", "Satzlänge: Sehr gut!", "Sentence length: Great!")
    } else {
        Verdict::new(
            score,
            "too_many_long",
            format!("Satzlänge: {} % der Sätze haben mehr als 20 Wörter, empfohlen sind höchstens {} %. Kürzen Sie die Sätze.", num(share, Lang::De), slightly),
            format!("Sentence length: {share}% of the sentences contain more than 20 words, which is more than the recommended maximum of {slightly}%. Try to shorten the sentences."),
        )
    };
    v.arg("percent", num(share, a.lang))
        .value(share)
        .marks(long.iter().map(|s| a.sentence_span(s)))
}

fn lower_words(words: &[String]) -> Vec<String> {
    words.iter().map(|w| w.to_lowercase()).collect()
}

/// [textTransitionWords] At least 30 % of sentences with a transition word (from 200 words on).
fn transition_words(a: &Analysis) -> Verdict {
    let lexicon = Lexicon::get(a.lang);
    let with = a
        .sentences
        .iter()
        .filter(|s| lexicon.has_transition(&lower_words(&s.words)))
        .count();
    let share = pct(with, a.sentences.len());
    if a.word_count < 200 {
        return Verdict::new(
            9,
            "short_text",
            "Übergangswörter: Der Text ist kurz; hier zählen Übergangswörter noch nicht.",
            "Transition words: The text is short, transition words are not assessed yet.",
        )
        .value(share);
    }
    let score = if share < 20.0 {
        3
    } else if share < 30.0 {
        6
    } else {
        9
    };
    let v = if score == 9 {
        Verdict::new(
            9,
            "good",
            "Übergangswörter: Gut gemacht!",
            "Transition words: Well done!",
        )
    } else {
        Verdict::new(
            score,
            "too_few",
            format!("Übergangswörter: Nur {} % der Sätze enthalten Übergangswörter wie „außerdem“, „deshalb“ oder „trotzdem“. Empfohlen sind mindestens 30 %.", num(share, Lang::De)),
            format!("Transition words: Only {share}% of the sentences contain transition words, which is not enough. Use more of them."),
        )
    };
    v.arg("percent", num(share, a.lang)).value(share)
}

/// [passiveVoice] At most 10 % of sentences in the passive voice.
fn passive_voice(a: &Analysis) -> Verdict {
    let passive: Vec<_> = a
        .sentences
        .iter()
        .filter(|s| {
            let w: Vec<&str> = s.words.iter().map(String::as_str).collect();
            is_passive(&w, a.lang)
        })
        .collect();
    let share = pct(passive.len(), a.sentences.len());
    let score = if share <= 10.0 {
        9
    } else if share <= 15.0 {
        6
    } else {
        3
    };
    let v = if score == 9 {
        Verdict::new(
            9,
            "good",
            "Passiv: Sehr gut!",
            "Passive voice: You are not using too much passive voice. That's great!",
        )
    } else {
        Verdict::new(
            score,
            "too_much",
            format!("Passiv: {} % der Sätze stehen im Passiv, empfohlen sind höchstens 10 %. Formulieren Sie aktiv: Wer tut was?", num(share, Lang::De)),
            format!("Passive voice: {share}% of the sentences contain passive voice, which is more than the recommended maximum of 10%. Try to use their active counterparts."),
        )
    };
    v.arg("percent", num(share, a.lang))
        .value(share)
        .marks(passive.iter().map(|s| a.sentence_span(s)))
}

/// [sentenceBeginnings] No more than two consecutive sentences starting with the same word.
fn sentence_beginnings(a: &Analysis) -> Verdict {
    let lexicon = Lexicon::get(a.lang);
    let beginning = |w: &[String]| {
        let first = w[0].to_lowercase();
        if lexicon.first_word_exceptions.contains(first.as_str()) && w.len() > 1 {
            format!("{first} {}", w[1].to_lowercase())
        } else {
            first
        }
    };
    let mut runs: Vec<(String, usize, usize)> = Vec::new(); // beginning, first sentence, count
    for (i, s) in a.sentences.iter().enumerate() {
        let b = beginning(&s.words);
        match runs.last_mut() {
            Some(r) if r.0 == b => r.2 += 1,
            _ => runs.push((b, i, 1)),
        }
    }
    let repeated: Vec<_> = runs.iter().filter(|r| r.2 > 2).collect();
    if repeated.is_empty() {
        return Verdict::new(
            9,
            "good",
            "Satzanfänge: Keine Wiederholungen am Satzanfang. Sehr gut!",
            "Consecutive sentences: There are no repetitive sentence beginnings. That's great!",
        )
        .value(0.0);
    }
    let worst = repeated.iter().map(|r| r.2).max().unwrap_or(0);
    let marks = repeated.iter().flat_map(|r| {
        a.sentences[r.1..r.1 + r.2]
            .iter()
            .map(|s| a.sentence_span(s))
    });
    Verdict::new(
        3,
        "repeated",
        format!("Satzanfänge: {worst} aufeinanderfolgende Sätze beginnen mit „{}“. Variieren Sie die Satzanfänge.", repeated[0].0),
        format!("Consecutive sentences: The text contains {worst} consecutive sentences starting with the same word (\"{}\"). Try to mix things up!", repeated[0].0),
    )
    .arg("count", worst)
    .arg("word", &repeated[0].0)
    .value(worst as f64)
    .marks(marks)
}

/// Flesch reading ease: Amstad's formula for German, Flesch's for English. 60 and more
/// reads easily, below 50 is hard.
fn flesch(a: &Analysis) -> Verdict {
    let f = a.stats.flesch_reading_ease;
    let formula = match a.lang {
        Lang::De => "Flesch-Lesbarkeit (Amstad)",
        Lang::En => "Flesch-Lesbarkeit",
    };
    let v = if f >= 60.0 {
        Verdict::new(
            9,
            "good",
            format!("{formula}: {} – gut lesbar.", num(f, Lang::De)),
            format!("Flesch reading ease: {f} – easy to read."),
        )
    } else if f >= 50.0 {
        Verdict::new(
            6,
            "ok",
            format!(
                "{formula}: {} – mittelschwer. Kürzere Sätze und Wörter helfen.",
                num(f, Lang::De)
            ),
            format!(
                "Flesch reading ease: {f} – fairly difficult. Shorter sentences and words help."
            ),
        )
    } else {
        Verdict::new(3, "hard", format!("{formula}: {} – schwer lesbar. Kürzen Sie Sätze und ersetzen Sie lange Wörter.", num(f, Lang::De)), format!("Flesch reading ease: {f} – difficult to read. Shorten sentences and replace long words."))
    };
    v.arg("value", num(f, a.lang)).value(f).unscored()
}

/// Wiener Sachtextformel (German school grade 4–15): up to 10 good, up to 12 ok.
fn wiener(a: &Analysis) -> Verdict {
    let w = a.stats.wiener_sachtextformel.unwrap_or(0.0);
    let (score, variant) = if w <= 10.0 {
        (9, "good")
    } else if w <= 12.0 {
        (6, "ok")
    } else {
        (3, "hard")
    };
    Verdict::new(
        score,
        variant,
        format!(
            "Wiener Sachtextformel: Schulstufe {} (empfohlen: bis 10).",
            num(w, Lang::De)
        ),
        format!("Wiener Sachtextformel: school grade {w} (recommended: up to 10)."),
    )
    .arg("value", num(w, a.lang))
    .value(w)
    .unscored()
}

/// LIX (Björnsson): below 45 good, up to 55 ok.
fn lix(a: &Analysis) -> Verdict {
    let l = a.stats.lix;
    let (score, variant) = if l < 45.0 {
        (9, "good")
    } else if l <= 55.0 {
        (6, "ok")
    } else {
        (3, "hard")
    };
    Verdict::new(
        score,
        variant,
        format!(
            "LIX: {} (unter 45 gut lesbar, über 55 schwer).",
            num(l, Lang::De)
        ),
        format!("LIX: {l} (below 45 reads easily, above 55 is hard)."),
    )
    .arg("value", num(l, a.lang))
    .value(l)
    .unscored()
}
