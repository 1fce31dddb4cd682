// A partner's vouchers, read whole (page after page of the API) so that filters, search and
// paging in the table agree with each other.
import { settle, type Api, type Reply, type VoucherView } from "../api/client";
import { daysBetween } from "../format";
import { allPages } from "../load";

/** At most this many vouchers are read for one table (40 pages of 100). */
const MOST = 4000;

export function allVouchers(
  api: Api,
  partnerId: string,
  state: string | undefined,
  networkMessage: string,
): Promise<Reply<VoucherView[]>> {
  return allPages(async (cursor) => {
    const reply = await settle(
      api.GET("/v1/partners/{partnerId}/vouchers", {
        params: { path: { partnerId }, query: { state, cursor, limit: 100 } },
      }),
      networkMessage,
    );
    // The route also answers CSV (`format=csv`), typed as text; without `format` it is a page.
    if (!reply.ok) return reply;
    return { ...reply, data: typeof reply.data === "string" ? { items: [] } : reply.data };
  }, MOST);
}

/** Whether a voucher still to be worked on expires within `days` of `today`. */
export function expiringSoon(voucher: VoucherView, today: string, days = 30): boolean {
  if (!["created", "assigned", "reserved", "completed"].includes(voucher.effectiveState)) return false;
  const left = daysBetween(today, voucher.expiresOn);
  return left >= 0 && left <= days;
}
