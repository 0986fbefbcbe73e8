use std::env;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

#[path = "src/metadata/loader.rs"]
mod loader;

#[path = "src/error.rs"]
mod error;

fn main() {
    let pnm_path = "assets/PhoneNumberMetadata.xml";
    let metadata = loader::load(BufReader::new(
        File::open(pnm_path).expect("could not open metadata file"),
    ))
    .expect("failed to load metadata");
    println!("cargo:rerun-if-changed={pnm_path}");

    // Every pattern the database compiles (see `Database::from`) is checked here, with the
    // parser regex-cache uses, so the built-in database can skip that check when it loads.
    let mut checked = 0;
    for meta in &metadata {
        let id = meta.id.as_deref().unwrap_or("?");
        let mut check = |what: &str, pattern: &str| {
            if let Err(e) = regex_syntax::Parser::new().parse(pattern) {
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
                check("nationalNumberPattern", p);
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

    let mut out = BufWriter::new(
        File::create(Path::new(&env::var("OUT_DIR").unwrap()).join("database.bin"))
            .expect("could not create database file"),
    );

    postcard::to_io(&metadata, &mut out).expect("failed to serialize database");
}
