//! Lowercasing for the comparisons that ignore case: emails (SPEC §2) and the directory's
//! order (SPEC §6).
//!
//! Each character maps as [`char::to_lowercase`] maps it: Unicode's data, taken from the
//! toolchain's standard library by `build.rs`. Unlike [`str::to_lowercase`], Σ is always σ,
//! never ς at the end of a word: whether two texts are equal ignoring case must not depend on
//! where a letter stands. The mapping is kept as runs of characters that share an offset, a
//! couple of kilobytes where std's tables of pairs and of final-sigma context are about 15 KB of
//! the WASM module.

include!(concat!(env!("OUT_DIR"), "/lowercase.rs"));

/// `text` with every character lowercased.
pub fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.chars().flat_map(lower_chars).collect()
}

/// Whether `a` and `b` are equal once lowercased, without building either.
pub fn eq_ignoring_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(lower_chars)
        .eq(b.chars().flat_map(lower_chars))
}

/// A character's lowercase: one character, or two for U+0130 alone.
fn lower_chars(c: char) -> impl Iterator<Item = char> {
    let (first, second) = match c {
        // LATIN CAPITAL LETTER I WITH DOT ABOVE: "i" and a combining dot above.
        '\u{130}' => ('i', Some('\u{307}')),
        _ => (lower_char(c), None),
    };
    std::iter::once(first).chain(second)
}

/// A character's lowercase when it is one character (every character but U+0130).
fn lower_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let code = u32::from(c);
    let after = RUNS.partition_point(|&(key, _)| key >> 8 <= code);
    let Some(&(key, offset)) = after.checked_sub(1).and_then(|i| RUNS.get(i)) else {
        return c;
    };
    let (first, count, step) = (key >> 8, ((key >> 1) & 0x7f) + 1, (key & 1) + 1);
    let distance = code - first;
    let inside = distance % step == 0 && distance / step < count;
    match code.checked_add_signed(offset).and_then(char::from_u32) {
        Some(lower) if inside => lower,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_lowercases_as_std_maps_it() {
        let mut changed = 0;
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert!(
                lower_chars(c).eq(c.to_lowercase()),
                "{c:?} (U+{:04X})",
                u32::from(c)
            );
            changed += usize::from(lower_chars(c).ne(std::iter::once(c)));
        }
        // Guards against a table that maps nothing: std changes 1,4xx characters.
        assert!(changed > 1400, "{changed}");
    }

    #[test]
    fn texts_lowercase_character_by_character() {
        assert_eq!(lowercase("Admin@Contoso.COM"), "admin@contoso.com");
        assert_eq!(
            lowercase("ÄÖÜ Straße ΣΟΦΙΑ Москва İ"),
            "äöü straße σοφια москва i\u{307}"
        );
        // std lowers a word-final Σ to ς; a comparison ignoring case must not care where it is.
        assert_eq!(lowercase("ΟΔΟΣ"), "οδοσ");
        assert_ne!("ΟΔΟΣ".to_lowercase(), "οδοσ");
    }

    #[test]
    fn equality_ignores_case_in_and_beyond_ascii() {
        assert!(eq_ignoring_case("Admin@Contoso.com", "admin@contoso.COM"));
        assert!(!eq_ignoring_case("admin@contoso.com", "admin@contoso.co"));
        assert!(eq_ignoring_case("ÉLODIE@Exemple.fr", "élodie@exemple.FR"));
        assert!(eq_ignoring_case("ΟΔΟΣ", "οδος".replace('ς', "σ").as_str()));
        assert!(eq_ignoring_case("İ", "i\u{307}"));
        assert!(!eq_ignoring_case("İ", "i"));
        assert!(!eq_ignoring_case("é", "e"));
    }

    proptest::proptest! {
        #[test]
        fn equality_is_equality_of_lowercase(a in "[aA\u{e9}\u{c9}\u{130}i\u{307}\u{3a3}\u{3c3}]{0,6}", b in "[aA\u{e9}\u{c9}\u{130}i\u{307}\u{3a3}\u{3c3}]{0,6}") {
            proptest::prop_assert_eq!(eq_ignoring_case(&a, &b), lowercase(&a) == lowercase(&b));
        }
    }
}
