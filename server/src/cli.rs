//! The platform operator's command line: `serve` (the default), `migrate`,
//! `org create`, `org set-admin-limit`, `demo`, `backup` and `restore`.

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
    hasher: &PasswordHasher,
) -> Result<String, String> {
    let summary = demo::load(db, hasher, chrono::Utc::now())
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
    }
    out.push_str("\n(Passwords are as the demo created them; development only.)\n");
    if config.dev_mailbox {
        out.push_str(&format!(
            "Emails (welcome, reset, identifier reminders) appear in the development mailbox:\n  {base}/admin/dev-mailbox (signed in as a staff user)\n"
        ));
    }
    Ok(out)
}
