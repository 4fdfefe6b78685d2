//! OAuth building blocks shared by every platform module: registered clients,
//! redirect-URI matching, PKCE, authorization codes, access/refresh tokens with
//! rotation and family revocation, bearer lookup.
//!
//! Nothing here knows a platform's error texts: every operation returns a typed
//! error and the platform module maps it to its own wire shape.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::util::random_token;

/// Whether a client can keep a secret (RFC 6749 §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientType {
    /// Native/SPA apps: no secret, PKCE + `client_id` in the body.
    Public,
    /// Web apps/bots: authenticate with their secret (Basic auth or body).
    Confidential,
}

/// How a redirect URI given at authorize time is compared with the registered ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectMatch {
    /// Exact string equality, trailing slash and port included (X, Meta).
    #[default]
    Exact,
    /// Exact, except that the port of a loopback (`127.0.0.1`, `[::1]`,
    /// `localhost`) redirect may differ (RFC 8252 §7.3; Google, LinkedIn native).
    LoopbackAnyPort,
}

/// An OAuth client (a developer "app") registered with an emulated platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClient {
    pub client_id: String,
    /// The app name shown on the consent page.
    pub name: String,
    pub client_type: ClientType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub redirect_match: RedirectMatch,
}

impl OAuthClient {
    /// Whether `uri` is an allowed redirect URI of this client.
    pub fn redirect_allowed(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| redirect_matches(registered, uri, self.redirect_match))
    }

    /// Constant-shape secret comparison (no early exit on the first byte).
    pub fn secret_matches(&self, secret: &str) -> bool {
        match &self.client_secret {
            Some(s) => {
                let a = Sha256::digest(s.as_bytes());
                let b = Sha256::digest(secret.as_bytes());
                a == b
            }
            None => false,
        }
    }
}

/// Compares a registered redirect URI with a requested one.
pub fn redirect_matches(registered: &str, requested: &str, mode: RedirectMatch) -> bool {
    if registered == requested {
        return true;
    }
    if mode != RedirectMatch::LoopbackAnyPort {
        return false;
    }
    let (Ok(a), Ok(b)) = (url::Url::parse(registered), url::Url::parse(requested)) else {
        return false;
    };
    let loopback = |u: &url::Url| {
        matches!(
            u.host_str(),
            Some("127.0.0.1") | Some("[::1]") | Some("localhost")
        )
    };
    loopback(&a)
        && loopback(&b)
        && a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.path() == b.path()
        && a.query() == b.query()
        && a.fragment().is_none()
        && b.fragment().is_none()
}

/// A PKCE `code_challenge_method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PkceMethod {
    /// `BASE64URL-NOPAD(SHA256(verifier))` (RFC 7636).
    #[serde(rename = "S256")]
    S256,
    /// The challenge is the verifier.
    #[serde(rename = "plain")]
    Plain,
    /// `HEX(SHA256(verifier))`: TikTok's desktop variant. Sent on the wire as
    /// `S256`; the TikTok module picks this variant itself.
    #[serde(rename = "hex_s256")]
    HexS256,
}

impl PkceMethod {
    /// Parses the standard wire values (`S256`, `plain`). Case-sensitive like RFC 7636.
    pub fn parse_standard(s: &str) -> Option<Self> {
        match s {
            "S256" => Some(Self::S256),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }

    /// The challenge for `verifier` under this method.
    pub fn challenge(self, verifier: &str) -> String {
        match self {
            Self::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            Self::Plain => verifier.to_string(),
            Self::HexS256 => hex::encode(Sha256::digest(verifier.as_bytes())),
        }
    }

    /// Whether `verifier` matches `challenge`.
    pub fn verify(self, challenge: &str, verifier: &str) -> bool {
        let expected = self.challenge(verifier);
        Sha256::digest(expected.as_bytes()) == Sha256::digest(challenge.as_bytes())
    }
}

/// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`.
pub fn verifier_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// What an authorization code stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_method: Option<PkceMethod>,
    /// Private parameters of the authorize request kept with the code for the
    /// token endpoint (Google's `access_type`, `prompt` ...): the entries of
    /// `PendingConsent::extra_redirect_params` whose name starts with
    /// [`PRIVATE_PARAM_PREFIX`](super::consent::PRIVATE_PARAM_PREFIX), prefix removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, String)>,
}

