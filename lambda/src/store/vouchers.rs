//! A partner's vouchers by effective state (SPEC §7, §15.1), read through the store's key
//! ranges and decided by core.
//!
//! A voucher's stored `expiresOn` is its key, and the catalog's expiry extensions move its
//! effective expiry on read without rewriting it. So the store reads each stored state's key
//! range widened by the longest extension, and this module keeps only the vouchers core reads
//! as the state asked, reading on until the page is full. Without extensions the ranges are
//! exact and one store page is the answer.

use super::{Store, StoreResult, VoucherPage, VoucherQuery, encode_list_cursor, voucher_list_key};
use saps_core::catalog::Catalog;
use saps_core::value::PartnerId;

/// One page of `partner`'s vouchers in the effective state `query` asks for, on its day, after
/// `cursor`. `query.extension_days` is set from `catalog`.
pub async fn partner_vouchers(
    store: &dyn Store,
    catalog: &Catalog,
    partner: &PartnerId,
    query: VoucherQuery,
    cursor: Option<&str>,
) -> StoreResult<VoucherPage> {
    let query = VoucherQuery {
        extension_days: catalog.max_extension_days(),
        ..query
    };
    let wanted = match query.state {
        Some(state) if query.extension_days > 0 => state,
        _ => return store.partner_vouchers(partner, query, cursor).await,
    };
    let limit = query.limit.max(1);
    let mut items = Vec::with_capacity(limit);
    let mut cursor = cursor.map(str::to_owned);
    loop {
        let asked = VoucherQuery {
            limit: limit - items.len(),
            ..query
        };
        let page = store
            .partner_vouchers(partner, asked, cursor.as_deref())
            .await?;
        let read = page.items.len();
        for (i, voucher) in page.items.into_iter().enumerate() {
            if voucher.effective_state_in(catalog, query.today) != wanted {
                continue;
            }
            items.push(voucher);
            if items.len() == limit {
                // Full: the next page starts after the last voucher kept, so nothing read but
                // not looked at is skipped; only the store's last voucher ends the list.
                let at_end = page.next_cursor.is_none() && i + 1 == read;
                let next_cursor = if at_end {
                    None
                } else {
                    items
                        .last()
                        .map(|v| encode_list_cursor(&voucher_list_key(v)))
                };
                return Ok(VoucherPage { items, next_cursor });
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => {
                return Ok(VoucherPage {
                    items,
                    next_cursor: None,
                });
            }
        }
    }
}
