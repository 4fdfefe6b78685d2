//! `creatorflow-soak`: the crash-and-fault soak (see `creatorflow_e2e::soak`),
//! run from the README's soak command in a headless desktop session.
//!
//! ```text
//! creatorflow-soak [--posts N] [--kills K] [--faults SHARE] [--due-secs S] [--no-revoke]
//! ```
//!
//! Prints the table and exits with 1 when a post was lost, duplicated,
//! reported wrong or left unfinished.

// A command-line tool: its errors go to stderr.
#![allow(clippy::print_stderr)]

use std::time::Duration;

use creatorflow_e2e::soak::{self, Config};

const USAGE: &str = "\
Usage: creatorflow-soak [--posts N] [--kills K] [--faults SHARE] [--due-secs S] [--no-revoke]

  --posts N       posts scheduled across the accounts (default 500)
  --kills K       times the app is killed with SIGKILL and started again (default 50)
  --faults SHARE  share of the networks' requests that fail, 0 to 1 (default 0.3)
  --due-secs S    the posts fall due over S seconds (default 240)
  --no-revoke     do not revoke an X account's sign-in half-way
";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut config = Config::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .cloned()
        };
        match flag.as_str() {
            "--posts" => config.posts = number(&value("--posts")?)?,
            "--kills" => config.kills = number(&value("--kills")?)?,
            "--faults" => {
                let v = value("--faults")?;
                config.fault_share = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| (0.0..=1.0).contains(s))
                    .ok_or_else(|| format!("--faults takes a share from 0 to 1, not {v:?}"))?;
            }
            "--due-secs" => {
                config.due_within = Duration::from_secs(number(&value("--due-secs")?)? as u64);
            }
            "--no-revoke" => config.revoke_one = false,
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    if config.posts == 0 {
        return Err("--posts must be at least 1".into());
    }
    Ok(config)
}

fn number(v: &str) -> Result<usize, String> {
    v.parse().map_err(|_| format!("{v:?} is not a number"))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return;
    }
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    println!(
        "soak: {} posts due over {} s, {} kills, {:.0} % of requests faulted{}",
        config.posts,
        config.due_within.as_secs(),
        config.kills,
        config.fault_share * 100.0,
        if config.revoke_one {
            ", one X sign-in revoked half-way"
        } else {
            ""
        }
    );
    match soak::run(&config).await {
        Ok(report) => {
            println!("{report}");
            if !report.kept_the_promise() {
                eprintln!("soak: the promise was broken (see the table)");
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("soak: could not run: {e}");
            std::process::exit(2);
        }
    }
}
