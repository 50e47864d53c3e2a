#![allow(dead_code)]

use std::{net::SocketAddr, time::Duration};

use clap::Parser;
use confab::{
    app,
    chat::Chat,
    config::Cli,
    domain::Role,
    store::{Store, StoreOptions},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

/// Generates `mod name { sqlite, postgres, mysql }` tests calling `name(Backend)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::Backend;
            #[tokio::test]
            async fn sqlite() { super::$name(Backend::Sqlite).await }
            #[tokio::test]
            async fn postgres() { super::$name(Backend::Postgres).await }
            #[tokio::test]
            async fn mysql() { super::$name(Backend::MySql).await }
        }
    )*};
}

/// A fresh, empty database for one test, or `None` when the backend is not
/// configured outside CI.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> Option<String> {
    let var = match backend {
        Backend::Sqlite => return Some(format!("sqlite://{}/confab.db", dir.display())),
        Backend::Postgres => "CONFAB_TEST_POSTGRES_URL",
        Backend::MySql => "CONFAB_TEST_MYSQL_URL",
    };
    let Some(admin_url) = std::env::var(var).ok().filter(|v| !v.is_empty()) else {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
            panic!("{var} is not set: CI must run the {backend:?} tests");
        }
        eprintln!("skipped: {var} not set, {backend:?} not tested");
        return None;
    };
    // Test databases are named confab_t_*; scripts/test.sh drops leftovers.
    let name = format!("confab_t_{}", uuid::Uuid::new_v4().simple());
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("{var}={admin_url} is not reachable: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    let base = admin_url.split('?').next().unwrap();
    let cut = base
        .rfind('/')
        .filter(|&i| i > base.find("://").unwrap() + 2)
        .unwrap_or(base.len());
    Some(format!("{}/{name}", &base[..cut]))
}

pub struct TestApp {
    pub url: String,
    pub extra: Vec<String>,
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub chat: Chat,
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// A signed-in user: ids and tokens.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: String,
    pub username: String,
    pub access: String,
    pub refresh: String,
}

impl Session {
    fn from_tokens(body: &Value) -> Self {
        Self {
            user_id: body["user"]["id"].as_str().unwrap().to_owned(),
            username: body["user"]["username"].as_str().unwrap().to_owned(),
            access: body["access_token"].as_str().unwrap().to_owned(),
            refresh: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}

/// A loopback port nothing listens on now (for a server the test starts).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// Starts the real server on port 0 with fast password hashing and `extra` flags.
pub async fn spawn_app_with(backend: Backend, extra: &[&str]) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await?;
    Some(
        start(
            backend,
            dir,
            url,
            extra.iter().map(|s| s.to_string()).collect(),
        )
        .await,
    )
}

/// Starts a server on an existing database and data directory.
async fn start(
    backend: Backend,
    dir: tempfile::TempDir,
    url: String,
    extra: Vec<String>,
) -> TestApp {
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let mut args = vec![
        "confab",
        "--data-dir",
        &data_dir,
        "--database-url",
        &url,
        "--password-hash-memory-kib",
        "64",
        "--db-max-connections",
        "8",
        "--shutdown-grace-secs",
        "1",
        // Most tests are about other things than who may message whom; the policy
        // tests set it explicitly (flags given later win).
        "--messaging-policy",
        "open",
        "--presence-grace-secs",
        "1",
        // Tests register and send far faster than people; the rate-limit tests
        // turn limits back on.
        "--rate-limits",
        "false",
        // Most tests put strangers in groups; the invitation tests set it back.
        "--default-group-invites",
        "everyone",
        // Tests register people with the default role; the first-account tests
        // (first_account.rs) turn this back on.
        "--first-account-admin",
        "false",
    ];
    args.extend(extra.iter().map(String::as_str));
    let config = Cli::try_parse_from(args).unwrap().config;
    let state = app::build(&config).await.expect("app builds");
    let chat = state.chat.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app::serve(listener, state, async {
        let _ = rx.await;
    }));
    TestApp {
        url,
        extra,
        addr,
        base: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        chat,
        backend,
        dir,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// Opens a store on a fresh database of `backend`, migrated, for store-level tests.
pub async fn fresh_store(backend: Backend) -> Option<(Store, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await?;
    let store = Store::connect(StoreOptions {
        url: &url,
        max_connections: 8,
    })
    .await
    .unwrap();
    store.migrate().await.unwrap();
    Some((store, dir))
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Status, headers and the body as JSON (a string if it is not JSON).
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The `error.code` of an error reply.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// Stops the server gracefully and waits until it has.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().expect("server stopped cleanly");
        }
    }

