// Wire types of the Confab API and real-time protocol (docs/protocol.md).

import type { SystemNote } from "./system-notes";

/** A file or image a message carries (metadata only: URLs come from
 * `POST /files/urls`, per reader, and expire). */
export type Attachment = {
  id: string;
  kind: "image" | "file";
  mime: string;
  name: string;
  size: number;
  width?: number;
  height?: number;
};

export type Message = {
  id: string;
  conversation_id: string;
  seq: number;
  ev: number;
  sender_id: string;
  client_msg_id: string;
  kind: "text" | "system";
  body: string | null;
  /** For `kind: "system"`: the group change it records. */
  system?: SystemNote;
  reply_to: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /** Absent when there are none (and while the message is deleted). */
  attachments?: Attachment[];
  /** Absent when there are none. */
  reactions?: Reaction[];
};

/** One emoji on a message and who reacted with it, earliest first. */
export type Reaction = { emoji: string; user_ids: string[] };

export type ReadEvent = { type: "read"; conversation_id: string; ev: number; user_id: string; seq: number };
/** A member's devices received the conversation up to `seq`. */
export type DeliveredEvent = { type: "delivered"; conversation_id: string; ev: number; user_id: string; seq: number };

export type MessageEvent = {
  type: "message.new" | "message.updated" | "message.deleted" | "message.restored";
  conversation_id: string;
  ev: number;
  message: Message;
};

export type ConversationEvent = {
  type: "conversation.new" | "conversation.updated";
  conversation_id: string;
  ev: number;
  conversation: { id: string; name: string | null; last_seq: number; ev: number };
};

export type OrderedEvent = MessageEvent | ReadEvent | DeliveredEvent | ConversationEvent;
