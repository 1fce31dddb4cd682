//! The local server's extras around the API: the partner portal (`portal/dist/`, at `/`) and, in
//! demo mode, the tokens it signs in with.

use crate::api::identity::{Hs256Keys, IssueError};
use crate::demo;
use axum::Json;
use axum::Router;
use axum::routing::get;
use serde_json::{Map, Value};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};
use tower_http::services::ServeDir;

/// How long demo tokens stay valid.
pub const DEMO_TOKEN_SECONDS: u64 = 12 * 60 * 60;

/// A token per demo role, valid for [`DEMO_TOKEN_SECONDS`] from now.
pub fn demo_tokens(keys: &Hs256Keys) -> Result<Map<String, Value>, IssueError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    demo::principals()
        .into_iter()
        .map(|(label, principal)| {
            Ok((
                label.to_owned(),
                Value::String(keys.issue(&principal, now.saturating_add(DEMO_TOKEN_SECONDS))?),
            ))
        })
        .collect()
}

/// `api` plus the built portal at `/`; with `tokens`, also `GET /demo/tokens` for its sign-in.
pub fn app(api: Router, portal: &Path, tokens: Option<Map<String, Value>>) -> Router {
    let mut app = api;
    if let Some(tokens) = tokens {
        let tokens = Value::Object(tokens);
        app = app.route("/demo/tokens", get(move || async move { Json(tokens) }));
    }
    app.fallback_service(ServeDir::new(portal))
}

/// Makes the data directory when it is missing, readable by its owner alone (0700): it holds the
/// store and the token secret. An existing directory is the operator's, and keeps its mode.
pub fn data_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The token secret kept in the data directory, readable by its owner alone (0600): made once
/// from the OS's random source; a secret file left readable by others is made private.
pub fn stored_secret(dir: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Read as _, Write as _};
    let path = dir.join("jwt-secret");
    if let Ok(secret) = std::fs::read(&path)
        && secret.len() >= 32
    {
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        return Ok(secret);
    }
    let mut secret = vec![0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut secret)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&path)?.write_all(&secret)?;
    Ok(secret)
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_data_dir_and_the_secret_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        data_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let secret = stored_secret(&dir).unwrap();
        assert_eq!(secret.len(), 32);
        assert_eq!(mode(&dir.join("jwt-secret")), 0o600);
        assert_eq!(stored_secret(&dir).unwrap(), secret, "kept, not made again");
    }

    #[test]
    fn a_secret_readable_by_others_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        std::fs::write(&path, [7u8; 32]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(stored_secret(dir.path()).unwrap(), vec![7u8; 32]);
        assert_eq!(mode(&path), 0o600);
    }
}
