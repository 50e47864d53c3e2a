//! Hostile connections: half-open requests (a slowloris) are capped per address and
//! timed out while other clients are still served; a declared oversize body is
//! refused before it is read; a body that never arrives is given up on.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, TestApp},
};

backend_tests!(
    half_open_connections_are_capped_per_address_and_timed_out,
    a_declared_oversize_body_is_refused_before_it_is_read,
    a_body_that_never_arrives_is_given_up_on,
);

/// A TCP connection to the app from loopback address `ip`.
async fn connect_from(app: &TestApp, ip: &str) -> TcpStream {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    s.connect(app.addr).await.unwrap()
}

/// What the server sends within `wait`: `Some(text)` (empty when it closed
/// without a word), `None` when it said nothing and kept the connection open.
async fn read_within(tcp: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    match tokio::time::timeout(wait, tcp.read(&mut buf)).await {
        Err(_) => None,
        Ok(Ok(n)) => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        Ok(Err(_)) => Some(String::new()),
    }
}

async fn half_open_connections_are_capped_per_address_and_timed_out(b: Backend) {
    let Some(app) = spawn_app_with(
        b,
        &[
            "--max-connections",
            "60",
            "--max-connections-per-address",
            "20",
            "--header-read-timeout-secs",
            "3",
        ],
    )
    .await
    else {
        return;
    };
    let attacker = "127.0.0.2";
    let mut all = Vec::new();
    for _ in 0..30 {
        let mut tcp = connect_from(&app, attacker).await;
        // A request line and one header, then silence.
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: confab\r\n")
            .await
            .unwrap();
        all.push(tcp);
    }
    // Read every one at once, well within the header-read timeout.
    let answers = futures_util::future::join_all(
        all.iter_mut()
            .map(|tcp| read_within(tcp, Duration::from_millis(500))),
    )
    .await;
    let mut held = Vec::new();
    let mut refused = 0;
    for (tcp, answer) in all.into_iter().zip(answers) {
        match answer {
            None => held.push(tcp),
            Some(answer) => {
                assert!(
                    answer.starts_with("HTTP/1.1 503") && answer.contains("too_many_connections"),
                    "refused with a reason: {answer:?}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!((held.len(), refused), (20, 10), "20 held, the rest refused");

    // Everyone else is still served while the attacker holds their cap.
    for _ in 0..10 {
        let r = app.client.get(format!("{}/healthz", app.base)).send().await;
        assert_eq!(r.unwrap().status(), StatusCode::OK);
    }

    // The header-read timeout closes the half-open ones.
    for tcp in &mut held {
        let answer = read_within(tcp, Duration::from_secs(5)).await;
        assert!(answer.is_some(), "closed by the header-read timeout");
    }
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut tcp = connect_from(&app, attacker).await;
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: confab\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_within(&mut tcp, Duration::from_secs(5)).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "slots given back: {answer:?}"
    );
}

async fn a_declared_oversize_body_is_refused_before_it_is_read(b: Backend) {
    let Some(app) = spawn_app_with(b, &[]).await else {
        return;
    };
    let mut tcp = connect_from(&app, "127.0.0.1").await;
    tcp.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: confab\r\nContent-Type: application/json\r\n\
          Content-Length: 100000000\r\n\r\n",
    )
    .await
    .unwrap();
    // Not a byte of the body is sent: the answer must come anyway.
    let answer = read_within(&mut tcp, Duration::from_secs(5))
        .await
        .expect("answered without waiting for the body");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(answer.contains("payload_too_large"), "{answer:?}");
}

async fn a_body_that_never_arrives_is_given_up_on(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--body-read-timeout-secs", "1"]).await else {
        return;
    };
    let mut tcp = connect_from(&app, "127.0.0.1").await;
    tcp.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: confab\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"user",
    )
    .await
    .unwrap();
    let answer = read_within(&mut tcp, Duration::from_secs(5))
        .await
        .expect("the server gives up on the body");
    assert!(
        answer.starts_with("HTTP/1.1 408") && answer.contains("request_timeout"),
        "408: {answer:?}"
    );
}
