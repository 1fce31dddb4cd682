//! Writes `catalog.json` into `OUT_DIR`: `data/catalog.json` without its layout, the text the
//! crate embeds as its sample catalog.

use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=data/catalog.json");
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let catalog: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("data/catalog.json")?)?;
    fs::write(out.join("catalog.json"), serde_json::to_string(&catalog)?)?;
    Ok(())
}
