//! Small pools of our own threads for CPU-heavy work (password hashing, PDF
//! rendering, thumbnails), so that it never runs on the async workers and a
//! burst of it queues instead of stalling pages.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;

type Job = Box<dyn FnOnce() + Send>;

/// How much CPU a pool's threads may take from the request threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Linux `SCHED_IDLE`: only CPU time nothing else wants (docs/adr/0006).
    /// Where refused, nice 10.
    Idle,
    /// Nice 10: behind requests, but a person is waiting for the result.
    Low,
}

/// Why a job did not run.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("the {0} queue is full")]
    Busy(&'static str),
    #[error("the {0} threads have stopped")]
    Stopped(&'static str),
    #[error("the {0} job panicked")]
    Panicked(&'static str),
}

#[derive(Clone, Debug)]
pub struct WorkPool {
    name: &'static str,
    jobs: SyncSender<Job>,
    /// Refuse at once when the queue is full (a person waits for a PDF:
    /// better a clear "try again" than a long wait); else wait for room.
    refuse_when_full: bool,
}

impl WorkPool {
    /// Half the cores, at least one thread, and a bounded queue.
    pub fn new(
        name: &'static str,
        queue: usize,
        priority: Priority,
        refuse_when_full: bool,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::with_threads(name, (cores / 2).max(1), queue, priority, refuse_when_full)
    }

    /// As [`WorkPool::new`] with a given number of threads (for work that
    /// mostly waits, such as on a child process).
    pub fn with_threads(
        name: &'static str,
        threads: usize,
        queue: usize,
        priority: Priority,
        refuse_when_full: bool,
    ) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(queue);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    lower_priority(priority);
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("spawn a pool thread");
        }
        Self {
            name,
            jobs: tx,
            refuse_when_full,
        }
    }

    /// Run `f` on the pool and wait for its result. A panic in `f` is caught
    /// and reported; the thread lives on.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
        });
        if self.refuse_when_full {
            match self.jobs.try_send(job) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => return Err(PoolError::Busy(self.name)),
                Err(TrySendError::Disconnected(_)) => return Err(PoolError::Stopped(self.name)),
            }
        } else {
            let jobs = self.jobs.clone();
            // The queue is bounded; wait for room off the async threads.
            tokio::task::spawn_blocking(move || jobs.send(job))
                .await
                .map_err(|_| PoolError::Stopped(self.name))?
                .map_err(|_| PoolError::Stopped(self.name))?;
        }
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(PoolError::Panicked(self.name)),
            Err(_) => Err(PoolError::Stopped(self.name)),
        }
    }
}

#[allow(unsafe_code)] // thread scheduling calls; SAFETY below
fn lower_priority(priority: Priority) {
    #[cfg(target_os = "linux")]
    // SAFETY: sched_setscheduler and setpriority on our own thread with valid
    // arguments have no memory-safety preconditions; failure only leaves the
    // priority as it was.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let param = libc::sched_param { sched_priority: 0 };
        if priority == Priority::Low || libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid, 10);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = priority;
}
