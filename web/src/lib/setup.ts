// What the server tells the sign-in page (GET /auth/setup), and the messaging
// policy in words a new user understands (the README says the same).

import { useQuery } from "@tanstack/react-query";

import { api } from "./api";

export type Policy = "friends" | "care" | "open";
export type Setup = { next_account_is_admin: boolean; messaging_policy: Policy };

export function useSetup() {
  return useQuery({ queryKey: ["setup"], queryFn: () => api<Setup>("/auth/setup"), staleTime: 60_000 });
}

export function policyText(p: Policy): string {
  switch (p) {
    case "friends":
      return "On this server you chat with your friends: find someone, send a friend request, and once they accept you can message each other.";
    case "care":
      return "On this server patients message their doctors; doctors and administrators can message anyone.";
    case "open":
      return "On this server anyone can message anyone; you can block people you do not want to hear from.";
  }
}

/** A refused chat that a friend request would open: only under the friends policy
 * (under `care` it is about roles; a block is not fixed by asking). */
export const friendRequestHelps = (policy: Policy | undefined, code: string) => policy === "friends" && code === "messaging_not_allowed";
