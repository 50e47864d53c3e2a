//! The access-token signing secret. There is no built-in default: either the
//! operator supplies one, or a random one is generated on first start and kept in
//! the data directory, readable by the owner only.

use std::{fs, io::Write, path::Path};

use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD, Engine};
use rand::RngCore;

const FILE: &str = "jwt_secret";
const MIN_BYTES: usize = 32;

pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = configured {
        if s.len() < MIN_BYTES {
            bail!("CONFAB_JWT_SECRET must be at least {MIN_BYTES} bytes long");
        }
        return Ok(s.as_bytes().to_vec());
    }
    let path = data_dir.join(FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = STANDARD
                .decode(text.trim())
                .with_context(|| format!("{} is not valid base64", path.display()))?;
            if bytes.len() < MIN_BYTES {
                bail!("{} holds fewer than {MIN_BYTES} bytes", path.display());
            }
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 64];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            create(&path, bytes, "JWT signing secret")
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// The VAPID private key (web push): given (base64url of the 32-byte P-256
/// scalar, the same on every node of a cluster) or generated once into
/// DATA_DIR/vapid_key (0600). A new key would orphan every subscription.
pub fn load_or_create_vapid(
    configured: Option<&str>,
    data_dir: &Path,
    generate: impl FnOnce() -> Vec<u8>,
) -> anyhow::Result<Vec<u8>> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let decode = |text: &str, from: &str| {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim().trim_end_matches('='))
            .or_else(|_| STANDARD.decode(text.trim()))
            .with_context(|| format!("{from} is not base64"))?;
        if bytes.len() != 32 {
            bail!("{from} must hold a 32-byte P-256 private key");
        }
        Ok(bytes)
    };
    if let Some(k) = configured {
        return decode(k, "CONFAB_VAPID_PRIVATE_KEY");
    }
    let path = data_dir.join("vapid_key");
    match fs::read_to_string(&path) {
        Ok(text) => decode(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = generate();
            create(&path, key, "VAPID key (web push)")
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn create(path: &Path, bytes: Vec<u8>, what: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = fs::OpenOptions::new();
    // create_new: if two processes race on first start, one wins and the other fails
    // loudly instead of silently overwriting a secret already in use.
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(STANDARD.encode(&bytes).as_bytes())?;
    f.sync_all()?;
    tracing::info!(path = %path.display(), "generated a new {what}");
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_reuses_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(None, dir.path()).unwrap();
        let b = load_or_create(None, dir.path()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_secret_must_be_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_or_create(Some("short"), dir.path()).is_err());
        let s = "x".repeat(32);
        assert_eq!(load_or_create(Some(&s), dir.path()).unwrap(), s.as_bytes());
        assert!(!dir.path().join(FILE).exists(), "no file when configured");
    }
}
