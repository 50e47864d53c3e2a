//! The store contract, run against every backend: the same behaviour from SQLite,
//! PostgreSQL and MySQL/MariaDB, including under concurrency.

use confab::{
    domain::{Role, Session, SessionId, Timestamp, User, UserId, Username},
    store::{
        sessions::Rotation,
        users::{NewUser, UserSearch},
        Store, StoreError,
    },
};

use crate::{
    backend_tests,
    helpers::{fresh_store, Backend},
};

backend_tests!(
    unique_keys_surface_as_named_conflicts,
    values_round_trip_exactly,
    refresh_rotation_outcomes,
    concurrent_use_of_one_refresh_token_rotates_once,
    search_treats_wildcards_literally,
    coming_back_writes_only_when_away,
);

fn user(name: &str, email: Option<&str>) -> User {
    let now = Timestamp::now();
    User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        email: email.map(str::to_owned),
        email_verified_at: None,
        full_name: format!("{name} full"),
        bio: String::new(),
        status_text: String::new(),
        role: Role::Patient,
        created_at: now,
        updated_at: now,
        deactivated_at: None,
        presence_mode: confab::domain::PresenceMode::Available,
        group_invites: confab::domain::GroupInvites::Friends,
        last_seen_at: None,
        avatar_id: None,
        email_notify: confab::domain::EmailNotify::Mentions,
    }
}

async fn insert(store: &Store, u: &User) -> Result<(), StoreError> {
    store
        .insert_user(NewUser {
            user: u,
            password_hash: "$argon2id$dummy",
            first_role: None,
        })
        .await
        .map(|_| ())
}

async fn session_for(store: &Store, u: &User, refresh_hash: &str) -> Session {
    let now = Timestamp::now();
    let s = Session {
        id: SessionId::new(),
        user_id: u.id,
        created_at: now,
        last_used_at: now,
        expires_at: now.plus_secs(3600),
        revoked_at: None,
        user_agent: "test".into(),
        ip: "127.0.0.1".into(),
    };
    store.create_session(&s, refresh_hash).await.unwrap();
    s
}

async fn unique_keys_surface_as_named_conflicts(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    insert(&store, &user("Uma", Some("uma@example.org")))
        .await
        .unwrap();
    let e = insert(&store, &user("UMA", None)).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict("username")), "{e:?}");
    let e = insert(&store, &user("uma2", Some("UMA@example.org")))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict("email")), "{e:?}");
    // Several users without email do not collide.
    insert(&store, &user("vic", None)).await.unwrap();
    insert(&store, &user("wes", None)).await.unwrap();
}

async fn values_round_trip_exactly(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let mut u = user("xena", Some("x@example.org"));
    u.full_name = "Xéna 𝕏 ✨ 漢字".into();
    u.bio = "two\nlines".into();
    u.role = Role::Doctor;
    insert(&store, &u).await.unwrap();
    let back = store.user_by_id(u.id).await.unwrap().unwrap();
    assert_eq!(back, u);
    let (creds, hash) = store.credentials("xena").await.unwrap().unwrap();
    assert_eq!((creds.id, hash.as_str()), (u.id, "$argon2id$dummy"));
    assert!(store.user_by_id(UserId::new()).await.unwrap().is_none());

    let now = Timestamp::now();
    store.set_deactivated(u.id, Some(now), now).await.unwrap();
    assert_eq!(
        store
            .user_by_id(u.id)
            .await
            .unwrap()
            .unwrap()
            .deactivated_at,
        Some(now)
    );
}

async fn refresh_rotation_outcomes(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let u = user("yuri", None);
    insert(&store, &u).await.unwrap();
    let s = session_for(&store, &u, "h1").await;
    let now = Timestamp::now();
    let later = now.plus_secs(7200);
    assert_eq!(
        store.rotate_refresh("h1", "h2", now, later).await.unwrap(),
        Rotation::Rotated {
            session_id: s.id,
            user_id: u.id
        }
    );
    assert_eq!(
        store
            .rotate_refresh("nope", "h3", now, later)
            .await
            .unwrap(),
        Rotation::Unknown
    );
    assert_eq!(
        store.rotate_refresh("h1", "h3", now, later).await.unwrap(),
        Rotation::Reused { session_id: s.id }
    );
    // Reuse revoked the session, so its current token is dead too.
    assert_eq!(
        store.rotate_refresh("h2", "h4", now, later).await.unwrap(),
        Rotation::Dead { user_id: u.id }
    );
    assert!(store.live_sessions(u.id, now).await.unwrap().is_empty());
}

