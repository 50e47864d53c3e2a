//! The writer's batch insert, on every backend: a batch that mixes a resend of a
//! stored message, fresh messages of two conversations and a duplicate inside the
//! batch stores each message exactly once, with gapless per-conversation seqs.

use confab::{
    domain::{
        Attachment, AttachmentKind, Conversation, ConversationId, ConversationKind, GroupChange,
        MemberRole, MessageId, MessageKind, PresenceMode, Role, SystemNote, Timestamp, Upload,
        UploadId, User, UserId, Username,
    },
    store::{messages::NewMessage, users::NewUser, Store, StoreError},
};

use crate::{
    backend_tests,
    helpers::{fresh_store, Backend},
};

backend_tests!(
    a_mixed_batch_stores_each_message_once_with_gapless_seqs,
    a_sender_who_left_is_refused_at_the_commit,
    one_upload_in_two_messages_of_a_batch_is_taken_once,
    unread_counts_stop_at_a_window_after_the_read_marker,
);

async fn user(store: &Store, name: &str) -> UserId {
    let now = Timestamp::now();
    let u = User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        email: None,
        email_verified_at: None,
        full_name: name.into(),
        bio: String::new(),
        status_text: String::new(),
        role: Role::Patient,
        created_at: now,
        updated_at: now,
        deactivated_at: None,
        presence_mode: PresenceMode::Available,
        group_invites: confab::domain::GroupInvites::Friends,
        last_seen_at: None,
        avatar_id: None,
        email_notify: confab::domain::EmailNotify::Mentions,
    };
    store
        .insert_user(NewUser {
            user: &u,
            password_hash: "$argon2id$dummy",
            first_role: None,
        })
        .await
        .unwrap();
    u.id
}

async fn group(store: &Store, members: &[UserId]) -> ConversationId {
    let now = Timestamp::now();
    let c = Conversation {
        id: ConversationId::new(),
        kind: ConversationKind::Group,
        name: Some("batch".into()),
        created_by: members[0],
        created_at: now,
        last_seq: 0,
        last_ev: 1,
        last_activity_at: now,
        avatar_id: None,
    };
    let roles: Vec<(UserId, MemberRole)> =
        members.iter().map(|u| (*u, MemberRole::Member)).collect();
    store.create_conversation(&c, None, &roles).await.unwrap();
    c.id
}

fn msg(conversation: ConversationId, sender: UserId, cmid: &str) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        conversation_id: conversation,
        sender_id: sender,
        client_msg_id: cmid.into(),
        kind: MessageKind::Text,
        body: format!("body {cmid}"),
        reply_to: None,
        created_at: Timestamp::now(),
        attachments: Vec::new(),
        checked_at_meta_ev: None,
    }
}

async fn a_mixed_batch_stores_each_message_once_with_gapless_seqs(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let (ann, ben) = (user(&store, "ann").await, user(&store, "ben").await);
    let (one, two) = (
        group(&store, &[ann, ben]).await,
        group(&store, &[ann, ben]).await,
    );

    let first = store.append_messages(&[msg(one, ann, "a")]).await;
    let a = first[0].as_ref().unwrap();
    assert!(a.created);
    assert_eq!(a.message.seq, 1);

    let results = store
        .append_messages(&[
            msg(one, ann, "a"), // a resend of a stored message
            msg(one, ben, "b"), // fresh
            msg(two, ann, "c"), // fresh, another conversation
            msg(one, ben, "b"), // the same send twice in one batch
            msg(one, ann, "d"), // fresh
        ])
        .await;
    let r: Vec<_> = results.iter().map(|r| r.as_ref().unwrap()).collect();
    assert!(!r[0].created, "the resend is not stored again");
    assert_eq!(
        r[0].message.id, a.message.id,
        "the resend gets the stored message"
    );
    assert!(r[1].created && r[2].created && r[4].created);
    assert!(!r[3].created, "a duplicate inside the batch is stored once");
    assert_eq!(r[3].message.id, r[1].message.id);
    assert_eq!(
        (r[1].message.seq, r[4].message.seq),
        (2, 3),
        "seqs continue without gaps, in batch order"
    );
    assert_eq!(r[2].message.seq, 1, "each conversation counts its own seqs");

    let page = store.messages_page(one, ann, None, None, 10).await.unwrap();
    let stored: Vec<(i64, &str)> = page
        .iter()
        .map(|m| (m.seq, m.client_msg_id.as_str()))
        .collect();
    assert_eq!(
        stored,
        vec![(1, "a"), (2, "b"), (3, "d")],
        "stored once each"
    );
    let (conv, _) = store.conversation(one).await.unwrap().unwrap();
    assert_eq!(conv.last_seq, 3, "the counter matches the stored messages");
}