impl CodeGrant {
    /// A private authorize parameter kept with the code (see [`CodeGrant::context`]).
    pub fn context_value(&self, key: &str) -> Option<&str> {
        self.context
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct AuthCode {
    grant: CodeGrant,
    expires_at: DateTime<Utc>,
    used: bool,
    /// Token family issued from this code (revoked if the code is replayed).
    family_id: String,
}

/// What the token endpoint presents with a code.
#[derive(Clone, Copy, Debug)]
pub struct CodeCheck<'a> {
    pub client_id: &'a str,
    /// `None` if the request omitted `redirect_uri` (then it is a mismatch when the
    /// authorize request had one, which it always has here).
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

/// Why a code could not be redeemed. Platforms map these to their own texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("unknown authorization code")]
    Unknown,
    #[error("authorization code expired")]
    Expired,
    #[error("authorization code already used")]
    Reused,
    #[error("authorization code issued to another client")]
    ClientMismatch,
    #[error("redirect_uri does not match the authorization request")]
    RedirectMismatch,
    #[error("code_verifier missing")]
    VerifierMissing,
    #[error("code_verifier does not match the code_challenge")]
    VerifierMismatch,
    #[error("code_verifier sent but no code_challenge was bound to the code")]
    VerifierUnexpected,
}

/// How a platform issues tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPolicy {
    /// Access-token lifetime; `None` = never expires.
    pub access_ttl_secs: Option<i64>,
    /// Refresh-token behaviour; `None` = no refresh token is issued.
    pub refresh: Option<RefreshPolicy>,
    /// Prefix of generated access tokens (cosmetic: lets a human tell them apart).
    pub access_prefix: String,
    /// Prefix of generated refresh tokens.
    pub refresh_prefix: String,
}

/// Refresh-token behaviour of a platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Refresh-token lifetime; `None` = never expires.
    pub ttl_secs: Option<i64>,
    /// Each refresh returns a new refresh token and consumes the old one; replaying a
    /// consumed one revokes the whole family (RFC 9700 §4.14.2).
    pub rotate: bool,
    /// A rotated refresh token keeps the expiry of the first one (LinkedIn style)
    /// instead of getting a fresh `ttl_secs`.
    pub keep_expiry: bool,
}

/// Tokens handed out by [`OAuthStore::issue_tokens`] / [`OAuthStore::refresh`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTokens {
    pub access_token: String,
    /// Seconds until the access token expires (`None` = never).
    pub expires_in: Option<i64>,
    pub refresh_token: Option<String>,
    pub refresh_expires_in: Option<i64>,
    pub scopes: Vec<String>,
    pub account_id: String,
    pub client_id: String,
}

/// A live or dead access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenRecord {
    pub client_id: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub family_id: String,
    pub revoked: bool,
}

impl AccessTokenRecord {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Scopes of `required` this token lacks.
    pub fn missing_scopes<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required
            .iter()
            .copied()
            .filter(|s| !self.has_scope(s))
            .collect()
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct RefreshTokenRecord {
    client_id: String,
    account_id: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
    family_id: String,
    consumed: bool,
    revoked: bool,
}

/// What a refresh token stands for ([`OAuthStore::refresh_token_info`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenInfo {
    pub client_id: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    pub family_id: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// Not revoked, not consumed (rotated), not expired.
    pub usable: bool,
}

/// Why a refresh failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    #[error("unknown refresh token")]
    Unknown,
    #[error("refresh token expired")]
    Expired,
    #[error("refresh token revoked")]
    Revoked,
    /// A rotated (already used) refresh token was replayed; the whole family is now revoked.
    #[error("refresh token reused; token family revoked")]
    Reused,
    #[error("refresh token issued to another client")]
    ClientMismatch,
}

/// Why a bearer token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    #[error("no bearer token")]
    Missing,
    #[error("unknown token")]
    Unknown,
    #[error("token expired")]
    Expired,
    #[error("token revoked")]
    Revoked,
}

/// Result of [`OAuthStore::revoke`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevokeOutcome {
    AccessToken,
    RefreshToken,
    /// Unknown token (RFC 7009: still answered with success).
    Unknown,
    /// The token belongs to another client; nothing was revoked.
    ClientMismatch,
}