    /// Another node of the same cluster: a second server on the same database,
    /// with the same flags and the same secrets (copied from this node's data
    /// directory, as an operator would give every node the same ones).
    pub async fn another_node(&self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        for f in ["jwt_secret", "vapid_key"] {
            std::fs::copy(self.dir.path().join(f), dir.path().join(f)).unwrap();
        }
        start(self.backend, dir, self.url.clone(), self.extra.clone()).await
    }

    /// Stops the server and starts a new one on the same database and data
    /// directory (a new port): a restart.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        start(self.backend, dir, self.url.clone(), self.extra.clone()).await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::read(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn register_raw(&self, body: Value) -> Reply {
        self.post("/api/v1/auth/register", None, body).await
    }

    /// Registers `username` with the standard test password.
    pub async fn register(&self, username: &str) -> Session {
        let r = self
            .register_raw(json!({"username": username, "password": PASSWORD, "full_name": format!("{username} Test")}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {username}: {:?}",
            r.body
        );
        Session::from_tokens(&r.body)
    }

    pub async fn login_raw(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({"username": username, "password": password}),
        )
        .await
    }

    /// A POST without a token from another loopback address (127.0.0.0/8 is all
    /// local), as a second client machine would make it.
    pub async fn post_from(&self, ip: &str, path: &str, body: Value) -> Reply {
        let client = reqwest::Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let res = client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request sent");
        Reply::read(res).await
    }

    pub async fn login_from(&self, ip: &str, username: &str, password: &str) -> Reply {
        let body = json!({"username": username, "password": password});
        self.post_from(ip, "/api/v1/auth/login", body).await
    }

    pub async fn register_from(&self, ip: &str, username: &str) -> Reply {
        let body = json!({"username": username, "password": PASSWORD, "full_name": username});
        self.post_from(ip, "/api/v1/auth/register", body).await
    }

    pub async fn login(&self, username: &str) -> Session {
        let r = self.login_raw(username, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {:?}", r.body);
        Session::from_tokens(&r.body)
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh_token}),
        )
        .await
    }

    /// Creates a conversation; returns its id.
    pub async fn direct(&self, a: &Session, b: &Session) -> String {
        let r = self
            .post(
                "/api/v1/conversations",
                Some(&a.access),
                json!({"user_id": b.user_id}),
            )
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn group(&self, owner: &Session, name: &str, members: &[&Session]) -> String {
        let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
        let r = self
            .post(
                "/api/v1/conversations",
                Some(&owner.access),
                json!({"name": name, "member_ids": ids}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    /// Uploads `bytes` as a file named `name`.
    pub async fn upload(&self, who: &Session, name: &str, bytes: Vec<u8>) -> Reply {
        let res = self
            .client
            .post(format!("{}/api/v1/uploads", self.base))
            .query(&[("name", name)])
            .bearer_auth(&who.access)
            .body(bytes)
            .send()
            .await
            .expect("upload sent");
        Reply::read(res).await
    }

    /// GETs a path (a signed file URL, say) with optional headers; returns the
    /// status, headers and raw bytes.
    pub async fn fetch(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("request sent");
        let (status, h) = (res.status(), res.headers().clone());
        (status, h, res.bytes().await.unwrap().to_vec())
    }

    /// Sends a message over REST; returns the reply.
    pub async fn say(
        &self,
        who: &Session,
        conversation: &str,
        client_msg_id: &str,
        body: &str,
    ) -> Reply {
        self.post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&who.access),
            json!({"client_msg_id": client_msg_id, "body": body}),
        )
        .await
    }

    /// Makes `a` and `b` friends: `a` asks, `b` accepts.
    pub async fn befriend(&self, a: &Session, b: &Session) {
        let r = self
            .post(
                "/api/v1/friends/requests",
                Some(&a.access),
                json!({"user_id": b.user_id}),
            )
            .await;
        let id = r.body["id"].as_str().expect("a friend request").to_owned();
        let ok = self
            .post(
                &format!("/api/v1/friends/requests/{id}/accept"),
                Some(&b.access),
                json!({}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    }

    /// Creates an admin through the use-case layer (as `confab admin create-user`
    /// does) and signs it in.
    pub async fn admin(&self, username: &str) -> Session {
        self.chat
            .create_user(username, PASSWORD, "The Admin", None, Role::Admin, None)
            .await
            .expect("admin created");
        self.login(username).await
    }
}
