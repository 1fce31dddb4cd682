//! Prints every shared vector (and those in `$SAPS_EXTRA_VECTORS`) with its native answer as one
//! JSON array, for surfaces that run outside cargo (the Node run of `pkg/`, the HTTP run) to
//! compare their answers with.
//!
//! `cargo run -p saps-core --example vector_answers > target/vector-answers.json`

#[path = "../../tests/vectors/files.rs"]
mod files;
#[path = "../../tests/vectors/matcher.rs"]
mod vectors;

use std::error::Error;
use std::io::Write;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let files = files::read_vector_files(&files::vector_dirs(shared))?;
    let answered = vectors::answer_files(files.iter().map(|f| (f.name.as_str(), f.text.as_str())))?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &answered)?;
    writeln!(out)?;
    Ok(())
}
