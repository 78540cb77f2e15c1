//! Staff-written templates run in a child process with CPU, memory and
//! wall-clock limits (docs/adr/0013): a template that loops, or asks for
//! gigabytes, ends its own process and nothing else. Built-in templates are
//! ours and render in-process.
//!
//! The child is a program that calls [`child_main`]: `courtyard __pdf-render`
//! in production, `courtyard-pdf-render` (this crate's binary) in tests. It
//! reads one job as a JSON line and then the logo's bytes on stdin, and
//! writes a one-line JSON header and then the PDF's bytes on stdout.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{check, render, Date, DocData, Pdf, PdfError};

/// The argument that makes the `courtyard` binary a PDF child.
pub const CHILD_ARG: &str = "__pdf-render";

/// A job is at most this large on stdin (a 64 KiB template, a logo, data).
const MAX_JOB_BYTES: u64 = 32 * 1024 * 1024;
/// The child's exit code when it could not read its job (not the template's fault).
const CHILD_FAILED: i32 = 3;
/// And a PDF at most this large on stdout.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024 * 1024;

/// What a child is asked to do.
#[derive(Debug, Serialize, Deserialize)]
enum Job {
    /// The logo, if any, follows the job's line on stdin as raw bytes.
    Render {
        source: String,
        data: Box<DocData>,
        today: Date,
    },
    Check {
        kind: String,
        source: String,
    },
}

/// The first line a child writes.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    /// Pages of the PDF that follows; `None` after a check.
    pages: Option<usize>,
    /// The template's own error, if it had one.
    error: Option<PdfError>,
}

/// How much a template may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// CPU seconds (the kernel stops the child past them).
    pub cpu_secs: u64,
    /// Heap and other private memory, in bytes (allocations past it fail).
    pub memory_bytes: u64,
    /// Wall-clock time; the child is killed past it.
    pub wall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_secs: 10,
            memory_bytes: 512 * 1024 * 1024,
            wall: Duration::from_secs(15),
        }
    }
}

/// Why a sandboxed render gave no PDF.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The template's own error (it does not compile, or is too slow on a
    /// sample): staff fix the template.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// The template went past a limit, or its process died: what it did
    /// ("took longer than 15 s").
    #[error("the template {0}")]
    Breach(String),
    /// The child could not be started or did not answer as expected.
    #[error("the PDF process could not run: {0}")]
    Unavailable(String),
}

/// The program to start for each sandboxed job.
#[derive(Debug, Clone)]
pub struct Sandbox {
    program: PathBuf,
    args: Vec<String>,
    limits: Limits,
}

impl Sandbox {
    /// `program args…` must end in [`child_main`].
    pub fn new(program: PathBuf, args: Vec<String>, limits: Limits) -> Self {
        Self {
            program,
            args,
            limits,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// [`render`], in a child process within the limits.
    pub fn render(
        &self,
        source: &str,
        data: &DocData,
        logo: Option<&[u8]>,
        today: Date,
    ) -> Result<Pdf, SandboxError> {
        let job = Job::Render {
            source: source.to_owned(),
            data: Box::new(data.clone()),
            today,
        };
        let (header, bytes) = self.run(&job, logo.unwrap_or_default())?;
        match header {
            Header { error: Some(e), .. } => Err(e.into()),
            Header {
                pages: Some(pages), ..
            } => Ok(Pdf { bytes, pages }),
            Header { pages: None, .. } => {
                Err(SandboxError::Unavailable("the child sent no PDF".into()))
            }
        }
    }

    /// [`check`], in a child process within the limits.
    pub fn check(&self, kind: &str, source: &str) -> Result<(), SandboxError> {
        let job = Job::Check {
            kind: kind.to_owned(),
            source: source.to_owned(),
        };
        match self.run(&job, &[])?.0.error {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    fn run(&self, job: &Job, logo: &[u8]) -> Result<(Header, Vec<u8>), SandboxError> {
        let mut input =
            serde_json::to_vec(job).map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        input.push(b'\n');
        input.extend_from_slice(logo);
        let limits = self.limits.clone();
        let deadline = std::time::Instant::now() + limits.wall;
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .env_clear()
            // One malloc arena: what the template allocates is what counts.
            .env("MALLOC_ARENA_MAX", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        limit_child(&mut cmd, &limits);
        let mut child = cmd
            .spawn()
            .map_err(|e| SandboxError::Unavailable(format!("{}: {e}", self.program.display())))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            // A child that dies early closes the pipe: nothing to report here.
            let _ = stdin.write_all(&input);
        });
        // Both pipes are read to their end, past what is kept, so a child
        // that writes too much never blocks on a full pipe.
        let errors = std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut stderr = stderr;
            let _ = (&mut stderr).take(16 * 1024).read_to_end(&mut kept);
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            String::from_utf8_lossy(&kept).into_owned()
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let mut stdout = stdout;
            let read = (&mut stdout)
                .take(MAX_OUTPUT_BYTES)
                .read_to_end(&mut out)
                .and_then(|_| std::io::copy(&mut stdout, &mut std::io::sink()));
            let _ = tx.send(read.map(|extra| (out, extra > 0)));
        });
        let timed_out =
            || SandboxError::Breach(format!("took longer than {} s", limits.wall.as_secs()));
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let Ok(out) = rx.recv_timeout(left) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(timed_out());
        };
        // The pipe is closed; the child should be gone too, and is killed
        // if it lingers past the deadline.
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(timed_out());
                }
                Err(e) => return Err(SandboxError::Unavailable(e.to_string())),
            }
        };
        let said = errors.join().unwrap_or_default();
        if status.code() == Some(CHILD_FAILED) {
            return Err(SandboxError::Unavailable(format!(
                "the child could not take the job: {}",
                said.trim()
            )));
        }
        if !status.success() {
            return Err(SandboxError::Breach(describe_exit(status, &limits, &said)));
        }
        let (out, too_much) = out.map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        if too_much {
            return Err(SandboxError::Breach(format!(
                "made a PDF larger than {} MiB",
                MAX_OUTPUT_BYTES / (1024 * 1024)
            )));
        }
        let split = out
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| SandboxError::Unavailable("the child's answer has no header".into()))?;
        let header: Header = serde_json::from_slice(&out[..split])
            .map_err(|e| SandboxError::Unavailable(format!("the child's answer: {e}")))?;
        Ok((header, out[split + 1..].to_vec()))
    }
}

