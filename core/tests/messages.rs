//! Snapshots of the English and Simplified Chinese message of every error code (SPEC §11).

// Test code: a broken fixture should fail loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use saps_core::error::{Locale, ProblemKind};
use std::collections::BTreeSet;

#[test]
fn every_code_has_a_message_in_both_locales() {
    let catalogue: Vec<String> = ProblemKind::examples()
        .iter()
        .map(|kind| {
            let en = kind.message(Locale::En);
            let zh = kind.message(Locale::ZhCn);
            assert!(!en.is_empty() && !zh.is_empty(), "{}", kind.code());
            assert_ne!(en, zh, "{} is not translated", kind.code());
            assert!(!en.ends_with('.'), "{}: no trailing period", kind.code());
            format!("{}\n  en: {en}\n  zh-CN: {zh}", kind.code())
        })
        .collect();
    insta::assert_snapshot!(catalogue.join("\n"));
}

#[test]
fn codes_are_unique_and_dotted() {
    let examples = ProblemKind::examples();
    let codes: BTreeSet<&str> = examples.iter().map(|k| k.code()).collect();
    assert_eq!(codes.len(), examples.len(), "one example per code");
    for code in codes {
        let (area, name) = code.split_once('.').expect("dotted");
        assert!(
            !area.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()),
            "{code}"
        );
    }
}
