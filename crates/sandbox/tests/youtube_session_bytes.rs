//! `bytes_seen` of an upload session: every body byte its PUTs carried,
//! kept or not, so client tests can measure what was sent twice.

mod youtube_common;

use youtube_common::*;

fn seen(sb: &creatorflow_sandbox::SandboxHandle) -> u64 {
    sb.read_state(|st| st.youtube.sessions.values().map(|s| s.bytes_seen).sum())
}

#[tokio::test]
async fn repeats_wrong_offsets_and_probes_are_counted_as_sent() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(3 * KIB256);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Counted"), data.len() as u64).await;
    let first = &data[..KIB256];
    assert_eq!(put_chunk(&uri, first, 0, &total).await.status(), 308);
    assert_eq!(seen(&sb), KIB256 as u64);
    // The same chunk again: dropped (wrong offset), but it was sent.
    let resp = put_chunk(&uri, first, 0, &total).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-262143"));
    assert_eq!(seen(&sb), 2 * KIB256 as u64);
    // A probe carries nothing.
    assert_eq!(probe(&uri, &total).await.status(), 308);
    assert_eq!(seen(&sb), 2 * KIB256 as u64);
    let rest = &data[KIB256..];
    assert_eq!(
        put_chunk(&uri, rest, KIB256 as u64, &total).await.status(),
        200
    );
    assert_eq!(seen(&sb), 4 * KIB256 as u64);
    // The received video is still exactly the file.
    let got = sb.received(Some("youtube"));
    assert_eq!(got[0].media[0].size, data.len() as u64);
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
}
