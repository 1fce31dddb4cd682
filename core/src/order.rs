//! The one sort of the rules. Every `sort_unstable_by` is its own copy of the standard
//! library's sort, about 4 KB of the WASM module each; these helpers sort positions through a
//! single comparator type, so every list the rules order shares one copy.

use std::cmp::Ordering;

/// The positions `0..len`, ordered by `compare` of the items at them.
pub(crate) fn positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| compare(a, b));
    order
}

/// Sorts `items` by `compare`. Not stable: for lists whose equal items are identical, or whose
/// comparator breaks every tie.
pub(crate) fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
        (Some(a), Some(b)) => compare(a, b),
        _ => Ordering::Equal,
    });
    reorder(items, &order);
}

/// Puts `items` in the order of `order`, a permutation of their positions.
pub(crate) fn reorder<T>(items: &mut Vec<T>, order: &[usize]) {
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .iter()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest::proptest! {
        #[test]
        fn sorts_as_the_standard_library_does(mut items in proptest::collection::vec(any::<(u8, u16)>(), 0..200)) {
            let mut expected = items.clone();
            expected.sort();
            sort_by(&mut items, Ord::cmp);
            proptest::prop_assert_eq!(items, expected);
        }

        #[test]
        fn positions_order_by_the_items_at_them(keys in proptest::collection::vec(any::<u8>(), 0..100)) {
            let order = positions(keys.len(), &|a, b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
            let mut expected: Vec<usize> = (0..keys.len()).collect();
            expected.sort_by_key(|&i| keys[i]);
            proptest::prop_assert_eq!(order, expected);
        }
    }
}
