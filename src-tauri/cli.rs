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
    /// Sandbox mode against emulators that already run (`--sandbox-url URL`,
    /// the `creatorflow-sandbox` binary), so they outlive the app.
    pub sandbox_url: Option<url::Url>,
}

pub const USAGE: &str = "\
Usage: creatorflow [--sandbox | --sandbox-url URL] [--data-dir PATH] [--minimized]

  --sandbox        use the built-in emulators of Instagram, X, LinkedIn, TikTok
                   and YouTube instead of the real platforms (no developer
                   accounts needed); its data is kept apart from real data
  --sandbox-url URL
                   sandbox mode against emulators that already run at URL
                   (started with creatorflow-sandbox), so they outlive the app
  --data-dir PATH  keep the database, media and logs in PATH
                   (also: CREATORFLOW_DATA_DIR=PATH)
  --minimized      start in the tray without opening the window
";

impl Cli {
    /// The flags in `args`; an error, in words, for a value that cannot be
    /// used (the app then prints it with [`USAGE`] and exits).
    pub fn parse<I: IntoIterator<Item = String>>(
        args: I,
        env_data_dir: Option<String>,
    ) -> Result<Self, String> {
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
                "--sandbox-url" => {
                    if let Some(url) = args.next() {
                        cli.sandbox = true;
                        cli.sandbox_url = Some(sandbox_url(&url)?);
                    }
                }
                other => {
                    if let Some(dir) = other.strip_prefix("--data-dir=") {
                        cli.data_dir = Some(PathBuf::from(dir));
                    } else if let Some(url) = other.strip_prefix("--sandbox-url=") {
                        cli.sandbox = true;
                        cli.sandbox_url = Some(sandbox_url(url)?);
                    }
                }
            }
        }
        Ok(cli)
    }

    pub fn from_env() -> Result<Self, String> {
        Self::parse(
            std::env::args().skip(1),
            std::env::var("CREATORFLOW_DATA_DIR").ok(),
        )
    }
}

/// A running sandbox's address: an http(s) URL, or why not, in words.
fn sandbox_url(raw: &str) -> Result<url::Url, String> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        _ => Err(format!(
            "--sandbox-url needs the address the sandbox printed, like \
             http://127.0.0.1:47600 (got {raw:?})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn parse(list: &[&str], env_data_dir: Option<String>) -> Cli {
        Cli::parse(args(list), env_data_dir).expect("valid flags")
    }

    #[test]
    fn flags_and_env() {
        let cli = parse(&["--sandbox", "--data-dir", "/tmp/cf"], None);
        assert!(cli.sandbox);
        assert_eq!(cli.data_dir, Some(PathBuf::from("/tmp/cf")));
        let cli = parse(&["--data-dir=/a"], Some("/b".into()));
        assert_eq!(cli.data_dir, Some(PathBuf::from("/a")), "flag beats env");
        let cli = parse(&["creatorflow://oauth/x?code=1"], Some("/b".into()));
        assert_eq!(cli.data_dir, Some(PathBuf::from("/b")));
        assert!(!cli.sandbox);
        let cli = parse(&["--data-dir"], None);
        assert_eq!(cli.data_dir, None, "a flag without its value is ignored");
    }

    #[test]
    fn a_running_sandbox_means_sandbox_mode() {
        let cli = parse(&["--sandbox-url", "http://127.0.0.1:47600"], None);
        assert!(cli.sandbox);
        let url = cli.sandbox_url.expect("given");
        assert_eq!(url.as_str(), "http://127.0.0.1:47600/");
        let cli = parse(&["--sandbox-url=http://localhost:9/"], None);
        assert!(cli.sandbox && cli.sandbox_url.is_some());
        let cli = parse(&["--sandbox"], None);
        assert_eq!(cli.sandbox_url, None);
        for bad in ["47600", "ftp://127.0.0.1/", "http://"] {
            let e = Cli::parse(args(&["--sandbox-url", bad]), None).expect_err(bad);
            assert!(e.contains("--sandbox-url") && e.contains(bad), "{e}");
            let e = Cli::parse(args(&[&format!("--sandbox-url={bad}")]), None).expect_err(bad);
            assert!(e.contains(bad), "{e}");
        }
    }
}
