//! Helpers for the X client's tests against the local sandbox (real HTTP).
#![allow(dead_code)]

use std::sync::Mutex;

use creatorflow_platforms::x::{XClient, XEndpoints};
use creatorflow_platforms::{
    AccessToken, Outcome, PlatformOptions, PublishRequest, Published, XOptions,
};
use creatorflow_sandbox::platforms::x::{X_ACCOUNT_CREATOR, X_ACCOUNT_STUDIO};
use creatorflow_sandbox::{
    FaultSpec, RequestRecord, Sandbox, SandboxConfig, SandboxHandle, TokenRequest, start,
};
use serde_json::Value;

#[path = "../helpers/mod.rs"]
mod helpers;
#[allow(unused_imports)] // not every suite uses every shared helper
pub use helpers::{RecordingSink, fixture, media_file, sha256_hex};

pub const CREATOR_ID: &str = X_ACCOUNT_CREATOR.0;
pub const CREATOR: &str = X_ACCOUNT_CREATOR.1;
pub const STUDIO_ID: &str = X_ACCOUNT_STUDIO.0;
pub const STUDIO: &str = X_ACCOUNT_STUDIO.1;

/// A sandbox, an X client pointed at it and a token of the first account.
pub struct Env {
    pub sb: SandboxHandle,
    pub client: XClient,
    pub token: AccessToken,
}

pub async fn env() -> Env {
    let sb = start(SandboxConfig::default())
        .await
        .expect("sandbox starts");
    let client = XClient::new(XEndpoints::under(&sb.url("/x")));
    let token = token_for(&sb, CREATOR_ID, None);
    Env { sb, client, token }
}

/// Tokens minted by the sandbox without the OAuth dance.
pub fn token_for(sb: &Sandbox, account: &str, scopes: Option<&[&str]>) -> AccessToken {
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "x".into(),
            account_id: account.into(),
            client_id: None,
            scopes: scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect()),
        })
        .expect("tokens");
    AccessToken::new(issued.access_token)
}

pub fn post(text: &str, thread: &[&str]) -> PublishRequest {
    PublishRequest {
        account: Default::default(),
        text: text.to_owned(),
        media: vec![],
        cover: None,
        options: PlatformOptions::X(XOptions {
            thread: thread.iter().map(|s| (*s).to_owned()).collect(),
        }),
    }
}

/// The post of a publish that went out at once.
pub fn published(outcome: Outcome) -> Published {
    match outcome {
        Outcome::Published(p) => p,
        Outcome::Processing(p) => panic!("still processing: {}", p.stage),
    }
}

/// The X requests the sandbox saw (method, path).
pub fn x_requests(sb: &Sandbox) -> Vec<RequestRecord> {
    sb.requests(Some("x"))
}

pub fn count(sb: &Sandbox, method: &str, path_prefix: &str) -> usize {
    x_requests(sb)
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(path_prefix))
        .count()
}

/// A valid RGB PNG of `w`×`h` (stored deflate blocks, so its size is about
/// `3·w·h` bytes and can be chosen to cross the chunking threshold).
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity((h * (1 + 3 * w)) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend_from_slice(&[
                (x as u8).wrapping_add(seed),
                (y as u8).wrapping_mul(3),
                seed,
            ]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc_input);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// A hook that injects `fault` once, right after `parts` parts were created.
pub fn fault_after_parts(
    sb: &Sandbox,
    parts: usize,
    fault: FaultSpec,
) -> impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static {
    let sb = sb.clone();
    let armed = Mutex::new(Some(fault));
    move |cp: &Value| {
        let created = cp["parts"].as_array().map_or(0, Vec::len);
        if created == parts
            && cp.get("in_flight").is_none()
            && let Some(f) = armed.lock().expect("lock").take()
        {
            sb.inject_fault(f).expect("fault");
        }
        Ok(())
    }
}

/// The ids of the parts a checkpoint says were created.
pub fn parts_of(cp: &Value) -> Vec<String> {
    cp["parts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