/// Codes and tokens of one platform. Serialisable, so connected accounts survive restarts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OAuthStore {
    codes: BTreeMap<String, AuthCode>,
    access: BTreeMap<String, AccessTokenRecord>,
    refresh: BTreeMap<String, RefreshTokenRecord>,
}

impl OAuthStore {
    /// Issues a single-use authorization code valid for `lifetime`.
    pub fn issue_code(
        &mut self,
        grant: CodeGrant,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> String {
        self.prune(now);
        let code = random_token(32);
        self.codes.insert(
            code.clone(),
            AuthCode {
                grant,
                expires_at: now + lifetime,
                used: false,
                family_id: random_token(12),
            },
        );
        code
    }

    /// Redeems a code: checks expiry, single use, client, redirect URI and PKCE.
    /// Returns the grant and the family id to issue tokens under.
    /// A replayed code revokes every token issued from it (RFC 6749 §4.1.2).
    pub fn redeem_code(
        &mut self,
        code: &str,
        check: CodeCheck<'_>,
        now: DateTime<Utc>,
    ) -> Result<(CodeGrant, String), CodeError> {
        let Some(entry) = self.codes.get_mut(code) else {
            return Err(CodeError::Unknown);
        };
        if entry.used {
            let family = entry.family_id.clone();
            self.revoke_family(&family);
            return Err(CodeError::Reused);
        }
        if entry.expires_at <= now {
            return Err(CodeError::Expired);
        }
        if entry.grant.client_id != check.client_id {
            return Err(CodeError::ClientMismatch);
        }
        if check.redirect_uri != Some(entry.grant.redirect_uri.as_str()) {
            return Err(CodeError::RedirectMismatch);
        }
        match (&entry.grant.code_challenge, check.code_verifier) {
            (Some(_), None) => return Err(CodeError::VerifierMissing),
            (None, Some(_)) => return Err(CodeError::VerifierUnexpected),
            (Some(challenge), Some(verifier)) => {
                let method = entry.grant.challenge_method.unwrap_or(PkceMethod::Plain);
                if !method.verify(challenge, verifier) {
                    // A failed attempt burns the code, as real servers do.
                    entry.used = true;
                    return Err(CodeError::VerifierMismatch);
                }
            }
            (None, None) => {}
        }
        entry.used = true;
        Ok((entry.grant.clone(), entry.family_id.clone()))
    }

    /// Issues an access token (and a refresh token if the policy says so and
    /// `with_refresh` is true) in token family `family_id`.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_tokens(
        &mut self,
        client_id: &str,
        account_id: &str,
        scopes: &[String],
        family_id: &str,
        with_refresh: bool,
        policy: &TokenPolicy,
        now: DateTime<Utc>,
    ) -> IssuedTokens {
        let access_token = format!("{}{}", policy.access_prefix, random_token(36));
        self.access.insert(
            access_token.clone(),
            AccessTokenRecord {
                client_id: client_id.to_string(),
                account_id: account_id.to_string(),
                scopes: scopes.to_vec(),
                issued_at: now,
                expires_at: policy.access_ttl_secs.map(|s| now + Duration::seconds(s)),
                family_id: family_id.to_string(),
                revoked: false,
            },
        );
        let mut issued = IssuedTokens {
            access_token,
            expires_in: policy.access_ttl_secs,
            refresh_token: None,
            refresh_expires_in: None,
            scopes: scopes.to_vec(),
            account_id: account_id.to_string(),
            client_id: client_id.to_string(),
        };
        if let (true, Some(rp)) = (with_refresh, &policy.refresh) {
            let rt = format!("{}{}", policy.refresh_prefix, random_token(36));
            let expires_at = rp.ttl_secs.map(|s| now + Duration::seconds(s));
            self.refresh.insert(
                rt.clone(),
                RefreshTokenRecord {
                    client_id: client_id.to_string(),
                    account_id: account_id.to_string(),
                    scopes: scopes.to_vec(),
                    expires_at,
                    family_id: family_id.to_string(),
                    consumed: false,
                    revoked: false,
                },
            );
            issued.refresh_token = Some(rt);
            issued.refresh_expires_in = rp.ttl_secs;
        }
        issued
    }

