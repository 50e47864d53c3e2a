// The reference Node.js chat server of BENCHMARKS.md ("Socket.IO peer"): what a
// team writes with the stack Confab replaces, doing the same work as Confab does
// for each message of the `fanout` scenario, and no more:
//   - a client connects (Socket.IO over WebSocket) naming its user, and joins
//     the room of every conversation the database says it is a member of;
//   - `send` {conversation, client_msg_id, body}: check membership, then in one
//     transaction take the conversation's next seq (row lock) and insert the
//     message (unique per sender and client_msg_id, so a resend is idempotent);
//     after the commit, emit `message` to the conversation's room and ack with
//     the seq.
// It is given every advantage Confab does not take: no authentication, no
// per-request session check, no group commit to wait for.
//
//   node server.mjs --port 18200 --database mysql://root@127.0.0.1:3306/confab_peer
//   node server.mjs --seed --groups 100 --members 10 --database ...   (then exits)

import { createServer } from "node:http";
import { parseArgs } from "node:util";

import mysql from "mysql2/promise";
import { Server } from "socket.io";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "18200" },
    database: { type: "string", default: "mysql://root@127.0.0.1:3306/confab_peer" },
    seed: { type: "boolean", default: false },
    groups: { type: "string", default: "100" },
    members: { type: "string", default: "10" },
    pool: { type: "string", default: "16" },
  },
});

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS conversations (id VARCHAR(40) PRIMARY KEY, last_seq BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS members (conversation_id VARCHAR(40) NOT NULL, user_id VARCHAR(40) NOT NULL,
     PRIMARY KEY (conversation_id, user_id), KEY by_user (user_id)) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS messages (id BIGINT AUTO_INCREMENT PRIMARY KEY, conversation_id VARCHAR(40) NOT NULL,
     seq BIGINT NOT NULL, sender_id VARCHAR(40) NOT NULL, client_msg_id VARCHAR(64) NOT NULL, body TEXT NOT NULL,
     created_at BIGINT NOT NULL, UNIQUE KEY by_conv_seq (conversation_id, seq),
     UNIQUE KEY idem (sender_id, client_msg_id)) ENGINE=InnoDB`,
];

async function seed(db, groups, members) {
  for (const table of ["messages", "members", "conversations"]) await db.query(`DROP TABLE IF EXISTS ${table}`);
  for (const sql of SCHEMA) await db.query(sql);
  for (let g = 0; g < groups; g++) {
    await db.query("INSERT INTO conversations (id) VALUES (?)", [`g${g}`]);
    const rows = Array.from({ length: members }, (_, m) => [`g${g}`, `g${g}u${m}`]);
    await db.query("INSERT INTO members (conversation_id, user_id) VALUES ?", [rows]);
  }
  console.log(`seeded ${groups} groups of ${members}`);
}

async function send(db, user, { conversation, client_msg_id: cmid, body }) {
  const [member] = await db.query("SELECT 1 FROM members WHERE conversation_id = ? AND user_id = ?", [conversation, user]);
  if (member.length === 0) return { error: "not a member" };
  const conn = await db.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query("UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ?", [conversation]);
    const [[{ last_seq: seq }]] = await conn.query("SELECT last_seq FROM conversations WHERE id = ?", [conversation]);
    try {
      await conn.query("INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
        conversation,
        seq,
        user,
        cmid,
        body,
        Date.now(),
      ]);
    } catch (e) {
      await conn.rollback();
      if (e.code !== "ER_DUP_ENTRY") throw e;
      const [[old]] = await db.query("SELECT seq FROM messages WHERE sender_id = ? AND client_msg_id = ?", [user, cmid]);
      return { seq: Number(old.seq), duplicate: true };
    }
    await conn.commit();
    return { seq: Number(seq), created: true };
  } catch (e) {
    await conn.rollback().catch(() => {});
    throw e;
  } finally {
    conn.release();
  }
}

const db = mysql.createPool({ uri: args.database, connectionLimit: Number(args.pool) });
if (args.seed) {
  await seed(db, Number(args.groups), Number(args.members));
  await db.end();
} else {
  const http = createServer();
  const io = new Server(http, { transports: ["websocket"], serveClient: false });
  io.on("connection", async (socket) => {
    const user = String(socket.handshake.auth?.user ?? socket.handshake.query.user ?? "");
    const [rows] = await db.query("SELECT conversation_id FROM members WHERE user_id = ?", [user]);
    for (const r of rows) socket.join(r.conversation_id);
    socket.emit("ready", { conversations: rows.map((r) => r.conversation_id) });
    socket.on("send", async (msg, ack) => {
      try {
        const r = await send(db, user, msg);
        if (r.created) {
          io.to(msg.conversation).emit("message", { conversation: msg.conversation, seq: r.seq, sender: user, client_msg_id: msg.client_msg_id, body: msg.body });
        }
        if (typeof ack === "function") ack(r);
      } catch (e) {
        if (typeof ack === "function") ack({ error: String(e.message ?? e) });
      }
    });
  });
  http.listen(Number(args.port), "127.0.0.1", () => console.log(`socket.io peer on 127.0.0.1:${args.port}`));
}
