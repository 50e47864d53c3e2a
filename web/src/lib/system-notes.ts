// Group changes stored as `system` messages (docs/protocol.md), in words.

export type SystemNote =
  | { event: "member_added"; actor_name: string; user_id: string; user_name: string }
  | { event: "member_removed"; actor_name: string; user_id: string; user_name: string }
  | { event: "member_left"; actor_name: string; new_owner?: string; new_owner_name?: string }
  | { event: "member_joined"; actor_name: string; invited_by: string; invited_by_name: string }
  | { event: "renamed"; actor_name: string; name: string }
  | { event: "picture_changed"; actor_name: string; removed: boolean };

/** "Ann added Cat", "You removed Ben", "Ann left; Dan is now the owner": the actor
 * is the message's sender; "you" wherever that is the reader. */
export function systemText(note: SystemNote, senderId: string, me: string): string {
  const actor = senderId === me ? "You" : note.actor_name || "Someone";
  const who = (id: string, name: string) => (id === me ? "you" : name || "someone");
  switch (note.event) {
    case "member_added":
      return `${actor} added ${who(note.user_id, note.user_name)}`;
    case "member_removed":
      return `${actor} removed ${who(note.user_id, note.user_name)}`;
    case "member_left": {
      const owner = note.new_owner ? `; ${note.new_owner === me ? "you are" : `${note.new_owner_name || "someone"} is`} now the owner` : "";
      return `${actor} left${owner}`;
    }
    case "member_joined":
      return `${actor} joined, invited by ${who(note.invited_by, note.invited_by_name)}`;
    case "renamed":
      return `${actor} renamed the group to “${note.name}”`;
    case "picture_changed":
      return note.removed ? `${actor} removed the group picture` : `${actor} changed the group picture`;
  }
}