    /// A new family id for tokens issued outside the code flow.
    pub fn new_family() -> String {
        random_token(12)
    }

    /// Exchanges a refresh token. With rotation, the presented token is consumed and
    /// a replay of it later revokes the family.
    pub fn refresh(
        &mut self,
        refresh_token: &str,
        client_id: &str,
        policy: &TokenPolicy,
        now: DateTime<Utc>,
    ) -> Result<IssuedTokens, RefreshError> {
        let Some(rec) = self.refresh.get(refresh_token).cloned() else {
            return Err(RefreshError::Unknown);
        };
        if rec.client_id != client_id {
            return Err(RefreshError::ClientMismatch);
        }
        if rec.consumed {
            self.revoke_family(&rec.family_id);
            return Err(RefreshError::Reused);
        }
        if rec.revoked {
            return Err(RefreshError::Revoked);
        }
        if rec.expires_at.is_some_and(|e| e <= now) {
            return Err(RefreshError::Expired);
        }
        let rp = policy.refresh.clone().unwrap_or(RefreshPolicy {
            ttl_secs: None,
            rotate: false,
            keep_expiry: true,
        });
        if rp.rotate {
            if let Some(r) = self.refresh.get_mut(refresh_token) {
                r.consumed = true;
            }
            let mut issued = self.issue_tokens(
                client_id,
                &rec.account_id,
                &rec.scopes,
                &rec.family_id,
                true,
                policy,
                now,
            );
            if rp.keep_expiry {
                if let Some(new_rt) = issued.refresh_token.as_ref()
                    && let Some(r) = self.refresh.get_mut(new_rt)
                {
                    r.expires_at = rec.expires_at;
                }
                issued.refresh_expires_in = rec.expires_at.map(|e| (e - now).num_seconds());
            }
            Ok(issued)
        } else {
            let mut issued = self.issue_tokens(
                client_id,
                &rec.account_id,
                &rec.scopes,
                &rec.family_id,
                false,
                policy,
                now,
            );
            issued.refresh_token = Some(refresh_token.to_string());
            issued.refresh_expires_in = rec.expires_at.map(|e| (e - now).num_seconds());
            Ok(issued)
        }
    }

    /// Revokes one token (RFC 7009). Revoking a refresh token also revokes its family.
    /// `client_id`: if given, the token must belong to that client.
    pub fn revoke(&mut self, token: &str, client_id: Option<&str>) -> RevokeOutcome {
        if let Some(rec) = self.access.get_mut(token) {
            if client_id.is_some_and(|c| c != rec.client_id) {
                return RevokeOutcome::ClientMismatch;
            }
            rec.revoked = true;
            return RevokeOutcome::AccessToken;
        }
        if let Some(rec) = self.refresh.get(token) {
            if client_id.is_some_and(|c| c != rec.client_id) {
                return RevokeOutcome::ClientMismatch;
            }
            let family = rec.family_id.clone();
            self.revoke_family(&family);
            return RevokeOutcome::RefreshToken;
        }
        RevokeOutcome::Unknown
    }

    /// Revokes every access and refresh token of a family. Returns how many were live.
    pub fn revoke_family(&mut self, family_id: &str) -> usize {
        let mut n = 0;
        for rec in self
            .access
            .values_mut()
            .filter(|r| r.family_id == family_id)
        {
            n += usize::from(!rec.revoked);
            rec.revoked = true;
        }
        for rec in self
            .refresh
            .values_mut()
            .filter(|r| r.family_id == family_id)
        {
            n += usize::from(!rec.revoked);
            rec.revoked = true;
        }
        n
    }

    /// Revokes every token of an account (the user removed the app). Returns how many were live.
    pub fn revoke_account(&mut self, account_id: &str) -> usize {
        let mut n = 0;
        for rec in self
            .access
            .values_mut()
            .filter(|r| r.account_id == account_id)
        {
            n += usize::from(!rec.revoked);
            rec.revoked = true;
        }
        for rec in self
            .refresh
            .values_mut()
            .filter(|r| r.account_id == account_id)
        {
            n += usize::from(!rec.revoked);
            rec.revoked = true;
        }
        n
    }

