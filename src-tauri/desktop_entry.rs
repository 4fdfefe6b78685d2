//! The `creatorflow://` scheme handler of a build run from its folder (the
//! .deb installs its own): a desktop entry in the user's applications
//! folder, made the default for `x-scheme-handler/creatorflow` with
//! `xdg-mime`, so the browser hands OAuth redirects back through the OS.
//!
//! The entry's `Exec` line is written so that every opener can run it.
//! GNOME's, KDE's and Xfce's openers read `Exec` as the Desktop Entry
//! Specification says, but xdg-open's generic mode (used where no desktop
//! environment is detected) takes the first word of the line as the
//! program, quotes included, and runs `which` on it: `"/path/creatorflow"
//! %u` is then "Permission denied" and the sign-in never comes back. A path
//! without characters the specification reserves is therefore written bare;
//! only a path that needs quoting is quoted (and then only full openers can
//! run it, which is logged).

use std::path::Path;
use std::process::Command;

/// The entry's file name, in `$XDG_DATA_HOME/applications`.
pub const FILE_NAME: &str = "creatorflow-handler.desktop";
const MIME: &str = "x-scheme-handler/creatorflow";

/// Characters the Desktop Entry Specification reserves in `Exec` (an
/// argument holding one must be quoted).
const RESERVED: &[char] = &[
    ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')',
    '`', '%',
];

/// The program part of `Exec` for `exe`: bare when it can be, else quoted
/// with the specification's escapes (`"`, `` ` ``, `$` and `\` escaped, and
/// every `\` doubled again because the value is a desktop-entry string).
pub fn exec_program(exe: &str) -> (String, bool) {
    if !exe.is_empty() && !exe.contains(RESERVED) {
        return (exe.to_owned(), true);
    }
    let mut quoted = String::from("\"");
    for c in exe.chars() {
        match c {
            '"' | '`' | '$' => {
                quoted.push_str("\\\\");
                quoted.push(c);
            }
            '\\' => quoted.push_str("\\\\\\\\"),
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    (quoted, false)
}

/// The whole entry for `exe`.
pub fn entry(name: &str, exe: &str) -> String {
    let (program, _) = exec_program(exe);
    format!(
        "[Desktop Entry]\nType=Application\nName={name}\nExec={program} %u\nTerminal=false\n\
         MimeType={MIME};\nNoDisplay=true\n"
    )
}

/// Whether `exe` is the packaged app (the .deb puts it in `/usr/bin`, with
/// its own desktop entry for the scheme): then nothing is registered per user.
pub fn installed_by_package(exe: &Path) -> bool {
    exe.starts_with("/usr/")
}

/// Writes the entry for `exe` into `applications` when it differs from what
/// is there; says whether it wrote.
pub fn write_entry(applications: &Path, name: &str, exe: &Path) -> std::io::Result<bool> {
    let exe = exe.to_string_lossy();
    if !exec_program(&exe).1 {
        tracing::warn!(
            "CreatorFlow's path needs quoting in its desktop entry; xdg-open's generic mode \
             cannot run such an entry, so sign-ins may not come back without a desktop \
             environment. Move CreatorFlow to a folder whose path has no spaces or symbols."
        );
    }
    let wanted = entry(name, &exe);
    let file = applications.join(FILE_NAME);
    if std::fs::read_to_string(&file).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(false);
    }
    std::fs::create_dir_all(applications)?;
    std::fs::write(&file, &wanted)?;
    Ok(true)
}

/// Writes the entry for `exe` (when it differs) and makes it the scheme's
/// default handler (when it is not).
pub fn ensure(applications: &Path, name: &str, exe: &Path) -> std::io::Result<()> {
    let changed = write_entry(applications, name, exe)?;
    if changed {
        // Only a cache; not every system has the tool.
        let _ = Command::new("update-desktop-database")
            .arg(applications)
            .status();
    }
    let default = Command::new("xdg-mime")
        .args(["query", "default", MIME])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if changed || default.as_deref() != Some(FILE_NAME) {
        let status = Command::new("xdg-mime")
            .args(["default", FILE_NAME, MIME])
            .status()?;
        if !status.success() {
            return Err(std::io::Error::other(format!("xdg-mime default: {status}")));
        }
        tracing::info!("registered as the creatorflow:// handler");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_written_bare_for_every_opener() {
        assert_eq!(
            exec_program("/home/me/creatorflow/target/release/creatorflow"),
            (
                "/home/me/creatorflow/target/release/creatorflow".to_owned(),
                true
            )
        );
        let e = entry("CreatorFlow", "/opt/cf/creatorflow");
        assert!(e.contains("\nExec=/opt/cf/creatorflow %u\n"), "{e}");
        assert!(e.contains("\nMimeType=x-scheme-handler/creatorflow;\n"));
        // What xdg-open's generic mode runs: the first word, found by `which`.
        let exec = e
            .lines()
            .find_map(|l| l.strip_prefix("Exec="))
            .expect("Exec");
        assert_eq!(exec.split_whitespace().next(), Some("/opt/cf/creatorflow"));
    }

    #[test]
    fn paths_that_need_it_are_quoted_and_escaped() {
        assert_eq!(
            exec_program("/home/me/My Apps/creatorflow"),
            ("\"/home/me/My Apps/creatorflow\"".to_owned(), false)
        );
        assert_eq!(
            exec_program("/x/$HOME\\a\"b/cf").0,
            "\"/x/\\\\$HOME\\\\\\\\a\\\\\"b/cf\""
        );
        assert!(!exec_program("").1);
    }

    #[test]
    fn an_entry_is_rewritten_only_when_it_changed() {
        let dir = tempfile::tempdir().expect("dir");
        let apps = dir.path().join("applications");
        let exe = Path::new("/opt/cf/creatorflow");
        assert!(write_entry(&apps, "CreatorFlow", exe).expect("write"));
        assert!(
            !write_entry(&apps, "CreatorFlow", exe).expect("same"),
            "unchanged"
        );
        let file = apps.join(FILE_NAME);
        let first = std::fs::read_to_string(&file).expect("written");
        assert!(first.contains("Exec=/opt/cf/creatorflow %u"));
        let moved = Path::new("/opt/other/creatorflow");
        assert!(write_entry(&apps, "CreatorFlow", moved).expect("moved"));
        let second = std::fs::read_to_string(&file).expect("rewritten");
        assert!(
            second.contains("Exec=/opt/other/creatorflow %u"),
            "{second}"
        );
    }
}
