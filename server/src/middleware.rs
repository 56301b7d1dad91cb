//! HTTP middleware: security headers (with the CSP nonce), refusal of
//! cross-site state changes, and the request body limit.

use app::server::csp::CspNonce;
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Adds the security headers to every response, and mints the nonce that
/// the page's inline hydration scripts carry.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    let is_asset = req.uri().path().starts_with("/pkg/");
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        nonce.0
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin` keeps the Referer on our own form posts (plain-HTML forms
    // are redirected back to it) and sends nothing to other sites.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !is_asset && !h.contains_key(header::CACHE_CONTROL) {
        // Pages and API answers are per-user: never cache them.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Refuses state-changing requests that a browser says come from another
/// site: `Sec-Fetch-Site` other than `same-origin`/`none`, or an `Origin`
/// whose host is not the one the request was sent to. Requests without
/// either header (not from a browser) pass: CSRF needs a victim's browser.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let foreign_fetch = matches!(fetch_site, Some(site) if site != "same-origin" && site != "none");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let foreign_origin = match headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("invalid"))
    {
        None => false,
        Some(origin) => {
            let authority = origin
                .split_once("://")
                .map(|(_, rest)| rest.trim_end_matches('/'));
            authority.is_none() || authority != host
        }
    };
    if foreign_fetch || foreign_origin {
        tracing::warn!(
            method = %req.method(),
            path = %req.uri().path(),
            origin = ?headers.get(header::ORIGIN),
            sec_fetch_site = ?fetch_site,
            "cross-site request refused"
        );
        return (
            StatusCode::FORBIDDEN,
            Body::from("Cross-site requests are not accepted."),
        )
            .into_response();
    }
    next.run(req).await
}
