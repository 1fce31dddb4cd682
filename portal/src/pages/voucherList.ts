// A partner's vouchers, read whole (page after page of the API) so that filters, search and
// paging in the table agree with each other.
import { settle, type Api, type Reply, type VoucherView } from "../api/client";

/** At most this many vouchers are read for one table (40 pages of 100). */
const MOST = 4000;

export async function allVouchers(
  api: Api,
  partnerId: string,
  state: string | undefined,
  networkMessage: string,
): Promise<Reply<VoucherView[]>> {
  const items: VoucherView[] = [];
  let cursor: string | undefined;
  do {
    const reply = await settle(
      api.GET("/v1/partners/{partnerId}/vouchers", {
        params: { path: { partnerId }, query: { state, cursor, limit: 100 } },
      }),
      networkMessage,
    );
    if (!reply.ok) return reply;
    // The route also answers CSV (`format=csv`), typed as text; without `format` it is a page.
    if (typeof reply.data === "string") break;
    items.push(...reply.data.items);
    cursor = reply.data.nextCursor ?? undefined;
  } while (cursor && items.length < MOST);
  return { ok: true, status: 200, data: items, replayed: false };
}

/** Whether a voucher still to be worked on expires within `days` of `today`. */
export function expiringSoon(voucher: VoucherView, today: string, days = 30): boolean {
  if (!["created", "assigned", "reserved", "completed"].includes(voucher.effectiveState)) return false;
  const left = (Date.parse(voucher.expiresOn) - Date.parse(today)) / 86_400_000;
  return left >= 0 && left <= days;
}
