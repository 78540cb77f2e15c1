//! What one client, and all of them, may hold at once: bodies being read
//! and connections per address (docs/adr/0012).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

/// Request bodies being read at once (docs/adr/0012).
#[derive(Clone)]
pub(crate) struct Limits {
    pub uploads: Arc<Semaphore>,
    pub bodies: Arc<Semaphore>,
    pub anonymous_bodies: Arc<Semaphore>,
    pub anonymous_per_ip: IpCounts,
}

/// Counts per client address.
pub(crate) type IpCounts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One of a limited number of things an address may hold at once (open
/// connections, anonymous bodies); the count drops with it.
pub(crate) struct IpSlot {
    counts: IpCounts,
    ip: IpAddr,
}

impl IpSlot {
    pub(crate) fn take(counts: &IpCounts, ip: IpAddr, max: usize) -> Option<Self> {
        let mut m = counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Self {
            counts: counts.clone(),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut m = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}
