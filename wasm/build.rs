//! Runs every shared vector (and `$SAPS_EXTRA_VECTORS`) through saps-core natively, on the
//! build machine, and writes the cases with their native answers to `$OUT_DIR/vectors.json`.
//! The WASM test compares its answers with these.

use std::error::Error;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-env-changed=SAPS_EXTRA_VECTORS");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let mut dirs = vec![manifest.join("../tests/vectors")];
    if let Some(extra) = std::env::var_os("SAPS_EXTRA_VECTORS") {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        for path in json_files(dir)? {
            println!("cargo:rerun-if-changed={}", path.display());
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
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("vectors.json");
    std::fs::write(out, serde_json::to_vec(&answered)?)?;
    Ok(())
}

/// The `.json` files of `dir`, sorted.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
