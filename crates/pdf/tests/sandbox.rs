//! Staff templates in the child process: a good one renders the same PDF as
//! in-process; one that loops, or asks for gigabytes, ends its own process
//! within the limits and says which limit it hit; a template slow only on
//! long, varied data fails the save check.

use std::time::{Duration, Instant};

use courtyard_pdf::sandbox::{Limits, Sandbox, SandboxError, CHILD_ARG};
use courtyard_pdf::{builtin, render, sample, PdfError};

fn sandbox(limits: Limits) -> Sandbox {
    Sandbox::new(
        env!("CARGO_BIN_EXE_courtyard-pdf-render").into(),
        vec![CHILD_ARG.into()],
        limits,
    )
}

fn tight() -> Limits {
    Limits {
        cpu_secs: 2,
        memory_bytes: 256 * 1024 * 1024,
        wall: Duration::from_secs(4),
    }
}

#[test]
fn a_good_template_renders_in_the_child_as_it_does_in_process() {
    let d = sample("invoice", 12);
    let child = sandbox(Limits::default())
        .render(builtin("invoice"), &d, None, (2026, 3, 1))
        .expect("renders in the child");
    let here = render(builtin("invoice"), &d, None, (2026, 3, 1)).unwrap();
    assert_eq!(child.pages, here.pages);
    assert_eq!(child.bytes, here.bytes, "the same reproducible PDF");
}

#[test]
fn a_template_error_comes_back_with_its_line() {
    let e = sandbox(Limits::default())
        .render(
            "#let d = json(\"/data.json\")\n#totl",
            &sample("quote", 1),
            None,
            (2026, 3, 1),
        )
        .unwrap_err();
    match e {
        SandboxError::Pdf(PdfError::Template(errors)) => {
            assert!(errors.iter().any(|m| m.starts_with("line 2")), "{errors:?}");
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn a_template_that_never_ends_is_stopped_at_the_processor_limit() {
    let started = Instant::now();
    let e = sandbox(tight())
        .render(
            "#for a in range(10000) { for b in range(10000) { for c in range(10000) { } } }",
            &sample("invoice", 1),
            None,
            (2026, 3, 1),
        )
        .unwrap_err();
    assert!(
        matches!(&e, SandboxError::Breach(m) if m.contains("processor time") || m.contains("longer than")),
        "{e:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped within its limits"
    );
}

#[test]
fn a_template_that_asks_for_gigabytes_fails_at_the_memory_limit() {
    let e = sandbox(tight())
        .render(
            "#let s = \"x\" * 1500000000\n#s.len()",
            &sample("invoice", 1),
            None,
            (2026, 3, 1),
        )
        .unwrap_err();
    assert!(
        matches!(&e, SandboxError::Breach(m) if m.contains("memory")),
        "{e:?}"
    );
}

#[test]
fn the_save_check_tries_long_varied_data_too() {
    // Fast on the short samples, slow once there are many lines.
    let slow_on_real_data = "#import \"/courtyard.typ\": *\n\
        #let d = json(\"/data.json\")\n\
        #if d.lines.len() > 100 { for i in range(10000) { for j in range(10000) { } } }\n\
        #standard(d)";
    let quick = sample("invoice", 40);
    sandbox(Limits::default())
        .render(slow_on_real_data, &quick, None, (2026, 3, 1))
        .expect("fine on a short document");
    let limits = Limits {
        cpu_secs: 4,
        memory_bytes: 512 * 1024 * 1024,
        wall: Duration::from_secs(8),
    };
    let e = sandbox(limits)
        .check("invoice", slow_on_real_data)
        .unwrap_err();
    assert!(
        matches!(
            &e,
            SandboxError::Pdf(PdfError::TooSlow(_)) | SandboxError::Breach(_)
        ),
        "{e:?}"
    );
    sandbox(Limits::default())
        .check("invoice", builtin("invoice"))
        .expect("the built-in passes");
}

#[test]
fn the_logo_reaches_the_child_as_bytes() {
    let mut d = sample("invoice", 2);
    d.has_logo = true;
    let logo = courtyard_pdf::SAMPLE_LOGO;
    let child = sandbox(Limits::default())
        .render(builtin("invoice"), &d, Some(logo), (2026, 3, 1))
        .expect("renders with the logo");
    let here = render(builtin("invoice"), &d, Some(logo), (2026, 3, 1)).unwrap();
    assert_eq!(child.bytes, here.bytes);
    let without = render(builtin("invoice"), &d, None, (2026, 3, 1));
    assert!(
        without.is_err() || without.unwrap().bytes != child.bytes,
        "the logo was used"
    );
}
