//! The push service of tests/push/endpoint.py, one per test on a free loopback
//! port: it decrypts and verifies what the server pushes with http_ece and
//! cryptography (PyPI), not with the server's crates.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{json, Value};

pub struct PushService {
    child: Child,
    pub port: u16,
    http: reqwest::Client,
}

impl PushService {
    /// A running push service, or `None` (outside CI) without the test python.
    pub async fn start() -> Option<Self> {
        let python = crate::smtp::python()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push/endpoint.py");
        let child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the push service starts");
        let s = Self {
            child,
            port,
            http: reqwest::Client::new(),
        };
        for _ in 0..100 {
            if s.http.get(s.url("/received")).send().await.is_ok() {
                return Some(s);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the push service did not start on port {port}");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The origin the server must be allowed to push to.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A new subscription called `name`, as a browser would hand it to the app.
    pub async fn subscription(&self, name: &str) -> Value {
        let keys: Value = self
            .http
            .get(self.url(&format!("/new/{name}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        json!({"endpoint": self.url(&format!("/push/{name}")), "expirationTime": null, "keys": keys})
    }

    /// Answer `name`'s next pushes with these statuses (then 201).
    pub async fn answer(&self, name: &str, statuses: &[u16]) {
        self.http
            .put(self.url(&format!("/answer/{name}")))
            .json(&statuses)
            .send()
            .await
            .unwrap();
    }

    pub async fn received(&self) -> Vec<Value> {
        self.http
            .get(self.url("/received"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (up to 15 s) for `n` pushes in all; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..300 {
            let got = self.received().await;
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{n} push(es) did not arrive; got {:#?}",
            self.received().await
        );
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
