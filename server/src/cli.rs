//! The platform operator's command line: `serve` (the default), `migrate`,
//! `org create`, `org set-admin-limit`, `import`, `demo`, `backup` and
//! `restore`.

use crate::config::Config;
use app::server::{
    auth::password::PasswordHasher,
    services::{demo, organizations, users},
};
use clap::{Args, Parser, Subcommand};
use sea_orm::DatabaseConnection;

/// Gatehouse: who signs in, to what, with which rights.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrating the database first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage organizations.
    Org {
        /// What to do with organizations.
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Import CSIO policy downloads into an organization: files, or every
    /// file of a folder. Each file is imported whole or rejected with the
    /// reason; the others go on. Exits with status 1 when any file was
    /// rejected.
    Import {
        /// The organization's short name, e.g. "northwind".
        org: String,
        /// Download files (.xml) or folders of them.
        #[arg(required = true)]
        paths: Vec<std::path::PathBuf>,
    },
    /// Load the two demo organizations (idempotent) and print how to sign in.
    Demo,
    /// Write a backup of the embedded (SQLite) setup to FILE while the
    /// server runs: a consistent copy of the database and the uploaded
    /// files, as one .tar.gz.
    Backup {
        /// Where to write the backup, e.g. gatehouse-2026-12-04.tar.gz.
        file: std::path::PathBuf,
    },
    /// Put a backup made by `server backup` in place of the current
    /// database and uploaded files (which are kept aside in the data
    /// directory). Stop the server first.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
}

/// Organization subcommands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization with its first User Administrator.
    Create(OrgCreate),
    /// Set how many User Administrators an organization may have (3 unless
    /// changed). Existing ones keep their role; the limit applies to the
    /// next promotion.
    SetAdminLimit {
        /// The organization's short name, e.g. "northwind".
        slug: String,
        /// The most User Administrators it may have (1 to 100).
        limit: i32,
    },
}

/// Arguments of `org create`.
#[derive(Debug, Args)]
pub struct OrgCreate {
    /// The organization's name, e.g. "Northwind Security".
    #[arg(long)]
    pub name: String,
    /// Short name used in addresses and at sign-in, e.g. "northwind".
    #[arg(long)]
    pub slug: String,
    /// Agency prefix assigned by the platform operator (digits).
    #[arg(long)]
    pub agency_prefix: String,
    /// First name of the first User Administrator.
    #[arg(long)]
    pub admin_first_name: String,
    /// Middle name or initial of the first User Administrator.
    #[arg(long, default_value = "")]
    pub admin_middle_name: String,
    /// Last name of the first User Administrator.
    #[arg(long)]
    pub admin_last_name: String,
    /// Email of the first User Administrator.
    #[arg(long)]
    pub admin_email: Option<String>,
}

/// Creates an organization; its administrator gets a generated initial
/// password, printed once, to be changed at first sign-in.
pub async fn org_create(
    db: &DatabaseConnection,
    config: &Config,
    hasher: &PasswordHasher,
    args: OrgCreate,
) -> Result<String, String> {
    let password = initial_password();
    let created = organizations::create(
        db,
        hasher,
        organizations::NewOrganization {
            name: args.name,
            slug: args.slug,
            agency_prefix: args.agency_prefix,
            admin: users::NewStaffUser {
                first_name: args.admin_first_name,
                middle_name: args.admin_middle_name,
                last_name: args.admin_last_name,
                email: args.admin_email,
                password: password.clone(),
                must_change_password: true,
            },
        },
        chrono::Utc::now(),
    )
    .await
    .map_err(describe_error)?;
    let org = created.organization;
    Ok(format!(
        "Created organization {} ({}), agency prefix {}.\n\
         Admin Portal: {}/admin/sign-in?org={}\n\
         User Administrator: username {}  initial password {}  (must be changed at first sign-in)\n\
         Client Portal: {}/portal/{}\n",
        org.name,
        org.slug,
        org.agency_prefix,
        config.public_url,
        org.slug,
        created.admin_username,
        password,
        config.public_url,
        org.slug
    ))
}

/// `org set-admin-limit`.
pub async fn org_set_admin_limit(
    db: &DatabaseConnection,
    slug: &str,
    limit: i32,
) -> Result<String, String> {
    match app::server::services::administrators::set_limit(db, slug, limit, chrono::Utc::now())
        .await
    {
        Ok(org) => Ok(format!(
            "{} ({}) may now have at most {} User Administrator(s).\n",
            org.name, org.slug, org.max_user_administrators
        )),
        Err(app::server::error::ServiceError::NotFound) => {
            Err(format!("No organization has the short name \"{slug}\"."))
        }
        Err(e) => Err(describe_error(e)),
    }
}

