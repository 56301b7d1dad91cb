//! The watched import folder on SQLite and PostgreSQL: files are taken only
//! once they stop changing, imported into the organization their folder
//! names (never another), and moved to `done/` or `rejected/` with the
//! reason beside them; partial and hidden files and unknown folders are
//! left alone.

mod common;

use app::server::entities::{import_run, policy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use server::import_watch::Watcher;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/csio")
            .join(name),
    )
    .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn policies(db: &DatabaseConnection, org: i32) -> u64 {
    policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org))
        .count(db)
        .await
        .unwrap()
}

both_engines!(
    files_are_imported_once_settled_and_moved,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let root = tempfile::tempdir().unwrap();
        let alpha = root.path().join("alpha");
        let stranger = root.path().join("nobody");
        std::fs::create_dir_all(&alpha).unwrap();
        std::fs::create_dir_all(&stranger).unwrap();
        std::fs::write(alpha.join("auto.xml"), fixture("auto-jane-smith.xml")).unwrap();
        std::fs::write(alpha.join("bad.xml"), fixture("wrong-namespace.xml")).unwrap();
        std::fs::write(alpha.join("coming.xml.part"), b"<ACORD").unwrap();
        std::fs::write(alpha.join(".hidden.xml"), fixture("home-jane-smith.xml")).unwrap();
        std::fs::write(stranger.join("auto.xml"), fixture("auto-jane-smith.xml")).unwrap();

        let mut watcher = Watcher::default();
        // The first look only notes the files.
        let first = watcher.look(&db, root.path()).await;
        assert!(first.imported.is_empty() && first.rejected.is_empty());
        assert_eq!(policies(&db, s.alpha.id).await, 0);
        // A file arriving is noted; the settled ones go in.
        std::fs::write(alpha.join("several.xml"), b"<?xml version=\"1.0\"?>").unwrap();
        let second = watcher.look(&db, root.path()).await;
        assert_eq!(second.imported, [alpha.join("done/auto.xml")]);
        assert_eq!(second.rejected, [alpha.join("rejected/bad.xml")]);
        assert_eq!(policies(&db, s.alpha.id).await, 1);
        assert_eq!(
            std::fs::read_to_string(alpha.join("rejected/bad.xml.reason.txt")).unwrap(),
            "not a CSIO policy download (not in the ACORD namespace)\n"
        );
        // It grew since: not taken yet.
        std::fs::write(alpha.join("several.xml"), fixture("several-policies.xml")).unwrap();
        let third = watcher.look(&db, root.path()).await;
        assert!(third.imported.is_empty() && third.rejected.is_empty());
        // Now settled, it goes in.
        let fourth = watcher.look(&db, root.path()).await;
        assert_eq!(fourth.imported, [alpha.join("done/several.xml")]);
        assert_eq!(policies(&db, s.alpha.id).await, 4);
        // Partial and hidden files stay; the unknown folder is untouched; no
        // other organization got anything.
        assert_eq!(names(&alpha), [".hidden.xml", "coming.xml.part"]);
        assert_eq!(names(&stranger), ["auto.xml"]);
        assert_eq!(policies(&db, s.bravo.id).await, 0);
        // The same name dropped again is imported (unchanged) and kept beside
        // the first in done/.
        std::fs::write(alpha.join("auto.xml"), fixture("auto-jane-smith.xml")).unwrap();
        watcher.look(&db, root.path()).await;
        watcher.look(&db, root.path()).await;
        assert_eq!(names(&alpha.join("done")).len(), 3);
        assert_eq!(policies(&db, s.alpha.id).await, 4);
        let runs = import_run::Entity::find()
            .filter(import_run::Column::OrganizationId.eq(s.alpha.id))
            .filter(import_run::Column::Source.eq("watched_folder"))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(runs, 3);
    }
);
