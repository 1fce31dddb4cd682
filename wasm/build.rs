//! Runs every shared vector (and `$SAPS_EXTRA_VECTORS`) through saps-core natively, on the
//! build machine, and writes the cases with their native answers to `$OUT_DIR/vectors.json`.
//! The WASM test compares its answers with these.

#[path = "../tests/vectors/files.rs"]
mod files;
#[path = "../tests/vectors/matcher.rs"]
mod vectors;

use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-env-changed=SAPS_EXTRA_VECTORS");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let dirs = files::vector_dirs(manifest.join("../tests/vectors"));
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let files = files::read_vector_files(&dirs)?;
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.path.display());
    }
    let answered = vectors::answer_files(files.iter().map(|f| (f.name.as_str(), f.text.as_str())))?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("vectors.json");
    std::fs::write(out, serde_json::to_vec(&answered)?)?;
    Ok(())
}