/// `import`: reads the files one at a time (a folder's in name order,
/// hidden files skipped), printing each outcome as it goes, then the totals.
pub async fn import(
    db: &DatabaseConnection,
    org: &str,
    paths: &[std::path::PathBuf],
    documents: std::sync::Arc<app::server::state::FileSettings>,
) -> Result<String, String> {
    use app::server::services::imports::{self, Import, Importer, Source, MAX_FILE_BYTES};
    use std::io::Read;
    let organization = organizations::find_named(db, org)
        .await
        .map_err(describe_error)?
        .ok_or_else(|| format!("No organization has the short name \"{org}\"."))?;
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('.'))
                })
                .collect();
            inside.sort();
            files.extend(inside);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    if files.is_empty() {
        return Err("No files to import.".into());
    }
    let importer = Importer::Operator {
        organization_id: organization.id,
    };
    let run = Import::start(db, importer, Source::CommandLine, chrono::Utc::now())
        .await
        .map_err(describe_error)?
        .storing_documents_in(documents);
    let run_id = run.run_id;
    println!(
        "Importing {} file(s) into {} ({}), import {run_id}:",
        files.len(),
        organization.name,
        organization.slug
    );
    for path in &files {
        let name = path.display().to_string();
        // One byte past the limit is enough for the service to refuse it.
        let mut bytes = Vec::new();
        let read = std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            println!("  skipped   {name}: {e}");
            continue;
        }
        let outcome = match run.add_file(db, &name, &bytes, chrono::Utc::now()).await {
            Ok(o) => o,
            Err(e) => {
                // Close the import with what was done, then stop.
                let _ = run.finish(db, chrono::Utc::now()).await;
                return Err(describe_error(e));
            }
        };
        match outcome.rejected {
            Some(reason) => println!("  rejected  {name}: {reason}"),
            None => println!(
                "  imported  {name}: {} polic{} ({} new insured(s), {} attached, {} updated, {} unchanged)",
                outcome.totals.policies,
                if outcome.totals.policies == 1 { "y" } else { "ies" },
                outcome.totals.new_insureds,
                outcome.totals.attached,
                outcome.totals.updated,
                outcome.totals.unchanged
            ),
        }
    }
    let totals = run
        .finish(db, chrono::Utc::now())
        .await
        .map_err(describe_error)?;
    let summary = imports::describe(run_id, &totals);
    if totals.rejected > 0 {
        println!("{summary}.");
        Err(format!(
            "{} of {} file(s) were rejected (reasons above).",
            totals.rejected, totals.files
        ))
    } else {
        Ok(format!("{summary}.\n"))
    }
}

/// The operator sees the whole cause (this is a terminal, not a browser).
fn describe_error(e: app::server::error::ServiceError) -> String {
    match e {
        app::server::error::ServiceError::Internal(cause) => {
            app::server::error::cause_chain(cause.as_ref())
        }
        other => other.to_string(),
    }
}

/// A random initial password that satisfies the default policy.
fn initial_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let body: String = (0..14)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{body}-{}A", rng.gen_range(10..100))
}

/// Loads the demo data and returns the text that tells how to sign in.
pub async fn demo(
    db: &DatabaseConnection,
    config: &Config,
    state: &app::server::state::AppState,
) -> Result<String, String> {
    let summary = demo::load(
        db,
        &state.passwords,
        demo::DemoServices {
            files: &state.files,
            mail: &state.mail,
        },
        chrono::Utc::now(),
    )
    .await
    .map_err(describe_error)?;
    let base = &config.public_url;
    let mut out = String::from("\nGatehouse demo data is loaded. Sign in with:\n");
    for org in &summary.organizations {
        out.push_str(&format!(
            "\n{} (organization short name: {})\n",
            org.name, org.slug
        ));
        out.push_str(&format!(
            "  Admin Portal   {base}/admin/sign-in?org={}\n",
            org.slug
        ));
        for username in &org.staff_usernames {
            out.push_str(&format!(
                "    username {username:<14} password {}\n",
                demo::DEMO_STAFF_PASSWORD
            ));
        }
        out.push_str(&format!("  Client Portal  {base}/portal/{}\n", org.slug));
        for (name, identifier, usernames) in &org.accounts {
            out.push_str(&format!("    {name}: identifier {identifier}\n"));
            for username in usernames {
                if username == demo::DEMO_NEWHIRE {
                    out.push_str(&format!(
                        "      username {username:<12} password {}  (initial password: must be changed at first sign-in)\n",
                        demo::DEMO_INITIAL_PASSWORD
                    ));
                } else {
                    out.push_str(&format!(
                        "      username {username:<12} password {}\n",
                        demo::DEMO_CLIENT_PASSWORD
                    ));
                }
            }
        }
        if let Some((account, identifier, username)) = &org.rep_manager {
            out.push_str(&format!(
                "    {account}: identifier {identifier}\n      username {username:<12} password {}  (Claims Rep Manager with Company Access to 3 companies)\n",
                demo::DEMO_CLIENT_PASSWORD
            ));
        }
        if org.other_logins > 0 {
            out.push_str(&format!(
                "  People         {base}/admin/people  ({} more logins of every role, password {})\n",
                org.other_logins,
                demo::DEMO_STAFF_PASSWORD
            ));
        }
        if let Some((name, identifier, email)) = &org.insured {
            out.push_str(&format!(
                "    {name} (an insured): identifier {identifier}\n      username {email}  password {}  (their policies and eDocs)\n",
                demo::DEMO_CLIENT_PASSWORD
            ));
        }
        let (policies, insureds) = org.book_of_business;
        if policies > 0 {
            out.push_str(&format!(
                "  Policies       {policies} from CSIO downloads, {insureds} insureds (more: server import {} server/tests/fixtures/csio)\n",
                org.slug
            ));
        }
    }
    out.push_str("\n(Passwords are as the demo created them; development only.)\n");
    if config.dev_mailbox {
        out.push_str(&format!(
            "Emails (welcome, reset, identifier reminders) appear in the development mailbox:\n  {base}/admin/dev-mailbox (signed in as a User Administrator)\n"
        ));
    }
    Ok(out)
}
