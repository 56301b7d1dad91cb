//! HTTP middleware: security headers (with the CSP nonce), refusal of
//! cross-site state changes, and the session gate in front of the server
//! functions.

use app::{
    error::{AppError, PUBLIC_ENDPOINTS},
    server::{
        auth::session,
        csp::CspNonce,
        request::{accepts_html, status_of},
        state::AppState,
    },
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use server_fn::error::{FromServerFnError, ServerFnUrlError, SERVER_FN_ERROR_HEADER};

/// Adds the security headers to every response, and mints the nonce that
/// the page's inline hydration scripts carry. Files under `/pkg` get only
/// `nosniff` and their caching (immutable when the names carry content
/// hashes); everything else is `no-store`. A response that brings its own
/// `Content-Security-Policy` (file downloads: `sandbox`) keeps it. HSTS is
/// sent when the public URL is https: over plain HTTP it means nothing, and
/// on `http://localhost` it would only confuse a developer's browser.
pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::generate();
    let is_asset = req.uri().path().starts_with("/pkg/");
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let status = res.status();
    let h = res.headers_mut();
    if is_asset && status.is_success() {
        // A script, wasm or stylesheet: the page's headers govern what it
        // may do (CSP, framing, referrer and the rest apply to documents),
        // so only `nosniff` and caching are worth their bytes. A page loads
        // dozens of these (the split wasm), each paying for its headers.
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // The same name answers brotli, gzip or plain by `Accept-Encoding`:
        // a shared cache must keep them apart.
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if !h.contains_key(header::CACHE_CONTROL) {
            let cache = if state.leptos_options.hash_files {
                // Every file under /pkg carries its content hash in its name
                // (cargo-leptos `hash-files`): a new build means new names,
                // so browsers may keep these for good.
                "public, max-age=31536000, immutable"
            } else {
                // Plain names change content between builds: revalidate.
                "no-cache"
            };
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        }
        return res;
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = format!(
            "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            nonce.0
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    if state
        .mail
        .public_url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    {
        // One year; no includeSubDomains, which would bind the company's
        // other hosts too.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
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
    if !h.contains_key(header::CACHE_CONTROL) {
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

/// The session gate: a call of a server function that is not in
/// [`PUBLIC_ENDPOINTS`] needs a live session, checked here before the
/// function's arguments are read. Without one the answer is 401 whatever the
/// arguments are, so a stranger can't tell from the answers which arguments
/// an endpoint takes (a decoding failure would otherwise be a different
/// answer). The functions still build their `Actor` from the session
/// themselves: this gate only answers strangers early, it grants nothing.
pub async fn require_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/") || PUBLIC_ENDPOINTS.contains(&path) {
        return next.run(req).await;
    }
    let refusal = match session::token_from_headers(req.headers(), &state.sessions) {
        None => AppError::SignInRequired,
        Some(token) => {
            match session::find_live(&state.db, &token, &state.sessions, state.clock.now()).await {
                Ok(Some(_)) => return next.run(req).await,
                Ok(None) => AppError::SignInRequired,
                Err(e) => e.into(),
            }
        }
    };
    server_fn_refusal(&req, refusal)
}

/// The answer a server function itself would give with `error`: the status
/// from the error policy and the error as JSON, or, for a plain HTML form
/// post, a redirect back to the form with the error in the URL.
fn server_fn_refusal(req: &Request, error: AppError) -> Response {
    let path = req.uri().path();
    if accepts_html(req.headers()) {
        let back = req
            .headers()
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|referer| {
                ServerFnUrlError::new(path, error.clone())
                    .to_url(referer)
                    .ok()
            })
            .map(|url| url.to_string())
            .unwrap_or_else(|| "/".to_string());
        return match HeaderValue::from_str(&back) {
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(_) => (
                StatusCode::FOUND,
                [(header::LOCATION, HeaderValue::from_static("/"))],
            )
                .into_response(),
        };
    }
    let mut res = (status_of(&error), error.ser()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(p) = HeaderValue::from_str(path) {
        headers.insert(SERVER_FN_ERROR_HEADER, p);
    }
    res
}
