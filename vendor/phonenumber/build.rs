use std::env;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

#[path = "src/metadata/loader.rs"]
mod loader;

#[path = "src/error.rs"]
mod error;

#[path = "src/metadata/pattern.rs"]
#[allow(dead_code)]
mod pattern;

fn main() {
    let pnm_path = "assets/PhoneNumberMetadata.xml";
    let metadata = loader::load(BufReader::new(
        File::open(pnm_path).expect("could not open metadata file"),
    ))
    .expect("failed to load metadata");
    println!("cargo:rerun-if-changed={pnm_path}");

    // Every pattern the database compiles (see `convert` in src/metadata/database.rs) is
    // compiled here, by the same regex-lite and with the same options, so the built-in database
    // can compile its patterns on first use without checking them again.
    let mut checked = 0;
    for meta in &metadata {
        let id = meta.id.as_deref().unwrap_or("?");
        let mut check = |what: &str, pattern: &str| {
            if let Err(e) = pattern::Pattern::builder(pattern).build() {
                panic!("{pnm_path}: {id} {what}: invalid pattern {pattern:?}: {e}");
            }
            checked += 1;
        };
        let descriptors = [
            &meta.general, &meta.fixed_line, &meta.mobile, &meta.toll_free, &meta.premium_rate,
            &meta.shared_cost, &meta.personal_number, &meta.voip, &meta.pager, &meta.uan,
            &meta.emergency, &meta.voicemail, &meta.short_code, &meta.standard_rate,
            &meta.carrier, &meta.no_international,
        ];
        for d in descriptors.into_iter().flatten() {
            if let Some(p) = &d.national_number {
                check("nationalNumberPattern", &format!("^(?:{p}\n)$"));
            }
        }
        for f in meta.formats.iter().chain(&meta.international_formats) {
            if let Some(p) = &f.pattern {
                check("numberFormat pattern", p);
            }
            for p in &f.leading_digits {
                check("leadingDigits", p);
            }
        }
        for (what, p) in [
            ("internationalPrefix", &meta.international_prefix),
            ("nationalPrefixForParsing", &meta.national_prefix_for_parsing),
            ("leadingDigits", &meta.leading_digits),
        ] {
            if let Some(p) = p {
                check(what, p);
            }
        }
    }
    assert!(checked > 1000, "only {checked} patterns found in {pnm_path}");

    // Each region is encoded on its own, so a process decodes only the regions it uses
    // (`Database::built_in`); the index says where each one lies.
    let out_dir = env::var("OUT_DIR").unwrap();
    let mut bytes = Vec::new();
    let mut index = String::from("const INDEX: &[(&str, u16, bool, usize, usize)] = &[\n");
    for meta in &metadata {
        let start = bytes.len();
        bytes.extend(postcard::to_stdvec(meta).expect("failed to serialize a region"));
        index += &format!(
            "    ({:?}, {}, {}, {}, {}),\n",
            meta.id.as_deref().expect("a region without an id"),
            meta.country_code.expect("a region without a country code"),
            meta.main_country_for_code,
            start,
            bytes.len(),
        );
    }
    index += "];\n";
    let mut out = BufWriter::new(
        File::create(Path::new(&out_dir).join("database.bin")).expect("could not create database file"),
    );
    out.write_all(&bytes).expect("failed to write database");
    std::fs::write(Path::new(&out_dir).join("database_index.rs"), index)
        .expect("failed to write database index");

    std::fs::write(Path::new(&out_dir).join("unicode_classes.rs"), unicode_classes())
        .expect("failed to write the Unicode classes");
}

/// The Unicode classes the parser's own patterns need, written out as ranges: regex-lite has
/// no `\p{..}`. From regex-syntax, the parser the regex crate uses, so they are the classes
/// the crate matched with before (Clickdial's patch).
fn unicode_classes() -> String {
    fn ranges(pattern: &str) -> String {
        let hir = regex_syntax::parse(pattern).expect("a Unicode class");
        let regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) = hir.kind()
        else {
            panic!("{pattern} is not a Unicode class");
        };
        class
            .ranges()
            .iter()
            .map(|r| format!("\\x{{{:X}}}-\\x{{{:X}}}", r.start() as u32, r.end() as u32))
            .collect()
    }
    format!(
        "/// Unicode's decimal digits (`\\p{{Nd}}`), as the inside of a character class.\n\
         pub(crate) const DIGIT_RANGES: &str = r\"{digits}\";\n\
         /// Pattern for digits: Unicode's decimal digits (`\\p{{Nd}}`).\n\
         pub const DIGITS: &str = r\"[{digits}]\";\n\
         /// Unicode's numbers and letters (`\\p{{N}}`, `\\p{{L}}`), as the inside of a character class.\n\
         pub(crate) const NUMBER_OR_LETTER_RANGES: &str = r\"{number_or_letter}\";\n",
        digits = ranges(r"\p{Nd}"),
        number_or_letter = ranges(r"[\p{N}\p{L}]"),
    )
}
