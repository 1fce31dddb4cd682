//! Where a run of plain string text ends: the next `"`, `\` or control character, the bytes a
//! JSON string cannot hold as they are. The parser skips such runs and the writer copies them,
//! eight bytes at a time: most of a form's JSON is string text.

/// The length of the leading run of `bytes` that holds no `"`, `\` or control character.
pub(super) fn plain_len(bytes: &[u8]) -> usize {
    let mut len = 0;
    while let Some(word) = bytes
        .get(len..len + 8)
        .and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
    {
        let marks = special_bytes(u64::from_le_bytes(word));
        if marks != 0 {
            return len + (marks.trailing_zeros() / 8) as usize;
        }
        len += 8;
    }
    while bytes.get(len).is_some_and(|&byte| !is_special(byte)) {
        len += 1;
    }
    len
}

/// Whether a string must escape `byte`.
pub(super) fn is_special(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The high bit of each byte of `word` (little-endian) that [`is_special`]. A borrow can mark a
/// byte after a marked one too, never one before it: the lowest mark is exact.
fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = zero_byte(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) & (ONES << 7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest::proptest! {
        #[test]
        fn a_plain_run_ends_at_the_first_special_byte(
            plain in proptest::collection::vec(
                proptest::sample::select(vec![b' ', b'a', b'~', 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xe4, 0xff]),
                0..30,
            ),
            rest in proptest::collection::vec(any::<u8>(), 0..12),
        ) {
            let bytes = [plain, rest].concat();
            let expected = bytes.iter().position(|&b| is_special(b)).unwrap_or(bytes.len());
            prop_assert_eq!(plain_len(&bytes), expected);
        }
    }
}
