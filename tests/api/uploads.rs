//! Files and images: upload, send with a message, private downloads by signed URL,
//! limits, ranges, the sweep.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Session, TestApp},
    pictures::{self, SECRET},
    ws_client::Ws,
};

backend_tests!(
    files_travel_with_messages_and_only_members_read_them,
    an_upload_is_taken_by_one_message_and_a_retry_does_not_attach_twice,
    the_gallery_pages_a_conversations_files_newest_first,
    a_removed_member_loses_the_files_but_not_the_text,
    two_sends_racing_for_one_upload_attach_it_once,
);

/// Sends a message carrying `ids`.
pub async fn send_with(
    app: &TestApp,
    who: &Session,
    c: &str,
    cid: &str,
    body: &str,
    ids: &[&str],
) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/conversations/{c}/messages"),
        Some(&who.access),
        json!({"client_msg_id": cid, "body": body, "attachment_ids": ids}),
    )
    .await
}

/// Signed URLs for `ids`, as `who` gets them.
async fn urls(app: &TestApp, who: &Session, ids: &[&str]) -> Vec<Value> {
    let r = app
        .post("/api/v1/files/urls", Some(&who.access), json!({"ids": ids}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

async fn files_travel_with_messages_and_only_members_read_them(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, eve) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("eve").await,
    );
    let c = app.direct(&ann, &ben).await;
    let up = app.upload(&ann, "holiday.png", pictures::png(64, 32)).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    let id = up.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (
            &up.body["kind"],
            &up.body["mime"],
            &up.body["width"],
            &up.body["height"]
        ),
        (&json!("image"), &json!("image/png"), &json!(64), &json!(32))
    );
    // Before it is sent, only the uploader sees it.
    assert_eq!(urls(&app, &ben, &[&id]).await.len(), 0);
    let own = app.fetch(up.body["url"].as_str().unwrap(), None, &[]).await;
    assert_eq!(own.0, StatusCode::OK);

    let sent = send_with(&app, &ann, &c, "pic-1", "", &[&id]).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(sent.body["body"], "");
    assert_eq!(sent.body["attachments"][0]["id"], id.as_str());
    assert_eq!(sent.body["attachments"][0]["name"], "holiday.png");

    // History carries the metadata; the member gets URLs and the bytes.
    let h = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ben.access)
        .await;
    assert_eq!(h.body["items"][0]["attachments"][0]["width"], 64);
    let for_ben = urls(&app, &ben, &[&id]).await;
    assert_eq!(for_ben.len(), 1);
    let (status, headers, bytes) = app
        .fetch(for_ben[0]["url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(pictures::dimensions(&bytes), (64, 32));
    let thumb = app
        .fetch(for_ben[0]["thumb_url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(
        (thumb.0, &thumb.1["content-type"]),
        (StatusCode::OK, &"image/jpeg".parse().unwrap())
    );
    // A bearer token works as well as a signed URL.
    let path = format!("/api/v1/files/{id}/original");
    assert_eq!(
        app.fetch(&path, Some(&ben.access), &[]).await.0,
        StatusCode::OK
    );

    // A stranger: no URL, 404 with a token, 403 with a member's URL altered.
    assert_eq!(urls(&app, &eve, &[&id]).await.len(), 0);
    assert_eq!(
        app.fetch(&path, Some(&eve.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.fetch(&path, None, &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let forged = for_ben[0]["url"]
        .as_str()
        .unwrap()
        .replace(&ben.user_id, &eve.user_id);
    assert_eq!(app.fetch(&forged, None, &[]).await.0, StatusCode::FORBIDDEN);

    // Deleted: gone for everyone, with the message; restored: back.
    let m = sent.body["id"].as_str().unwrap();
    let del = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/messages/{m}"),
            Some(&ann.access),
            None,
        )
        .await;
    assert!(del.status.is_success(), "{:?}", del.body);
    assert_eq!(
        app.fetch(for_ben[0]["url"].as_str().unwrap(), None, &[])
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let h = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ben.access)
        .await;
    assert!(
        h.body["items"][0].get("attachments").is_none(),
        "{:?}",
        h.body
    );
    let restore = app
        .post(
            &format!("/api/v1/messages/{m}/restore"),
            Some(&ann.access),
            json!({}),
        )
        .await;
    assert!(restore.status.is_success(), "{:?}", restore.body);
    assert_eq!(
        app.fetch(for_ben[0]["url"].as_str().unwrap(), None, &[])
            .await
            .0,
        StatusCode::OK
    );
}

async fn an_upload_is_taken_by_one_message_and_a_retry_does_not_attach_twice(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let f = app
        .upload(&ann, "notes.txt", b"hello there\n".to_vec())
        .await;
    let id = f.body["id"].as_str().unwrap().to_owned();
    let first = send_with(&app, &ann, &c, "with-file", "see this", &[&id]).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let again = send_with(&app, &ann, &c, "with-file", "see this", &[&id]).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    let other = send_with(&app, &ann, &c, "other", "again", &[&id]).await;
    assert_eq!(
        (other.status, other.code()),
        (StatusCode::CONFLICT, "attachment_taken")
    );
    // Someone else's upload, an unknown id, the same id twice, eleven files.
    let bens = app.upload(&ben, "b.txt", b"ben's".to_vec()).await;
    let bid = bens.body["id"].as_str().unwrap();
    let r = send_with(&app, &ann, &c, "x1", "x", &[bid]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_attachment")
    );
    let r = send_with(&app, &ann, &c, "x2", "x", &[bid, bid]).await;
    assert_eq!(r.code(), "duplicate_attachment");
    let many: Vec<String> = (0..11).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        send_with(&app, &ann, &c, "x3", "x", &many).await.code(),
        "too_many_attachments"
    );
    // A message with neither text nor files is still refused.
    assert_eq!(
        send_with(&app, &ann, &c, "x4", " ", &[]).await.code(),
        "empty_body"
    );
    let h = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ann.access)
        .await;
    assert_eq!(h.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn images_are_served_upright_and_without_their_metadata() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let ann = app.register("ann").await;
    let jpeg = pictures::jpeg_with_exif(40, 20, 6);
    assert!(jpeg.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    let up = app.upload(&ann, "camera.jpg", jpeg).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    // Orientation 6: stored 40×20, seen 20×40.
    assert_eq!(
        (&up.body["width"], &up.body["height"]),
        (&json!(20), &json!(40))
    );
    let (_, h, served) = app.fetch(up.body["url"].as_str().unwrap(), None, &[]).await;
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(pictures::dimensions(&served), (20, 40));
    assert!(!served.windows(3).any(|w| w == b"GPS"), "metadata served");
    assert!(!served.windows(4).any(|w| w == b"Exif"), "EXIF served");
    let (_, _, thumb) = app
        .fetch(up.body["thumb_url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(pictures::dimensions(&thumb), (20, 40));
    // A big image gets a thumbnail of 320 px on its longest side.
    let big = app.upload(&ann, "wide.png", pictures::png(1000, 500)).await;
    let (_, _, thumb) = app
        .fetch(big.body["thumb_url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(pictures::dimensions(&thumb), (320, 160));
}

#[tokio::test]
async fn the_content_decides_the_type_and_active_types_never_render() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let ann = app.register("ann").await;
    // A text file named like a picture is a text file, downloaded.
    let txt = app
        .upload(&ann, "not-a.png", b"just words\n".to_vec())
        .await;
    assert_eq!(
        (&txt.body["kind"], &txt.body["mime"]),
        (&json!("file"), &json!("text/plain"))
    );
    assert!(txt.body.get("thumb_url").is_none());
    let (_, h, _) = app
        .fetch(txt.body["url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(h["content-type"], "text/plain");
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    // HTML named .jpg: never served as HTML.
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let up = app.upload(&ann, "../../evil.jpg", html).await;
    assert_eq!(
        (&up.body["kind"], &up.body["mime"]),
        (&json!("file"), &json!("text/html"))
    );
    assert_eq!(up.body["name"], "evil.jpg");
    let (_, h, _) = app.fetch(up.body["url"].as_str().unwrap(), None, &[]).await;
    assert_eq!(h["content-type"], "application/octet-stream");
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    // A picture with a misleading name is still a picture.
    let png = app.upload(&ann, "report.pdf", pictures::png(8, 8)).await;
    assert_eq!(png.body["mime"], "image/png");
    let (_, h, _) = app
        .fetch(png.body["url"].as_str().unwrap(), None, &[])
        .await;
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline;"));
}

#[tokio::test]
async fn the_websocket_carries_attachments_live_and_on_resume() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut ben_ws = Ws::connect(&app, &ben.access).await;
    let mut ann_ws = Ws::connect(&app, &ann.access).await;
    let up = app.upload(&ann, "p.png", pictures::png(6, 3)).await;
    let id = up.body["id"].as_str().unwrap();
    ann_ws
        .send(json!({"type": "send", "ref": "1", "conversation_id": c, "client_msg_id": "ws-pic", "attachment_ids": [id]}))
        .await;
    let ack = loop {
        let f = ann_ws.next().await;
        if f["ref"] == "1" {
            break f;
        }
    };
    assert_eq!(ack["message"]["attachments"][0]["id"], id, "{ack:?}");
    let live = ben_ws.next_of("message.new").await;
    assert_eq!(live["message"]["attachments"][0]["width"], 6);
    let positions = std::collections::HashMap::from([(c.clone(), 0)]);
    let (_again, replayed) = Ws::resume(&app, &ben.access, positions).await;
    let m = replayed
        .iter()
        .find(|f| f["type"] == "message.new")
        .unwrap_or_else(|| panic!("no message replayed: {replayed:?}"));
    assert_eq!(m["message"]["attachments"][0]["height"], 3);
}

async fn the_gallery_pages_a_conversations_files_newest_first(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, eve) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("eve").await,
    );
    let c = app.direct(&ann, &ben).await;
    let mut ids = Vec::new();
    for (i, (name, bytes)) in [
        ("one.png", pictures::png(4, 4)),
        ("two.txt", b"two".to_vec()),
        ("three.png", pictures::png(4, 4)),
        ("four.png", pictures::png(4, 4)),
    ]
    .into_iter()
    .enumerate()
    {
        let up = app.upload(&ann, name, bytes).await;
        let id = up.body["id"].as_str().unwrap().to_owned();
        let sent = send_with(&app, &ann, &c, &format!("g{i}"), "", &[&id]).await;
        ids.push((id, sent.body["id"].as_str().unwrap().to_owned()));
    }
    app.say(&ann, &c, "plain", "no files here").await;
    // The third is deleted: its file leaves the gallery.
    let del = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/messages/{}", ids[2].1),
            Some(&ann.access),
            None,
        )
        .await;
    assert!(del.status.is_success());
    let page = |q: String| {
        let (app, ben, c) = (&app, &ben, &c);
        async move {
            app.get(&format!("/api/v1/conversations/{c}/files?{q}"), &ben.access)
                .await
        }
    };
    let first = page("limit=2".into()).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let names = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["attachment"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&first), ["four.png", "two.txt"]);
    let next = first.body["next_before_seq"].as_i64().unwrap();
    let second = page(format!("limit=2&before_seq={next}")).await;
    assert_eq!(names(&second), ["one.png"]);
    assert!(second.body["next_before_seq"].is_null());
    let images = page("kind=image".into()).await;
    assert_eq!(names(&images), ["four.png", "one.png"]);
    assert_eq!(images.body["items"][0]["message_id"], ids[3].1.as_str());
    let r = app
        .get(&format!("/api/v1/conversations/{c}/files"), &eve.access)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(page("limit=0".into()).await.code(), "invalid_limit");
}

async fn a_removed_member_loses_the_files_but_not_the_text(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let g = app.group(&ann, "Ward", &[&ben, &cat]).await;
    let up = app.upload(&ann, "scan.png", pictures::png(40, 40)).await;
    let id = up.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        send_with(&app, &ann, &g, "scan", "the scan", &[&id])
            .await
            .status,
        StatusCode::CREATED
    );
    let for_cat = urls(&app, &cat, &[&id]).await;
    let (url, thumb) = (
        for_cat[0]["url"].as_str().unwrap().to_owned(),
        for_cat[0]["thumb_url"].as_str().unwrap().to_owned(),
    );
    assert_eq!(app.fetch(&url, None, &[]).await.0, StatusCode::OK);
    let removed = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/conversations/{g}/members/{}", cat.user_id),
            Some(&ann.access),
            None,
        )
        .await;
    assert!(removed.status.is_success(), "{:?}", removed.body);
    // Her URLs, still within their hour, stop working: the file and its thumbnail.
    assert_eq!(app.fetch(&url, None, &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.fetch(&thumb, None, &[]).await.0, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/files/{id}/thumb");
    assert_eq!(
        app.fetch(&path, Some(&cat.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(urls(&app, &cat, &[&id]).await.len(), 0);
    let gallery = app
        .get(&format!("/api/v1/conversations/{g}/files"), &cat.access)
        .await;
    assert_eq!(gallery.status, StatusCode::NOT_FOUND);
    // The text she saw stays hers to read.
    let h = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &cat.access)
        .await;
    assert!(h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["body"] == "the scan"));
    // Ben, still a member, reads it.
    assert_eq!(
        app.fetch(&path, Some(&ben.access), &[]).await.0,
        StatusCode::OK
    );
}

/// Two different sends naming the same upload, pipelined on one socket: both pass
/// the check (the upload is free when each is checked) and reach the writer
/// together; the transaction lets exactly one take it, the other is refused.
async fn two_sends_racing_for_one_upload_attach_it_once(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let up = app.upload(&ann, "one.png", pictures::png(4, 4)).await;
    let id = up.body["id"].as_str().unwrap();
    let mut ws = Ws::connect(&app, &ann.access).await;
    for cid in ["race-a", "race-b"] {
        ws.send(json!({"type": "send", "ref": cid, "conversation_id": c, "client_msg_id": cid, "body": cid, "attachment_ids": [id]}))
            .await;
    }
    let mut replies = Vec::new();
    while replies.len() < 2 {
        let f = ws.next().await;
        if f["ref"] == "race-a" || f["ref"] == "race-b" {
            replies.push(f);
        }
    }
    let acks: Vec<_> = replies.iter().filter(|f| f["type"] == "ack").collect();
    let errors: Vec<_> = replies.iter().filter(|f| f["type"] == "error").collect();
    assert_eq!((acks.len(), errors.len()), (1, 1), "{replies:?}");
    assert_eq!(errors[0]["code"], "attachment_taken");
    let h = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ann.access)
        .await;
    let with_file: Vec<_> = h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m.get("attachments").is_some())
        .collect();
    assert_eq!(with_file.len(), 1, "{:?}", h.body);
    assert_eq!(
        with_file[0]["client_msg_id"],
        acks[0]["message"]["client_msg_id"]
    );
    // The batch that failed was retried message by message: the winner has seq 1,
    // and the refused send took no seq (no gap).
    assert_eq!(h.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(with_file[0]["seq"], 1);
}
