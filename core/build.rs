//! Writes two tables into `OUT_DIR`:
//! - `lowercase.rs`: the toolchain's own Unicode lowercase mapping (`char::to_lowercase`),
//!   packed as runs of characters that share an offset, for `src/casing.rs`. Built from std
//!   here, the table cannot drift from it when the toolchain's Unicode version moves; `casing`'s
//!   tests compare every character with std again.
//! - `pow10.rs`: the literals `1e0` to `1e308`, which the compiler rounds to the nearest double,
//!   for the JSON parser's number reading (`src/json/parse.rs`).
//! - `catalog.json`: `data/catalog.json` without its layout, the text the WASM module embeds
//!   (0.8 KB less than the file as people edit it).

use std::fmt::Write as _;
use std::{env, fs, path::PathBuf};

/// Characters whose lowercase is more than one character; `casing.rs` maps them itself.
const SEVERAL: [char; 1] = ['\u{130}'];

/// Longest run one entry can hold (7 bits of count).
const MAX_RUN: u32 = 128;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=data/catalog.json");

    // Every character that lowercases to one other character, with the offset to it.
    let mut mapped: Vec<(u32, i64)> = Vec::new();
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l == c => {}
            (Some(l), None) => mapped.push((
                u32::from(c),
                i64::from(u32::from(l)) - i64::from(u32::from(c)),
            )),
            _ if SEVERAL.contains(&c) => {}
            _ => {
                return Err(
                    format!("{c:?} lowercases to several characters: add it to casing.rs").into(),
                );
            }
        }
    }

    // Greedy runs: consecutive characters (Latin-1, Cyrillic) or every other one (the upper and
    // lower pairs of Latin Extended), each with one offset.
    let mut runs: Vec<(u32, u32, u32, i64)> = Vec::new(); // first, count, step, offset
    let mut rest = mapped.as_slice();
    while let Some(&(first, offset)) = rest.first() {
        let run_of = |step: u32| {
            rest.iter()
                .zip(0..MAX_RUN)
                .take_while(|&(&(code, o), n)| code == first + n * step && o == offset)
                .count()
        };
        let (count, step) = [(run_of(1), 1), (run_of(2), 2)]
            .into_iter()
            .max_by_key(|&(count, step)| (count, std::cmp::Reverse(step)))
            .unwrap_or((1, 1));
        runs.push((first, u32::try_from(count)?, step, offset));
        rest = rest.get(count..).unwrap_or_default();
    }

    let mut table = String::new();
    writeln!(
        table,
        "/// {} runs: `(first << 8 | (count - 1) << 1 | every_other, offset)`.",
        runs.len()
    )?;
    writeln!(table, "const RUNS: [(u32, i32); {}] = [", runs.len())?;
    for (first, count, step, offset) in runs {
        let key = first << 8 | (count - 1) << 1 | (step - 1);
        writeln!(table, "    (0x{key:08x}, {}),", i32::try_from(offset)?)?;
    }
    writeln!(table, "];")?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out.join("lowercase.rs"), table)?;

    let powers: Vec<String> = (0..=308).map(|i| format!("1e{i}")).collect();
    fs::write(out.join("pow10.rs"), format!("[{}]\n", powers.join(", ")))?;

    let catalog: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("data/catalog.json")?)?;
    fs::write(out.join("catalog.json"), serde_json::to_string(&catalog)?)?;
    Ok(())
}
