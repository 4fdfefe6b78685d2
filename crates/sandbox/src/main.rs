//! `creatorflow-sandbox`: runs the platform emulators until Ctrl-C.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use creatorflow_sandbox::{ConsentMode, SandboxConfig, start};

const HELP: &str = "\
creatorflow-sandbox: local emulators of the X, LinkedIn, Instagram, TikTok and
YouTube OAuth and publishing APIs, on 127.0.0.1 only.

USAGE:
    creatorflow-sandbox [--port N] [--state FILE] [--auto-approve [ACCOUNT_ID]]

OPTIONS:
    --port N          TCP port on 127.0.0.1 (default 0 = any free port)
    --state FILE      load/save the sandbox state (accounts, tokens, posts) in FILE
    --auto-approve    approve every authorization at once (first account, or
                      ACCOUNT_ID if given) instead of showing the consent page
    --deny            deny every authorization at once
    -h, --help        show this help

The first line on stdout is the base URL:
    CreatorFlow sandbox listening on http://127.0.0.1:PORT
Open it in a browser for the status page; the control API is under /_sandbox.
";

struct Args {
    config: SandboxConfig,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = SandboxConfig::default();
    let mut pending: Option<String> = None;
    while let Some(arg) = pending.take().or_else(|| it.next()) {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let v = it.next().ok_or("--port needs a value")?;
                config.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--state" => {
                let v = it.next().ok_or("--state needs a file")?;
                config.state_file = Some(PathBuf::from(v));
            }
            "--auto-approve" => {
                let next = it.next();
                let account_id = match next {
                    Some(v) if !v.starts_with('-') => Some(v),
                    other => {
                        pending = other;
                        None
                    }
                };
                config.consent = ConsentMode::Approve { account_id };
                config.force_consent = true;
            }
            "--deny" => {
                config.consent = ConsentMode::Deny;
                config.force_consent = true;
            }
            other => {
                if let Some(v) = other.strip_prefix("--port=") {
                    config.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
                } else if let Some(v) = other.strip_prefix("--state=") {
                    config.state_file = Some(PathBuf::from(v));
                } else {
                    return Err(format!("unknown argument {other:?}"));
                }
            }
        }
    }
    Ok(Some(Args { config }))
}

/// Ctrl-C, or SIGTERM on Unix (how test harnesses and service managers stop it).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            tracing::error!("{e}");
            let _ = writeln!(std::io::stderr().lock(), "error: {e}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let handle = match start(args.config).await {
        Ok(h) => h,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = handle.base_url();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "CreatorFlow sandbox listening on {}",
            base.as_str().trim_end_matches('/')
        );
        let _ = writeln!(out, "Status page: {base}  Control API: {base}_sandbox");
        let _ = out.flush();
    }
    wait_for_stop().await;
    match handle.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}
