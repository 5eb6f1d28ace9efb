//! Prints every assessment's rating and the text statistics for the Markdown files given:
//! `cargo run -p imprimatur-seo --example ratings -- FILE...`
fn main() {
    for f in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&f).unwrap();
        let doc = imprimatur_check::Document::parse(text, imprimatur_check::Lang::De);
        let r = imprimatur_seo::check(&doc, &imprimatur_seo::SeoConfig::default());
        let name = std::path::Path::new(&f)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        println!("{name} stats {:?}", r.stats);
        for a in &r.assessments {
            println!("{name} {} {:?} {:?}", a.id, a.rating, a.value);
        }
    }
}
