//! Files the app writes for the creator (the Analytics CSV).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to a new file `stem.ext` in `dir`, or `stem (2).ext` and
/// so on when that name is taken: an export never overwrites a file.
pub fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                if let Err(e) = f.write_all(bytes).and_then(|()| f.sync_all()) {
                    // A half-written file is no export (a full disk).
                    let _ = std::fs::remove_file(&path);
                    return Err(e);
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many exports with this name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(dir.path(), "report", "csv", b"one").unwrap();
        let b = write_new(dir.path(), "report", "csv", b"two").unwrap();
        assert_eq!(a.file_name().unwrap(), "report.csv");
        assert_eq!(b.file_name().unwrap(), "report (2).csv");
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
    }
}
