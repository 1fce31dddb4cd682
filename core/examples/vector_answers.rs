//! Prints every shared vector (and those in `$SAPS_EXTRA_VECTORS`) with its native answer as one
//! JSON array, for surfaces that run outside cargo (the Node run of `pkg/`, the HTTP run) to
//! compare their answers with.
//!
//! `cargo run -p saps-core --example vector_answers > target/vector-answers.json`

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")];
    if let Some(extra) = std::env::var_os("SAPS_EXTRA_VECTORS") {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in &dirs {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((name, std::fs::read_to_string(&path)?));
        }
    }
    let answered = saps_core::vectors::answer_files(
        files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str())),
    )?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &answered)?;
    writeln!(out)?;
    Ok(())
}
