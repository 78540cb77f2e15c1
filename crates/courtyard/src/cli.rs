use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use courtyard_app::config::{Config, CONFIG_ENV};
use courtyard_app::domain::StaffRole;
use courtyard_app::{auth, worker, App, AppError, Db};
use courtyard_db::ConnectOptions;
use courtyard_demo as demo;
use tokio::sync::watch;

/// Courtyard: a self-hosted customer portal.
#[derive(Parser)]
#[command(name = "courtyard", version)]
struct Cli {
    /// A TOML configuration file (also read from COURTYARD_CONFIG).
    #[arg(long, global = true, env = CONFIG_ENV)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (the default).
    Serve(ServeArgs),
    /// Start a fresh demo: an embedded database with sample customers, and printed logins.
    Demo(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Deliver queued emails (when `serve` runs with in_process_worker = false).
    Worker,
    /// Administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(clap::Args, Default, Clone)]
struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long)]
    listen: Option<String>,
    /// Data directory (database, files, mail).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a staff member. Without --password-stdin, prints a one-time link to set the password.
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "owner", value_parser = ["owner", "admin", "member"])]
        role: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Fill an empty database with a large dataset for benchmarks.
    SeedBench {
        #[arg(long, default_value_t = 10_000)]
        companies: usize,
        #[arg(long, default_value_t = 1_000_000)]
        invoices: usize,
    },
    /// Run the invoice list page's own SQL query alone, as fast as it goes.
    BenchQuery(BenchQueryArgs),
}

#[derive(clap::Args, Clone)]
struct BenchQueryArgs {
    /// The portal user whose invoice list is queried.
    #[arg(long)]
    email: String,
    /// first, filtered or deep.
    #[arg(long, default_value = "first")]
    page: String,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a configuration file with every setting at its default.
    Example,
    /// Load and validate the configuration, then print it with secrets redacted.
    Check,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COURTYARD_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("create data directory {}", config.data_dir.display()))?;
    let url = config.effective_database_url();
    let db = Db::connect(
        &url,
        &ConnectOptions {
            max_connections: config.max_connections,
            ..Default::default()
        },
    )
    .await
    .with_context(|| format!("connect to {}", courtyard_db::redact(&url)))?;
    db.migrate().await.context("apply migrations")?;
    Ok(db)
}

