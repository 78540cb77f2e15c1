//! Static assets, embedded in the binary and served under content-hashed
//! names with a year-long immutable cache.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    hashed: String,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        (
            "app.css",
            "text/css; charset=utf-8",
            include_bytes!("../../static/app.css").as_slice(),
        ),
        (
            "app.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../static/app.js").as_slice(),
        ),
        (
            "favicon.svg",
            "image/svg+xml",
            include_bytes!("../../static/favicon.svg").as_slice(),
        ),
    ]
    .into_iter()
    .map(|(name, content_type, body)| {
        let hash = hex::encode(&Sha256::digest(body)[..6]);
        let (stem, ext) = name.rsplit_once('.').expect("asset has an extension");
        Asset {
            name,
            content_type,
            body,
            hashed: format!("{stem}.{hash}.{ext}"),
        }
    })
    .collect()
});

/// The URL of an asset, e.g. `/static/app.3f2a9c1b0d4e.css`.
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| format!("/static/{}", a.hashed))
        .unwrap_or_default()
}

/// The asset served as `file` (its hashed name), if there is one.
pub fn response(file: &str) -> Option<Response> {
    let a = ASSETS.iter().find(|a| a.hashed == file)?;
    Some(
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(a.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            a.body,
        )
            .into_response(),
    )
}
