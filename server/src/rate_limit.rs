//! The per-client-address limit on sign-in and on everything that sends or
//! uses a password link (`app::api::RATE_LIMITED_ENDPOINTS`): a token bucket
//! per address, refilled continuously. Over the limit the answer is
//! `429 Too Many Requests` with `Retry-After`. Document uploads have a limit
//! of their own, per signed-in user ([`limit_uploads`]): the address of a
//! whole office behind one NAT would be the wrong thing to count.
//!
//! The client address is the TCP peer. `X-Forwarded-For` is believed only
//! when the peer is a configured trusted proxy, and then only up to the first
//! address that is not one: a spoofed header from anyone else changes
//! nothing. The buckets live in this process; with several instances behind
//! a load balancer each one limits on its own (the per-account lock-out, in
//! the database, is shared).

use app::{
    error::AppError,
    server::{auth::session, state::AppState},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use server_fn::error::FromServerFnError;
use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex},
    time::Instant,
};

/// Buckets kept before full ones are forgotten (bounds memory under a flood
/// of addresses).
const MAX_TRACKED: usize = 50_000;

/// The limit's settings.
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    /// Requests per minute per client address; also the burst size. `0`
    /// turns the limit off.
    pub per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_minute: 20,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// What a bucket counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counted {
    /// A client address (IPv6: its /64).
    Address(IpAddr),
    /// A signed-in user, by id.
    User(i32),
}

impl From<IpAddr> for Counted {
    fn from(ip: IpAddr) -> Self {
        Self::Address(ip)
    }
}

/// The buckets, and when full ones were last forgotten.
#[derive(Debug, Default)]
struct Tracked {
    buckets: HashMap<Counted, Bucket>,
    pruned_at: Option<Instant>,
}

/// The shared limiter.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    settings: Arc<RateLimitSettings>,
    state: Arc<Mutex<Tracked>>,
}

impl RateLimiter {
    /// A limiter with `settings`.
    pub fn new(settings: RateLimitSettings) -> Self {
        Self {
            settings: Arc::new(settings),
            state: Arc::new(Mutex::new(Tracked::default())),
        }
    }

    /// Takes one token for `who` at `now`; `Err(seconds)` to wait when none is left.
    pub fn take(&self, who: impl Into<Counted>, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.settings.per_minute);
        if capacity == 0.0 {
            return Ok(());
        }
        let per_second = capacity / 60.0;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let Tracked { buckets, pruned_at } = &mut *state;
        // Forget full buckets when the table is full, at most once a second:
        // under a flood of live addresses nothing is full, and scanning the
        // whole table on every request would only add to the load.
        if buckets.len() >= MAX_TRACKED
            && pruned_at.is_none_or(|t| now.duration_since(t).as_secs() >= 1)
        {
            *pruned_at = Some(now);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(who.into()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refilled = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_second)
            .min(capacity);
        bucket.at = now;
        if refilled >= 1.0 {
            bucket.tokens = refilled - 1.0;
            Ok(())
        } else {
            bucket.tokens = refilled;
            Err(((1.0 - refilled) / per_second).ceil().max(1.0) as u64)
        }
    }

