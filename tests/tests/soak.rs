//! The short crash-and-fault soak (the full one is `scripts/soak.sh`): 40
//! posts on eight accounts over four networks, 30 % of the networks'
//! requests failing, the app killed with SIGKILL five times, one X sign-in
//! revoked half-way. Nothing may be lost, sent twice, reported wrong or left
//! unfinished.

use std::time::Duration;

use creatorflow_e2e::soak::{self, Config};

#[tokio::test]
async fn nothing_is_lost_or_sent_twice_through_kills_and_faults() -> creatorflow_e2e::Result<()> {
    let config = Config {
        posts: 40,
        kills: 5,
        fault_share: 0.3,
        due_within: Duration::from_secs(60),
        revoke_one: true,
        deadline: Duration::from_secs(8 * 60),
        ..Config::default()
    };
    let report = soak::run(&config).await?;
    println!("{report}");
    assert_eq!(report.due, 40);
    assert_eq!(report.kills, 5, "every kill happened");
    assert!(
        report.faults.values().sum::<usize>() > 0,
        "the networks failed some requests: {:?}",
        report.faults
    );
    assert_eq!(report.lost, 0, "lost");
    assert_eq!(report.duplicated, 0, "duplicated");
    assert_eq!(
        report.received_but_failed, 0,
        "received but reported failed"
    );
    assert_eq!(report.unfinished, 0, "unfinished");
    assert_eq!(
        report.others_needing_reconnect, 0,
        "only the revoked account needs reconnecting"
    );
    assert_eq!(
        report.reconnect_notices, 1,
        "the creator is told once that the revoked account needs reconnecting"
    );
    assert!(
        report.unconfirmed <= report.answers_lost + report.kills_mid_publish,
        "the creator is asked only where an answer was lost or a publish cut off: {} asked, \
         {} answers lost, {} kills during a publish",
        report.unconfirmed,
        report.answers_lost,
        report.kills_mid_publish
    );
    assert!(
        report.once > 0 && report.once == report.published,
        "what the app calls published arrived once: {} of {}",
        report.once,
        report.published
    );
    Ok(())
}
