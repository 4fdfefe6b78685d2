//! Command-line flags. Anything that is not a flag (a `creatorflow://` URL the
//! desktop entry passes on) is left to the deep-link plugin.

use std::path::PathBuf;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Cli {
    /// Run against the built-in platform emulators (`--sandbox`).
    pub sandbox: bool,
    /// Keep the database, media and logs here instead of the OS app-data dir
    /// (`--data-dir PATH`, or the `CREATORFLOW_DATA_DIR` environment variable).
    pub data_dir: Option<PathBuf>,
    /// Start hidden in the tray (`--minimized`, used by autostart).
    pub minimized: bool,
}

pub const USAGE: &str = "\
Usage: creatorflow [--sandbox] [--data-dir PATH] [--minimized]

  --sandbox        use the built-in emulators of Instagram, X, LinkedIn, TikTok
                   and YouTube instead of the real platforms (no developer
                   accounts needed); its data is kept apart from real data
  --data-dir PATH  keep the database, media and logs in PATH
                   (also: CREATORFLOW_DATA_DIR=PATH)
  --minimized      start in the tray without opening the window
";

impl Cli {
    pub fn parse<I: IntoIterator<Item = String>>(args: I, env_data_dir: Option<String>) -> Self {
        let mut cli = Cli {
            data_dir: env_data_dir.filter(|s| !s.is_empty()).map(PathBuf::from),
            ..Cli::default()
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--sandbox" => cli.sandbox = true,
                "--minimized" => cli.minimized = true,
                "--data-dir" => {
                    if let Some(dir) = args.next() {
                        cli.data_dir = Some(PathBuf::from(dir));
                    }
                }
                other => {
                    if let Some(dir) = other.strip_prefix("--data-dir=") {
                        cli.data_dir = Some(PathBuf::from(dir));
                    }
                }
            }
        }
        cli
    }

    pub fn from_env() -> Self {
        Self::parse(
            std::env::args().skip(1),
            std::env::var("CREATORFLOW_DATA_DIR").ok(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_and_env() {
        let cli = Cli::parse(args(&["--sandbox", "--data-dir", "/tmp/cf"]), None);
        assert!(cli.sandbox);
        assert_eq!(cli.data_dir, Some(PathBuf::from("/tmp/cf")));
        let cli = Cli::parse(args(&["--data-dir=/a"]), Some("/b".into()));
        assert_eq!(cli.data_dir, Some(PathBuf::from("/a")), "flag beats env");
        let cli = Cli::parse(args(&["creatorflow://oauth/x?code=1"]), Some("/b".into()));
        assert_eq!(cli.data_dir, Some(PathBuf::from("/b")));
        assert!(!cli.sandbox);
        let cli = Cli::parse(args(&["--data-dir"]), None);
        assert_eq!(cli.data_dir, None, "a flag without its value is ignored");
    }
}