/// In words: why the child stopped.
fn describe_exit(status: std::process::ExitStatus, limits: &Limits, said: &str) -> String {
    use std::os::unix::process::ExitStatusExt;
    let mib = limits.memory_bytes / (1024 * 1024);
    if said.contains("memory allocation") || said.contains("out of memory") {
        return format!("needed more than {mib} MiB of memory");
    }
    match status.signal() {
        Some(libc::SIGXCPU | libc::SIGKILL) => {
            format!("used more than {} s of processor time", limits.cpu_secs)
        }
        Some(libc::SIGABRT | libc::SIGSEGV) => {
            format!("needed more than {mib} MiB of memory")
        }
        _ => format!(
            "stopped unexpectedly ({status}){}",
            said.lines()
                .last()
                .map(|l| format!(": {l}"))
                .unwrap_or_default()
        ),
    }
}

#[cfg(unix)]
#[allow(unsafe_code)] // pre_exec; SAFETY below
fn limit_child(cmd: &mut Command, limits: &Limits) {
    use std::os::unix::process::CommandExt;
    let cpu = limits.cpu_secs;
    let memory = limits.memory_bytes;
    // SAFETY: between fork and exec only async-signal-safe calls are made
    // (setrlimit, setpriority), on values computed before the fork.
    unsafe {
        cmd.pre_exec(move || {
            let set = |resource, soft: u64, hard: u64| {
                let lim = libc::rlimit {
                    rlim_cur: soft as libc::rlim_t,
                    rlim_max: hard as libc::rlim_t,
                };
                if libc::setrlimit(resource, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            };
            // SIGXCPU at the soft limit, SIGKILL a second later.
            set(libc::RLIMIT_CPU, cpu, cpu + 1)?;
            set(libc::RLIMIT_DATA, memory, memory)?;
            set(libc::RLIMIT_CORE, 0, 0)?;
            libc::setpriority(libc::PRIO_PROCESS, 0, 10);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn limit_child(_cmd: &mut Command, _limits: &Limits) {}

/// The child's side: read a job, do it, answer. Returns the exit code.
pub fn child_main() -> i32 {
    let mut input = Vec::new();
    if std::io::stdin()
        .take(MAX_JOB_BYTES)
        .read_to_end(&mut input)
        .is_err()
    {
        eprintln!("could not read the job");
        return CHILD_FAILED;
    }
    let split = input
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(input.len());
    let job: Job = match serde_json::from_slice(&input[..split]) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("not a PDF job: {e}");
            return CHILD_FAILED;
        }
    };
    let logo = input.get(split + 1..).filter(|l| !l.is_empty());
    let (header, bytes) = match job {
        Job::Render {
            source,
            data,
            today,
        } => match render(&source, &data, logo, today) {
            Ok(pdf) => (
                Header {
                    pages: Some(pdf.pages),
                    error: None,
                },
                pdf.bytes,
            ),
            Err(e) => (
                Header {
                    pages: None,
                    error: Some(e),
                },
                Vec::new(),
            ),
        },
        Job::Check { kind, source } => (
            Header {
                pages: None,
                error: check(&kind, &source).err(),
            },
            Vec::new(),
        ),
    };
    let mut out = std::io::stdout().lock();
    let line = serde_json::to_vec(&header).expect("a header serialises");
    if out.write_all(&line).is_err()
        || out.write_all(b"\n").is_err()
        || out.write_all(&bytes).is_err()
        || out.flush().is_err()
    {
        return CHILD_FAILED;
    }
    0
}