fn apply(args: &ServeArgs, config: &mut Config) {
    if let Some(l) = &args.listen {
        config.listen = l.clone();
    }
    if let Some(d) = &args.data_dir {
        config.data_dir = d.clone();
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn app_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(v) => anyhow::anyhow!(v
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")),
        other => anyhow::anyhow!(other),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli {
        config: config_file,
        command,
    } = cli;
    let load_config = || -> anyhow::Result<Config> {
        Ok(Config::load(config_file.as_deref(), std::env::vars())?)
    };
    match command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Config(ConfigCommand::Example) => {
            println!("# Courtyard configuration. Every value below is the default.\n# Environment variables override it: COURTYARD_LISTEN, COURTYARD_MAIL__TRANSPORT, ...\n");
            print!("{}", Config::default().to_toml());
            Ok(())
        }
        Command::Config(ConfigCommand::Check) => {
            let config = load_config()?;
            print!("{}", config.to_toml());
            eprintln!("configuration is valid");
            Ok(())
        }
        Command::Migrate => {
            let config = load_config()?;
            init_logging(&config);
            open_db(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Worker => {
            let config = load_config()?;
            init_logging(&config);
            let db = open_db(&config).await?;
            let mailer = App::mailer_from_config(&config)?;
            let app = App::new(db, mailer, config);
            tracing::info!("outbox worker started");
            worker::run(app, shutdown_signal()).await;
            Ok(())
        }
        Command::Admin(AdminCommand::CreateStaff {
            email,
            name,
            role,
            password_stdin,
        }) => {
            let config = load_config()?;
            let db = open_db(&config).await?;
            let mailer = App::mailer_from_config(&config)?;
            let app = App::new(db, mailer, config);
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                Some(s.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let role = StaffRole::parse(&role).expect("clap checked the role");
            let link = auth::create_staff(&app, &email, &name, role, password.as_deref())
                .await
                .map_err(app_error)?;
            match link {
                Some(l) => println!(
                    "Created {email}. They choose a password here (valid 72 hours, once):\n  {l}"
                ),
                None => println!("Created {email}."),
            }
            Ok(())
        }
        Command::Admin(AdminCommand::SeedBench {
            companies,
            invoices,
        }) => {
            let config = load_config()?;
            let db = open_db(&config).await?;
            let mailer = App::mailer_from_config(&config)?;
            let app = App::new(db, mailer, config);
            crate::bench::seed(&app, companies, invoices).await
        }
        Command::Admin(AdminCommand::BenchQuery(a)) => {
            let config = load_config()?;
            let db = open_db(&config).await?;
            crate::bench::query(&db, &a.email, &a.page, a.seconds, a.concurrency).await
        }
        Command::Serve(args) => {
            let mut config = load_config()?;
            apply(&args, &mut config);
            init_logging(&config);
            serve(config, None).await
        }
        Command::Demo(args) => {
            let mut config = load_config()?;
            config.data_dir = PathBuf::from("./courtyard-demo");
            config.database_url = None;
            config.mail.transport = "file".into();
            config.business_name = "Courtyard Demo Co".into();
            apply(&args, &mut config);
            init_logging(&config);
            if config.data_dir.exists() {
                std::fs::remove_dir_all(&config.data_dir).with_context(|| {
                    format!("remove the previous demo in {}", config.data_dir.display())
                })?;
            }
            serve(config, Some(())).await
        }
    }
}

async fn serve(mut config: Config, demo: Option<()>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    config.listen = addr.to_string();
    let db = open_db(&config).await?;
    let mailer = App::mailer_from_config(&config)?;
    let app = App::new(db, mailer, config.clone());
    let url = app.config.public_url();
    // Crash leftovers: staged uploads, and bytes no row points at (an hour
    // of grace for uploads in flight on another server).
    // Staged files first, before anything is served; then, in the
    // background, bytes without a row (one lookup per stored object).
    match courtyard_app::files::sweep_staged(&app) {
        Ok(0) => {}
        Ok(staged) => tracing::info!(staged, "removed staged uploads a crash left behind"),
        Err(e) => tracing::warn!(error = %e, "could not sweep staged uploads"),
    }
    let sweeper = app.clone();
    tokio::spawn(async move {
        match courtyard_app::files::sweep_orphans(&sweeper, 3600).await {
            Ok(0) => {}
            Ok(orphans) => tracing::info!(orphans, "removed stored bytes no file points at"),
            Err(e) => tracing::warn!(error = %e, "could not sweep stored bytes"),
        }
    });
    // Fonts, Typst's library and caches warm before the first customer
    // waits for a PDF; in the background, so start-up is not held up.
    let warm = app.clone();
    tokio::spawn(async move { courtyard_app::pdf::warm_up(&warm).await });

    if demo.is_some() {
        let logins = demo::seed(&app).await.map_err(app_error)?;
        println!("\nCourtyard demo is running at {url}\n");
        println!("Staff login ({url}/staff/login):");
        for l in &logins.staff {
            println!(
                "  {:<36} {:<26} {}",
                l.email,
                l.password.as_deref().unwrap_or(""),
                l.who
            );
        }
        println!("\nCustomer logins ({url}/login):");
        for l in &logins.customers {
            println!(
                "  {:<36} {:<26} {} ({})",
                l.email,
                l.password.as_deref().unwrap_or("-"),
                l.who,
                l.note
            );
        }
        println!(
            "\nEmails the portal sends are written to {}/mail/.",
            app.config.data_dir.display()
        );
        println!("Press Ctrl-C to stop.\n");
    } else {
        if let Some(link) = auth::ensure_setup_link(&app).await.map_err(app_error)? {
            println!("\nNo staff account exists yet. Create the first owner here (valid 24 hours, once):\n  {link}\n");
        }
        println!("Courtyard listening on {url}");
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let worker_task = if app.config.in_process_worker {
        let mut rx = stop_rx.clone();
        Some(tokio::spawn(worker::run(app.clone(), async move {
            let _ = rx.wait_for(|s| *s).await;
        })))
    } else {
        None
    };
    let mut rx = stop_rx.clone();
    let mut server = tokio::spawn(courtyard_web::serve(listener, app.clone(), async move {
        let _ = rx.wait_for(|s| *s).await;
    }));
    let served = tokio::select! {
        r = &mut server => r,
        () = shutdown_signal() => {
            tracing::info!("shutting down: finishing requests in flight");
            let _ = stop_tx.send(true);
            server.await
        }
    };
    let _ = stop_tx.send(true);
    if let Some(t) = worker_task {
        let _ = t.await;
    }
    app.db.close().await;
    served.context("server task")?.context("server")?;
    Ok(())
}
