//! Core's own checks of the JSON layer that need its private parts.

#[path = "../../../tests/vectors/files.rs"]
mod files;

use super::*;
use std::cell::Cell;

thread_local! {
    /// How many texts `same_as_serdes` has compared on this thread.
    static COMPARED: Cell<usize> = const { Cell::new(0) };
}

pub(super) fn same_as_serdes<T: Serialize>(value: &T, text: &str) {
    let serdes = serde_json::to_string(value).unwrap_or_default();
    assert_eq!(
        text,
        serdes,
        "ToJson and serde_json write {}",
        std::any::type_name::<T>()
    );
    COMPARED.with(|count| count.set(count.get() + 1));
}

#[test]
fn every_output_is_written_as_serde_writes_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let catalog = Catalog::sample().unwrap_or_else(|e| panic!("{e}"));
    let mut cases = 0;
    for file in files::read_vector_files(&files::vector_dirs(dir)).unwrap_or_default() {
        for case in crate::vectors::parse_file(&file.text).unwrap_or_default() {
            let input = case.input.to_string();
            for locale in [Locale::En, Locale::ZhCn] {
                run_str(catalog, &case.rule, &input, case.today, locale);
            }
            cases += 1;
        }
    }
    // Every answer was written, a success or a failure, in both locales.
    assert!(cases >= 200, "only {cases} vectors");
    assert_eq!(COMPARED.with(Cell::get), 2 * cases);
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    for text in [
        "",
        "plain",
        "\"quoted\" \\ back\\slash",
        "tab\t newline\n return\r nul\u{0} bell\u{7} esc\u{1b} del\u{7f} \u{8}\u{c}",
        "中文 ü 😀 \u{2028}",
    ] {
        same_as_serdes(&text, &write::wrapped("", &text, ""));
    }
}
