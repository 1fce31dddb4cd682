// The portal's pages and who sees them. Navigation follows the roles a token carries; the server
// still decides every request.
import { useEffect, useState } from "react";
import type { TextKey } from "./i18n";
import type { Claims, Role } from "./session";

export type PageId =
  | "dashboard"
  | "vouchers"
  | "voucher"
  | "claims"
  | "profile"
  | "directory"
  | "queue"
  | "customer"
  | "qualifications"
  | "payees"
  | "access";

interface PageEntry {
  id: PageId;
  label: TextKey;
  /** Who sees it in the navigation; `null` = everyone, signed in or not. */
  roles: Role[] | null;
}

const PARTNER: Role[] = ["global_admin", "partner_admin", "partner_user"];

export const NAVIGATION: PageEntry[] = [
  { id: "dashboard", label: "nav.dashboard", roles: PARTNER },
  { id: "vouchers", label: "nav.vouchers", roles: PARTNER },
  { id: "claims", label: "nav.claims", roles: PARTNER },
  { id: "profile", label: "nav.profile", roles: PARTNER },
  { id: "payees", label: "nav.payees", roles: ["global_admin"] },
  { id: "access", label: "nav.access", roles: ["global_admin", "partner_admin"] },
  { id: "customer", label: "nav.customer", roles: ["customer_admin"] },
  { id: "queue", label: "nav.queue", roles: ["program_admin"] },
  { id: "qualifications", label: "nav.qualifications", roles: ["program_admin"] },
  { id: "directory", label: "nav.directory", roles: null },
];

export function visiblePages(claims: Claims): PageEntry[] {
  return NAVIGATION.filter(
    (page) => page.roles === null || page.roles.some((role) => claims.roles.includes(role)),
  );
}

export interface Route {
  page: PageId;
  /** The voucher number of `#/vouchers/{number}`. */
  param?: string;
}

/** The first page a role lands on. */
export function home(claims: Claims): PageId {
  return visiblePages(claims)[0]?.id ?? "directory";
}

function parse(hash: string, claims: Claims): Route {
  const [, first = "", second] = hash.replace(/^#/, "").split("/");
  if (first === "vouchers" && second) return { page: "voucher", param: decodeURIComponent(second) };
  const known = visiblePages(claims).find((page) => page.id === first);
  return { page: known ? known.id : home(claims) };
}

export function href(page: PageId, param?: string): string {
  if (page === "voucher" && param) return `#/vouchers/${encodeURIComponent(param)}`;
  return `#/${page}`;
}

/** The page the address names, followed as it changes (reload and Back land on the same page). */
export function useRoute(claims: Claims): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const follow = () => setHash(window.location.hash);
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  return parse(hash, claims);
}

export function go(page: PageId, param?: string) {
  window.location.hash = href(page, param);
}
