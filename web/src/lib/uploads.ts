// Uploading the files of a message being sent. Each file goes up on its own
// request (XMLHttpRequest: fetch cannot report upload progress), its progress and
// outcome land in the chat store, and the message goes out once all are up.
// The File objects and requests live here, not in the store: the store holds
// only what the view shows.

import { freshAccessToken } from "./api";
import { markFailed, removeFile, updateFile, type PendingFile } from "./chat-state";
import { sendNow } from "./live";
import { getChat, updateChat } from "./store";
import type { Attachment } from "./types";

/** Files per message, as the server allows. */
export const MAX_FILES = 10;

type Uploaded = Attachment & { url: string; thumb_url?: string };

const files = new Map<string, File>();
const requests = new Map<string, XMLHttpRequest>();

/** Entries for the pending message, with a local preview for images. */
export function pendingFiles(list: File[]): { entries: PendingFile[]; keyed: [string, File][] } {
  const keyed = list.map((f) => [crypto.randomUUID(), f] as [string, File]);
  const entries = keyed.map(([key, f]) => ({
    key,
    name: f.name || "pasted file",
    size: f.size,
    mime: f.type,
    preview: f.type.startsWith("image/") ? URL.createObjectURL(f) : undefined,
    loaded: 0,
  }));
  return { entries, keyed };
}

export function startUploads(conversationId: string, clientMsgId: string, keyed: [string, File][]): void {
  for (const [key, file] of keyed) {
    files.set(key, file);
    void upload(conversationId, clientMsgId, key);
  }
}

/** Uploads again the files of a message that failed (those not yet up). */
export function retryUploads(conversationId: string, clientMsgId: string): void {
  const p = getChat().conversations[conversationId]?.pending.find((x) => x.client_msg_id === clientMsgId);
  for (const f of p?.files ?? []) {
    if (!f.id && !requests.has(f.key) && files.has(f.key)) {
      updateChat((s) => updateFile(s, conversationId, clientMsgId, f.key, { error: undefined, loaded: 0 }));
      void upload(conversationId, clientMsgId, f.key);
    }
  }
}

/** Stops a file's upload and takes it out of its message. */
export function cancelFile(conversationId: string, clientMsgId: string, key: string): void {
  requests.get(key)?.abort();
  requests.delete(key);
  files.delete(key);
  updateChat((s) => removeFile(s, conversationId, clientMsgId, key));
  sendNow();
}

async function upload(conversationId: string, clientMsgId: string, key: string, renewed = false): Promise<void> {
  const file = files.get(key);
  if (!file) return;
  const token = await freshAccessToken(renewed);
  const xhr = new XMLHttpRequest();
  requests.set(key, xhr);
  const set = (patch: Partial<PendingFile>) => updateChat((s) => updateFile(s, conversationId, clientMsgId, key, patch));
  xhr.upload.onprogress = (e) => set({ loaded: e.loaded });
  xhr.onerror = () => fail("the connection was lost");
  xhr.onload = () => {
    requests.delete(key);
    if (xhr.status === 401 && !renewed) return void upload(conversationId, clientMsgId, key, true);
    if (xhr.status === 201) {
      const up = JSON.parse(xhr.responseText) as Uploaded;
      files.delete(key);
      set({ id: up.id, loaded: file.size });
      sendNow();
      return;
    }
    let message = `the server answered ${xhr.status}`;
    try {
      message = (JSON.parse(xhr.responseText) as { error: { message: string } }).error.message;
    } catch {
      // not JSON: keep the status
    }
    fail(message);
  };
  function fail(why: string) {
    requests.delete(key);
    set({ error: why });
    updateChat((s) => markFailed(s, conversationId, clientMsgId, `${file!.name || "a file"} did not upload: ${why}`));
  }
  xhr.open("POST", `/api/v1/uploads?name=${encodeURIComponent(file.name || "pasted file")}`);
  if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
  xhr.send(file);
}
