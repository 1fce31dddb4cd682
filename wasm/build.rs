//! Runs every shared vector (and `$SAPS_EXTRA_VECTORS`) through saps-core natively, on the
//! build machine, and writes the cases with their native answers to `$OUT_DIR/vectors.json`.
//! The in-browser test compares the WASM answers with these, byte for byte after parsing.

use saps_core::catalog::Catalog;
use saps_core::json;
use saps_core::vectors;
use serde_json::{Value, json};
use std::error::Error;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-env-changed=SAPS_EXTRA_VECTORS");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let mut dirs = vec![manifest.join("../tests/vectors")];
    if let Some(extra) = std::env::var_os("SAPS_EXTRA_VECTORS") {
        dirs.push(PathBuf::from(extra));
    }
    let catalog = Catalog::sample().map_err(|e| e.to_string())?;
    let mut cases = Vec::new();
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        for file in json_files(dir)? {
            println!("cargo:rerun-if-changed={}", file.display());
            let text = std::fs::read_to_string(&file)?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            for case in vectors::parse_file(&text)
                .map_err(|e| format!("{} is not a vector file: {e}", file.display()))?
            {
                let native = json::run(
                    catalog,
                    &case.rule,
                    case.input.clone(),
                    case.today,
                    case.locale.unwrap_or_default(),
                );
                cases.push(json!({ "file": name, "case": case, "native": native }));
            }
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("vectors.json");
    std::fs::write(out, serde_json::to_vec(&Value::Array(cases))?)?;
    Ok(())
}

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