/// The send check reads a node's cached roster, so a member removed a moment ago
/// (on another node, or between the check and the commit) can still reach the
/// writer. The commit itself refuses them: nothing stored, no seq taken, and the
/// rest of the batch stored as usual.
async fn a_sender_who_left_is_refused_at_the_commit(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        user(&store, "ann").await,
        user(&store, "ben").await,
        user(&store, "cat").await,
    );
    let one = group(&store, &[ann, ben, cat]).await;
    let two = group(&store, &[ann, cat]).await;
    let meta_before = store.roster(one).await.unwrap().unwrap().1;
    let before = store.append_messages(&[msg(one, cat, "c0")]).await;
    assert!(before[0].as_ref().unwrap().created, "a member sends");
    let note = SystemNote {
        actor_name: "ann".into(),
        change: GroupChange::MemberRemoved {
            user_id: cat,
            user_name: "cat".into(),
        },
    };
    store
        .remove_member(one, cat, None, ann, &note, Timestamp::now())
        .await
        .unwrap();
    let (conv, meta_after) = store.conversation(one).await.unwrap().unwrap();
    let removed_at = conv.last_seq;
    assert_ne!(meta_before, meta_after, "a removal moves the version");

    let results = store
        .append_messages(&[
            msg(one, ann, "a1"),
            msg(one, cat, "c1"), // removed from `one`
            msg(two, cat, "c2"), // still in `two`
            msg(one, cat, "c0"), // a resend of what cat sent as a member
            msg(one, ben, "b1"),
        ])
        .await;
    assert!(
        matches!(results[1], Err(StoreError::NotFound)),
        "{:?}",
        results[1]
    );
    let ok: Vec<_> = [0, 2, 3, 4]
        .iter()
        .map(|&i| results[i].as_ref().unwrap())
        .collect();
    assert!(ok[0].created && ok[1].created && ok[3].created);
    assert!(!ok[2].created, "the resend gets the message stored before");
    assert_eq!(
        (ok[0].message.seq, ok[3].message.seq),
        (removed_at + 1, removed_at + 2),
        "no seq was taken by the refused send"
    );
    let page = store.messages_page(one, ann, None, None, 20).await.unwrap();
    assert!(page.iter().all(|m| m.client_msg_id != "c1"), "not stored");
    let (conv, _) = store.conversation(one).await.unwrap().unwrap();
    assert_eq!(conv.last_seq, removed_at + 2, "the counter matches");

    // Checked against the roster from before the removal: the version moved,
    // so the commit looks again and refuses it.
    let stale = NewMessage {
        checked_at_meta_ev: Some(meta_before),
        ..msg(one, cat, "c4")
    };
    let r = store.append_messages(&[stale]).await;
    assert!(matches!(r[0], Err(StoreError::NotFound)), "{:?}", r[0]);
    // Checked against the current roster: trusted, no second look needed.
    let current = NewMessage {
        checked_at_meta_ev: Some(meta_after),
        ..msg(one, ben, "b2")
    };
    assert!(
        store.append_messages(&[current]).await[0]
            .as_ref()
            .unwrap()
            .created
    );

    // One at a time (the writer's fallback path) refuses them too.
    let alone = store.append_messages(&[msg(one, cat, "c3")]).await;
    assert!(
        matches!(alone[0], Err(StoreError::NotFound)),
        "{:?}",
        alone[0]
    );
}

/// Two different messages of one batch naming the same upload (sends checked at
/// the same moment): the batch falls back to one transaction per message, the
/// first takes the upload, the second is refused with nothing stored, and the seqs
/// stay gapless.
async fn one_upload_in_two_messages_of_a_batch_is_taken_once(b: Backend) {
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let (ann, ben) = (user(&store, "ann").await, user(&store, "ben").await);
    let one = group(&store, &[ann, ben]).await;
    let attachment = Attachment {
        id: UploadId::new(),
        kind: AttachmentKind::File,
        mime: "text/plain".into(),
        name: "a.txt".into(),
        size: 3,
        width: None,
        height: None,
    };
    store
        .insert_upload(&Upload {
            attachment: attachment.clone(),
            uploader_id: ann,
            created_at: Timestamp::now(),
            message_id: None,
            conversation_id: None,
            has_thumb: false,
        })
        .await
        .unwrap();
    let with_file = |cmid: &str| NewMessage {
        attachments: vec![attachment.clone()],
        checked_at_meta_ev: None,
        ..msg(one, ann, cmid)
    };
    let results = store
        .append_messages(&[with_file("x"), with_file("y"), msg(one, ann, "z")])
        .await;
    let first = results[0].as_ref().unwrap();
    assert!(first.created);
    assert!(
        matches!(
            &results[1],
            Err(confab::store::StoreError::Conflict("attachment"))
        ),
        "{:?}",
        results[1].as_ref().map(|a| a.message.seq)
    );
    let third = results[2].as_ref().unwrap();
    assert_eq!((first.message.seq, third.message.seq), (1, 2));
    let state = store.upload(attachment.id).await.unwrap().unwrap();
    assert_eq!(state.upload.message_id, Some(first.message.id));
}

/// 1,050 messages from ann and 10 of ben's own within the first 1,000 seqs: ben's
/// count is what the window holds from others, and says there is more.
async fn unread_counts_stop_at_a_window_after_the_read_marker(b: Backend) {
    use confab::store::conversations::{Unread, UNREAD_WINDOW};
    let Some((store, _dir)) = fresh_store(b).await else {
        return;
    };
    let (ann, ben) = (user(&store, "ann").await, user(&store, "ben").await);
    let one = group(&store, &[ann, ben]).await;
    let batch: Vec<NewMessage> = (1..=1060)
        .map(|i| {
            let sender = if i % 100 == 0 { ben } else { ann };
            msg(one, sender, &format!("m{i}"))
        })
        .collect();
    for r in store.append_messages(&batch).await {
        r.unwrap();
    }
    let counts = store.unread_counts(ben, &[one]).await.unwrap();
    assert_eq!(
        counts,
        vec![(
            one,
            Unread {
                count: UNREAD_WINDOW - 10,
                more: true
            }
        )],
        "seqs 1..=1000, less ben's own 10; 60 more past the window"
    );
    assert_eq!(
        store.unread_counts(ann, &[one]).await.unwrap(),
        vec![(
            one,
            Unread {
                count: 10,
                more: true
            }
        )],
        "ann counts ben's 10 in her window"
    );
}
