//! PDF uploads and downloads as browsers and scripts send them
//! (`/documents/upload`, `/documents/{id}/file`): account documents and
//! insureds' eDocs share them.

use super::TestApp;
use reqwest::{header, Response, StatusCode};

/// Bytes that look like a small PDF, `len` long, distinct per `seed`.
pub fn pdf_bytes(len: usize, seed: u8) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let tail = b"\n%%EOF\n";
    let mut i: u32 = seed as u32;
    while b.len() + tail.len() < len {
        i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        b.push(b'0' + (i >> 16) as u8 % 10);
    }
    b.extend_from_slice(tail);
    b
}

/// A PDF upload as the page's form sends it.
pub struct Upload {
    pub account: Option<i32>,
    /// For an eDoc: the insured, and the policy ("" for none).
    pub insured: Option<i32>,
    pub policy: Option<String>,
    pub issue_date: String,
    pub business_purpose: String,
    pub document_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn pdf(account: Option<i32>) -> Self {
        Self {
            account,
            insured: None,
            policy: None,
            issue_date: "2024-03-15".into(),
            business_purpose: "Annual renewal".into(),
            document_type: "Certificate".into(),
            file_name: "Quarterly report.pdf".into(),
            bytes: pdf_bytes(2048, 1),
        }
    }

    /// The multipart body and its content type.
    pub fn encode(&self) -> (String, Vec<u8>) {
        let boundary = "----gatehouse-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        let mut text = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        if let Some(a) = self.account {
            text("account", &a.to_string());
        }
        if let Some(i) = self.insured {
            text("insured", &i.to_string());
        }
        if let Some(p) = &self.policy {
            text("policy", p);
        }
        text("issue_date", &self.issue_date);
        text("business_purpose", &self.business_purpose);
        text("document_type", &self.document_type);
        text("return_to", "/portal/alpha/documents");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
                self.file_name
            )
            .as_bytes(),
        );
        body.extend_from_slice(&self.bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

/// `POST /documents/upload` as a script does it (JSON answers).
pub async fn upload(app: &TestApp, cookie: Option<&str>, up: &Upload) -> Response {
    let (content_type, body) = up.encode();
    let mut req = app
        .http
        .post(format!("{}/documents/upload", app.base))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, &app.base)
        .header("sec-fetch-site", "same-origin")
        .body(body);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.unwrap()
}

/// The new document's id from a successful upload.
pub async fn uploaded(res: Response) -> i32 {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["id"].as_i64().expect("an id") as i32
}

/// `GET /documents/{id}/file`.
pub async fn download(app: &TestApp, doc: i32, cookie: Option<&str>) -> Response {
    let mut req = app.http.get(format!("{}/documents/{doc}/file", app.base));
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.unwrap()
}

/// The files in the documents directory (none when it does not exist yet).
pub fn stored_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(&app.files_dir) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

pub fn is_generated_pdf_name(name: &str) -> bool {
    name.len() == 36
        && name.ends_with(".pdf")
        && name[..32]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}
