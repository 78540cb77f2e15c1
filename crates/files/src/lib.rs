//! File bytes behind the `object_store` crate: a local directory by default,
//! S3-compatible storage by configuration, memory in tests.
//! Keys are made by the application, never from user input. A put is
//! atomic on the local store (a staged file renamed into place), so no
//! partial file is ever visible; staged files left by a crash, and bytes no
//! database row points at, are swept at start-up.

pub mod thumbs;

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::ObjectStore;

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("no such file")]
    NotFound,
    #[error("file storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = FilesError> = std::result::Result<T, E>;

/// Where file bytes live. A local store opens its directory (creating it)
/// on first use, so building one never fails and costs nothing.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<tokio::sync::OnceCell<Arc<dyn ObjectStore>>>,
    /// The directory of a local store.
    root: Option<PathBuf>,
}

/// Where an S3-compatible bucket is and how to sign for it.
#[derive(Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// Empty for AWS itself; e.g. `https://s3.eu-central-003.backblazeb2.com`.
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Allow an `http://` endpoint (a server on the same network).
    pub allow_http: bool,
}

/// A stored object: its key and when it was last written (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub modified: i64,
}

impl FileStore {
    /// A directory on local disk, created when first used.
    pub fn local(dir: &FsPath) -> Self {
        Self {
            inner: Arc::new(tokio::sync::OnceCell::new()),
            root: Some(dir.to_path_buf()),
        }
    }

    /// An S3-compatible bucket. Building it does not connect; the first
    /// request does. A PUT to S3 is atomic, so nothing is staged.
    pub fn s3(s: &S3Settings) -> Result<Self> {
        let mut b = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&s.bucket)
            .with_region(if s.region.is_empty() {
                "us-east-1"
            } else {
                &s.region
            })
            .with_access_key_id(&s.access_key_id)
            .with_secret_access_key(&s.secret_access_key)
            .with_allow_http(s.allow_http);
        if !s.endpoint.is_empty() {
            b = b.with_endpoint(&s.endpoint);
        }
        let store: Arc<dyn ObjectStore> = Arc::new(b.build()?);
        Ok(Self {
            inner: Arc::new(tokio::sync::OnceCell::new_with(Some(store))),
            root: None,
        })
    }

    /// In memory: tests.
    pub fn memory() -> Self {
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        Self {
            inner: Arc::new(tokio::sync::OnceCell::new_with(Some(store))),
            root: None,
        }
    }

    async fn store(&self) -> Result<&Arc<dyn ObjectStore>> {
        self.inner
            .get_or_try_init(|| async {
                let dir = self
                    .root
                    .clone()
                    .expect("a store without a directory is in memory");
                std::fs::create_dir_all(&dir)?;
                let s: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
                Ok(s)
            })
            .await
    }

    fn path(key: &str) -> Path {
        Path::from(key)
    }

    /// Store `bytes` under `key`, all or nothing.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        self.store()
            .await?
            .put(&Self::path(key), bytes.into())
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes> {
        match self.store().await?.get(&Self::path(key)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(FilesError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Delete; deleting what is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<()> {
        match self.store().await?.delete(&Self::path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every stored object.
    pub async fn list(&self) -> Result<Vec<Stored>> {
        let metas: Vec<_> = self.store().await?.list(None).try_collect().await?;
        Ok(metas
            .into_iter()
            .map(|m| Stored {
                key: m.location.to_string(),
                modified: m.last_modified.timestamp(),
            })
            .collect())
    }

    /// Remove staged uploads a crash left behind (local store only: names
    /// with a `#`, which the local store uses for files not yet renamed into
    /// place). Returns how many were removed.
    pub fn sweep_staged(&self) -> Result<usize> {
        let Some(root) = self.root.as_ref().filter(|r| r.exists()) else {
            return Ok(0);
        };
        fn walk(dir: &FsPath, removed: &mut usize) -> std::io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    walk(&path, removed)?;
                } else if path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains('#'))
                {
                    std::fs::remove_file(&path)?;
                    *removed += 1;
                }
            }
            Ok(())
        }
        let mut removed = 0;
        walk(root, &mut removed)?;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_put_get_list_delete_and_staged_sweep() {
        let dir = std::env::temp_dir().join(format!("cy-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = FileStore::local(&dir);
        store
            .put("ab/cd", Bytes::from_static(b"hello"))
            .await
            .unwrap();
        assert_eq!(
            store.get("ab/cd").await.unwrap(),
            Bytes::from_static(b"hello")
        );
        assert!(matches!(store.get("nope").await, Err(FilesError::NotFound)));
        // A crash mid-upload leaves a staged file: never listed, swept.
        std::fs::write(dir.join("ab").join("ef#1"), b"partial").unwrap();
        let keys: Vec<String> = store
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.key)
            .collect();
        assert_eq!(keys, vec!["ab/cd".to_owned()]);
        assert_eq!(store.sweep_staged().unwrap(), 1);
        store.delete("ab/cd").await.unwrap();
        store.delete("ab/cd").await.unwrap();
        assert!(store.list().await.unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
