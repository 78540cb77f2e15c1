//! The file store on S3-compatible storage, against a local S3 server that
//! speaks the real protocol and checks every request's SigV4 signature and
//! IAM policy (moto's server: `scripts/s3-test-server.py`, which
//! `scripts/test` starts, setting `COURTYARD_TEST_S3_URL`, `_KEY` and
//! `_SECRET`). Without them the test says so and passes: the test command
//! prints whether the S3 suite is on.

use bytes::Bytes;
use courtyard_files::{FileStore, FilesError, S3Settings};

/// The test server's settings; `secret` replaces the real secret if given.
fn settings(secret: Option<&str>) -> Option<S3Settings> {
    let var = |k: &str| std::env::var(format!("COURTYARD_TEST_S3_{k}")).ok();
    Some(S3Settings {
        bucket: "courtyard".into(),
        endpoint: var("URL")?,
        region: "us-east-1".into(),
        access_key_id: var("KEY")?,
        secret_access_key: match secret {
            Some(s) => s.to_owned(),
            None => var("SECRET")?,
        },
        allow_http: true,
    })
}

#[tokio::test]
async fn s3_store_puts_gets_lists_and_deletes_with_signed_requests() {
    let Some(s) = settings(None) else {
        eprintln!("S3 suite OFF: set COURTYARD_TEST_S3_URL, _KEY and _SECRET (scripts/test starts a local S3 server)");
        return;
    };
    let store = FileStore::s3(&s).unwrap();
    let key = format!("t{}/ab/{}", std::process::id(), "file-1");
    let body = Bytes::from_static(b"%PDF-1.7 stored in a bucket");
    store.put(&key, body.clone()).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), body);
    let listed = store.list().await.unwrap();
    let me = listed
        .iter()
        .find(|o| o.key == key)
        .expect("the object is listed");
    assert!(me.modified > 1_700_000_000, "a real modification time");
    // Nothing is staged on S3: a PUT is atomic.
    assert_eq!(store.sweep_staged().unwrap(), 0);
    store.delete(&key).await.unwrap();
    assert!(matches!(store.get(&key).await, Err(FilesError::NotFound)));
    // Deleting what is gone is fine.
    store.delete(&key).await.unwrap();

    // The server checks signatures: a wrong secret is refused.
    let wrong = FileStore::s3(&settings(Some("not-the-secret")).unwrap()).unwrap();
    match wrong.put(&key, body).await {
        Err(FilesError::Store(e)) => assert!(
            e.to_string().contains("SignatureDoesNotMatch") || e.to_string().contains("403"),
            "{e}"
        ),
        other => panic!("a badly signed PUT must fail, got {other:?}"),
    }
    assert!(matches!(store.get(&key).await, Err(FilesError::NotFound)));
}
