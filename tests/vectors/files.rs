//! Reads vector files from disk: the shared directory plus `$SAPS_EXTRA_VECTORS` when set.
//!
//! saps-core stays free of I/O, so the native test, the `vector_answers` example and the wasm
//! build script each include this one file with `#[path]` instead of repeating the loop.

use std::path::{Path, PathBuf};

/// One vector file: its name, where it is, and its text.
#[allow(dead_code)] // Each includer is its own crate and not every one reads every field.
pub struct VectorFile {
    pub name: String,
    pub path: PathBuf,
    pub text: String,
}

/// `shared`, and the directory named by `$SAPS_EXTRA_VECTORS` when it is set.
pub fn vector_dirs(shared: PathBuf) -> Vec<PathBuf> {
    let mut dirs = vec![shared];
    dirs.extend(std::env::var_os("SAPS_EXTRA_VECTORS").map(PathBuf::from));
    dirs
}

/// Every `.json` file of `dirs`, each directory's files sorted by name.
pub fn read_vector_files(dirs: &[PathBuf]) -> Result<Vec<VectorFile>, String> {
    let mut files = Vec::new();
    for dir in dirs {
        let mut paths = json_paths(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        paths.sort();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push(VectorFile { name, path, text });
        }
    }
    Ok(files)
}

fn json_paths(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "json") {
            paths.push(path);
        }
    }
    Ok(paths)
}