async fn concurrent_use_of_one_refresh_token_rotates_once(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let u = user("zoe", None);
    insert(&store, &u).await.unwrap();
    session_for(&store, &u, "start").await;
    let now = Timestamp::now();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .rotate_refresh("start", &format!("next{i}"), now, now.plus_secs(60))
                    .await
            })
        })
        .collect();
    let mut rotated = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Rotation::Rotated { .. }) => rotated += 1,
            Ok(_) => {}
            // A backend may abort a loser with a serialisation/deadlock error; that
            // is a refusal too, never a second success.
            Err(StoreError::Other(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(
        rotated, 1,
        "exactly one concurrent use of a refresh token succeeds"
    );
}

async fn search_treats_wildcards_literally(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    for name in ["a_b", "axb", "a.b"] {
        insert(&store, &user(name, None)).await.unwrap();
    }
    let found = |q: &'static str| {
        let store = store.clone();
        async move {
            store
                .search_users(UserSearch {
                    query: Some(q),
                    after: None,
                    limit: 10,
                    include_deactivated: false,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.username.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("a_b").await, ["a_b"]);
    assert_eq!(found("%").await, Vec::<String>::new());
    assert_eq!(found("b full").await.len(), 3);
}

/// Connections that open clear `away_since` and learn who was away; only those
/// are written (an UPDATE per opening connection queued 10,000 of them behind
/// SQLite's write lock when 10,000 connected together), all in one statement.
async fn coming_back_writes_only_when_away(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let (uma, vic, wes) = (user("uma", None), user("vic", None), user("wes", None));
    for u in [&uma, &vic, &wes] {
        insert(&store, u).await.unwrap();
    }
    let all = [uma.id, vic.id, wes.id];
    assert_eq!(
        store.clear_away_many(&all).await.unwrap(),
        vec![],
        "never away"
    );
    store
        .set_last_seen_many(&[uma.id, wes.id], Timestamp::now())
        .await
        .unwrap();
    let mut back = store.clear_away_many(&all).await.unwrap();
    back.sort();
    let mut away = vec![uma.id, wes.id];
    away.sort();
    assert_eq!(back, away, "those who were away");
    assert_eq!(
        store.clear_away_many(&all).await.unwrap(),
        vec![],
        "back already"
    );
}

/// The embedded SQLite is built without STAT4 (`.cargo/config.toml`). With it,
/// once ANALYZE has run (the seeds run it; operators are told to), every statement
/// that compares a bound value to an indexed column, which is nearly every one of
/// ours, is compiled again on each execution (see `sqlite3_prepare_v2`): a tenth
/// of the server's CPU per history page in the profile (BENCHMARKS.md `history`).
/// Nor with MEMORY_MANAGEMENT, which puts every connection's page cache behind one
/// process-wide lock that concurrent readers queued on; and a new page cache
/// allocates its pages one by one (PCACHE_INITSZ=0).
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn embedded_sqlite_is_built_for_concurrent_reads() {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    let options: Vec<String> =
        sqlx::query_scalar("SELECT compile_options FROM pragma_compile_options")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert!(
        options.iter().any(|o| o == "ENABLE_FTS5"),
        "search needs FTS5: {options:?}"
    );
    assert!(!options.iter().any(|o| o == "ENABLE_STAT4"), "{options:?}");
    // One page cache per connection, not a group behind one process-wide lock
    // (.cargo/config.toml says why).
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
    // ...and with no 20-page block allocated by each new cache (resumes cost
    // ~10 % more CPU with it).
    assert!(
        options.iter().any(|o| o == "DEFAULT_PCACHE_INITSZ=0"),
        "{options:?}"
    );
    for sql in [
        "CREATE TABLE t (a INTEGER, b INTEGER)",
        "CREATE INDEX t_ab ON t (a, b)",
        "WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < 200) \
         INSERT INTO t SELECT v % 7, v FROM s",
        "ANALYZE",
    ] {
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
    let stat4: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(stat4, 0, "ANALYZE kept STAT4 samples");
}