    /// The address a request is counted against: the peer, or, when the
    /// peer is a trusted proxy, the nearest `X-Forwarded-For` hop that is not
    /// one. A hop that can't be read stops the walk (everything left of it
    /// may be made up), and the last trusted proxy is counted instead.
    /// IPv6 clients are counted by /64, the block one subscriber gets.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let trusted = &self.settings.trusted_proxies;
        let is_trusted = |ip: &IpAddr| trusted.contains(&ip.to_canonical());
        let mut client = peer.to_canonical();
        if is_trusted(&client) {
            let hops: Vec<&str> = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .collect();
            for hop in hops.iter().rev() {
                let Some(ip) = parse_hop(hop) else { break };
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
        }
        bucket(client)
    }
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or
/// `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The address a bucket is kept for: IPv4 as is, IPv6 by its /64.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The middleware: counts POSTs to the limited endpoints per client address.
pub async fn limit(State(limiter): State<RateLimiter>, req: Request, next: Next) -> Response {
    let limited = req.method() == Method::POST
        && app::api::RATE_LIMITED_ENDPOINTS.contains(&req.uri().path());
    if !limited {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let ip = limiter.client_address(peer, req.headers());
    match limiter.take(ip, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(retry_after_secs) => {
            tracing::warn!(%ip, path = req.uri().path(), retry_after_secs, "rate limit reached");
            too_many(&req, retry_after_secs)
        }
    }
}

/// The per-user limit on `POST /documents/upload`. Uploads are the heaviest
/// thing a signed-in user can ask for (disk, I/O, a write transaction), so
/// one user, or a script with their cookie, can't keep the server busy with
/// them. Requests without a live session pass: the upload itself answers
/// them with 401.
pub async fn limit_uploads(
    State((limiter, state)): State<(RateLimiter, AppState)>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::POST
        || !matches!(req.uri().path(), "/documents/upload" | "/imports/upload")
        || limiter.settings.per_minute == 0
    {
        return next.run(req).await;
    }
    let Some(token) = session::token_from_headers(req.headers(), &state.sessions) else {
        return next.run(req).await;
    };
    let user_id =
        match session::find_live(&state.db, &token, &state.sessions, state.clock.now()).await {
            Ok(Some((s, _))) => s.user_id,
            _ => return next.run(req).await,
        };
    match limiter.take(Counted::User(user_id), Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(retry_after_secs) => {
            tracing::warn!(user_id, retry_after_secs, "upload rate limit reached");
            // Decided as the upload handler decides: JSON when asked for.
            let mut res = if !accepts(&req, "application/json") {
                // A plain form post goes back to its page with the message,
                // as every other refused upload does. The form (and its
                // return address) is not read, so the page is the Referer.
                let mut res = app::server::files::upload_answer(
                    Err(AppError::TooManyAttempts { retry_after_secs }),
                    false,
                    referer_path(req.headers()),
                );
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                res
            } else {
                too_many_answer(false, retry_after_secs)
            };
            // The body was not read: the connection can't carry another request.
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

/// Whether the request's `Accept` names `media_type`.
fn accepts(req: &Request, media_type: &str) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(media_type))
}

/// The path (and query) of the page a request came from, from `Referer`.
fn referer_path(headers: &axum::http::HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let after_scheme = referer.split_once("://")?.1;
    let path = &after_scheme[after_scheme.find('/')?..];
    Some(path.split('#').next().unwrap_or(path).to_string())
}

fn too_many(req: &Request, retry_after_secs: u64) -> Response {
    too_many_answer(accepts(req, "text/html"), retry_after_secs)
}

fn too_many_answer(wants_html: bool, retry_after_secs: u64) -> Response {
    let error = AppError::TooManyAttempts { retry_after_secs };
    // Script callers get the error as a server function encodes it, so the
    // form shows the message; a plain form post gets a readable page.
    let (content_type, body) = if wants_html {
        (
            "text/html; charset=utf-8",
            Body::from(format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · Gatehouse</title></head>\
                 <body><main><h1>Too many attempts</h1><p>{error}</p><p><a href=\"/\">Back to Gatehouse</a></p></main></body></html>"
            )),
        )
    } else {
        ("application/json", Body::from(error.ser()))
    };
    let mut res = Response::new(body);
    *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        h.insert(header::RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limiter(per_minute: u32, trusted: &[&str]) -> RateLimiter {
        RateLimiter::new(RateLimitSettings {
            per_minute,
            trusted_proxies: trusted.iter().map(|s| s.parse().unwrap()).collect(),
        })
    }

    #[test]
    fn the_page_an_upload_came_from_is_read_from_the_referer() {
        let mut h = axum::http::HeaderMap::new();
        assert_eq!(referer_path(&h), None);
        h.insert(
            header::REFERER,
            HeaderValue::from_static("http://127.0.0.1:3000/portal/alpha/documents?x=1#top"),
        );
        assert_eq!(
            referer_path(&h).as_deref(),
            Some("/portal/alpha/documents?x=1")
        );
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://g.example"),
        );
        assert_eq!(referer_path(&h), None);
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_tokens_refill() {
        let l = limiter(6, &[]);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..6 {
            assert!(l.take(ip, t0).is_ok());
        }
        assert_eq!(l.take(ip, t0), Err(10));
        assert!(l.take(ip, t0 + Duration::from_secs(10)).is_ok());
        let other: IpAddr = "203.0.113.10".parse().unwrap();
        assert!(
            l.take(other, t0).is_ok(),
            "addresses have their own buckets"
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "198.51.100.7, 10.0.0.2".parse().unwrap());
        let untrusted = limiter(6, &[]);
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(untrusted.client_address(peer, &h), peer);
        let trusted = limiter(6, &["10.0.0.2"]);
        assert_eq!(
            trusted.client_address(peer, &h),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn made_up_hops_left_of_an_unreadable_one_are_not_believed() {
        let trusted = limiter(6, &["10.0.0.2"]);
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.66, unknown, 198.51.100.7:4711".parse().unwrap(),
        );
        assert_eq!(
            trusted.client_address(peer, &h),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        h.insert("x-forwarded-for", "203.0.113.66, garbage".parse().unwrap());
        assert_eq!(trusted.client_address(peer, &h), peer);
        // An IPv4 proxy seen through an IPv6 listener is still the proxy.
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        h.insert("x-forwarded-for", "198.51.100.7".parse().unwrap());
        assert_eq!(
            trusted.client_address(mapped, &h),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        let l = limiter(2, &[]);
        let h = HeaderMap::new();
        let a = l.client_address("2001:db8:1:2::1".parse().unwrap(), &h);
        let b = l.client_address("2001:db8:1:2:ffff::9".parse().unwrap(), &h);
        assert_eq!(a, b);
        let t0 = Instant::now();
        assert!(l.take(a, t0).is_ok() && l.take(b, t0).is_ok());
        assert!(l.take(b, t0).is_err());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let l = limiter(0, &[]);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..1000 {
            assert!(l.take(ip, Instant::now()).is_ok());
        }
    }
}