    /// Looks up a refresh token without using it (live or not).
    pub fn refresh_token_info(&self, token: &str, now: DateTime<Utc>) -> Option<RefreshTokenInfo> {
        self.refresh.get(token).map(|r| RefreshTokenInfo {
            client_id: r.client_id.clone(),
            account_id: r.account_id.clone(),
            scopes: r.scopes.clone(),
            family_id: r.family_id.clone(),
            expires_at: r.expires_at,
            usable: !r.revoked && !r.consumed && r.expires_at.is_none_or(|e| e > now),
        })
    }

    /// Looks up a bearer token.
    pub fn check_bearer(
        &self,
        token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<&AccessTokenRecord, BearerError> {
        let token = token.ok_or(BearerError::Missing)?;
        let rec = self.access.get(token).ok_or(BearerError::Unknown)?;
        if rec.revoked {
            return Err(BearerError::Revoked);
        }
        if rec.expires_at.is_some_and(|e| e <= now) {
            return Err(BearerError::Expired);
        }
        Ok(rec)
    }

    /// Number of live access tokens of an account.
    pub fn live_access_tokens(&self, account_id: &str, now: DateTime<Utc>) -> usize {
        self.access
            .values()
            .filter(|r| r.account_id == account_id && r.is_live(now))
            .count()
    }

    /// Number of usable refresh tokens of an account.
    pub fn live_refresh_tokens(&self, account_id: &str, now: DateTime<Utc>) -> usize {
        self.refresh
            .values()
            .filter(|r| {
                r.account_id == account_id
                    && !r.revoked
                    && !r.consumed
                    && r.expires_at.is_none_or(|e| e > now)
            })
            .count()
    }

    /// Drops codes expired for more than an hour and access tokens dead for more
    /// than a week, so the state file stays small.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let code_horizon = now - Duration::hours(1);
        self.codes.retain(|_, c| c.expires_at > code_horizon);
        let horizon = now - Duration::days(7);
        self.access.retain(|_, r| {
            r.expires_at.is_none_or(|e| e > horizon) && !(r.revoked && r.issued_at < horizon)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_s256_test_vector() {
        assert_eq!(
            PkceMethod::S256.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(PkceMethod::S256.verify(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!PkceMethod::S256.verify("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "other"));
    }

    #[test]
    fn hex_variant_is_lowercase_hex_sha256() {
        assert_eq!(
            PkceMethod::HexS256.challenge("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn loopback_any_port_matching() {
        let m = RedirectMatch::LoopbackAnyPort;
        assert!(redirect_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5555/cb",
            m
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5555/cb/",
            m
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:1/cb",
            "http://127.0.0.1:2/cb",
            RedirectMatch::Exact
        ));
        assert!(!redirect_matches(
            "https://a.example/cb",
            "https://a.example:444/cb",
            m
        ));
    }

    fn policy() -> TokenPolicy {
        TokenPolicy {
            access_ttl_secs: Some(60),
            refresh: Some(RefreshPolicy {
                ttl_secs: None,
                rotate: true,
                keep_expiry: false,
            }),
            access_prefix: String::new(),
            refresh_prefix: String::new(),
        }
    }

    #[test]
    fn refresh_rotation_and_family_revocation() {
        let mut s = OAuthStore::default();
        let now = Utc::now();
        let fam = OAuthStore::new_family();
        let t1 = s.issue_tokens("c", "a", &["x".into()], &fam, true, &policy(), now);
        let rt1 = t1.refresh_token.clone().unwrap_or_default();
        let t2 = s.refresh(&rt1, "c", &policy(), now).expect("first refresh");
        assert_ne!(t2.refresh_token.as_deref(), Some(rt1.as_str()));
        assert!(s.check_bearer(Some(&t2.access_token), now).is_ok());
        assert_eq!(
            s.refresh(&rt1, "c", &policy(), now),
            Err(RefreshError::Reused)
        );
        assert_eq!(
            s.check_bearer(Some(&t2.access_token), now).err(),
            Some(BearerError::Revoked)
        );
        let rt2 = t2.refresh_token.unwrap_or_default();
        assert_eq!(
            s.refresh(&rt2, "c", &policy(), now),
            Err(RefreshError::Revoked)
        );
    }
}
