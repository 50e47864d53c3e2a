//! The three migration folders must move together: same files, same order.

use std::{collections::BTreeSet, fs, path::Path};

fn names(dialect: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_backend_has_the_same_migrations() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        names("postgres"),
        "postgres migrations drifted from sqlite"
    );
    assert_eq!(
        sqlite,
        names("mysql"),
        "mysql migrations drifted from sqlite"
    );
}

#[test]
fn every_backend_creates_the_same_tables_and_columns() {
    // A cheap structural check on the SQL text: same CREATE TABLE names and the
    // same column names in each, whatever the types are called.
    fn shape(dialect: &str) -> Vec<(String, Vec<String>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dialect);
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut tables = Vec::new();
        for f in files {
            let sql = fs::read_to_string(f).unwrap();
            for chunk in sql.split("CREATE TABLE ").skip(1) {
                let name = chunk.split_whitespace().next().unwrap().to_owned();
                let body = chunk.split_once('(').unwrap().1;
                let cols = body
                    .lines()
                    .map(str::trim)
                    .take_while(|l| !l.starts_with(')'))
                    .filter_map(|l| l.split_whitespace().next())
                    .filter(|w| {
                        !w.is_empty() && *w != "FOREIGN" && *w != "PRIMARY" && *w != "UNIQUE"
                    })
                    .map(str::to_owned)
                    .collect();
                tables.push((name, cols));
            }
        }
        tables
    }
    let sqlite = shape("sqlite");
    assert_eq!(sqlite, shape("postgres"));
    assert_eq!(sqlite, shape("mysql"));
}
