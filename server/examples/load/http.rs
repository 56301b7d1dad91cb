//! The HTTP requests the simulated users make, as the browser makes them.

use crate::data::Login;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    SignIn,
    Page,
    Search,
    Report,
    Upload,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::SignIn => "sign-in",
            Kind::Page => "page view",
            Kind::Search => "account search",
            Kind::Report => "report write",
            Kind::Upload => "PDF upload",
        }
    }
}

/// One answer as the load sees it.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub cookie: Option<String>,
}

#[derive(Clone)]
pub struct Http {
    pub client: reqwest::Client,
}

impl Http {
    pub fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(512)
                .build()
                .unwrap(),
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                let cookie = res
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find(|v| v.starts_with("__Host-gatehouse_session="))
                    .map(|v| v.split(';').next().unwrap().to_string());
                let body = res.text().await.unwrap_or_default();
                Answer {
                    status,
                    body,
                    cookie,
                }
            }
            Err(e) => Answer {
                status: 0,
                body: format!("transport: {e}"),
                cookie: None,
            },
        }
    }

    pub async fn form(
        &self,
        base: &str,
        endpoint: &str,
        pairs: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Answer {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = self
            .client
            .post(format!("{base}{endpoint}"))
            .header("Origin", base)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        self.send(req).await
    }

    pub async fn get(&self, base: &str, path: &str, cookie: &str) -> Answer {
        self.send(
            self.client
                .get(format!("{base}{path}"))
                .header("Accept", "text/html")
                .header("Cookie", cookie),
        )
        .await
    }

    pub async fn sign_in(&self, base: &str, login: &Login, password: &str) -> Answer {
        if login.staff {
            self.form(
                base,
                "/api/staff_sign_in",
                &[
                    ("organization", &login.org),
                    ("username", &login.username),
                    ("password", password),
                ],
                None,
            )
            .await
        } else {
            self.form(
                base,
                "/api/client_sign_in",
                &[
                    ("organization", &login.org),
                    (
                        "identifier",
                        login.identifier.as_deref().unwrap_or_default(),
                    ),
                    ("username", &login.username),
                    ("password", password),
                ],
                None,
            )
            .await
        }
    }

    pub async fn upload(
        &self,
        base: &str,
        cookie: &str,
        account: Option<i64>,
        pdf: &[u8],
    ) -> Answer {
        let boundary = "----gatehouse-load";
        let mut body = Vec::with_capacity(pdf.len() + 1024);
        let mut field = |name: &str, value: &str| {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            )
        };
        if let Some(a) = account {
            field("account", &a.to_string());
        }
        field("issue_date", "2026-12-01");
        field("business_purpose", "Load test");
        field("document_type", "Certificate");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"load.pdf\"\r\n\
                 Content-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(pdf);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            self.client
                .post(format!("{base}/documents/upload"))
                .header("Origin", base)
                .header("Accept", "application/json")
                .header("Cookie", cookie)
                .header(
                    "Content-Type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await
    }
}

pub fn urlencode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn pdf(len: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    b.resize(len.max(64) - 7, b'0');
    b.extend_from_slice(b"\n%%EOF\n");
    b
}
