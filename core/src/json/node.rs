//! A parsed JSON input that borrows its text: what [`super::FromNode`] reads typed values from.
//!
//! serde_json's `Value` owns a `String` per key and per string, in a `BTreeMap` per object. A
//! [`Node`] is parsed by [`super::parse`] (serde_json's grammar, numbers, limits and error
//! messages), keeps every string that has no escape as a slice of the text, and stores an
//! object as one vector.
//! An object's entries are in the order a `Value`'s map iterates them, sorted by key with the
//! last duplicate kept, so a verdict cannot depend on which surface parsed the input.

use super::parse::SyntaxError;
use serde_json::{Number, Value};
use std::borrow::Cow;

/// One JSON value, its strings borrowed from the text where they hold no escape.
#[derive(Clone, Debug, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as serde_json keeps it.
    Number(Number),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object: sorted by key, keys unique.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Parses JSON text, as `serde_json::from_str::<Value>` does.
    pub(crate) fn parse(text: &'a str) -> Result<Node<'a>, SyntaxError> {
        super::parse::parse(text)
    }

    /// The same value, borrowing `value`'s strings (a map is already sorted and unique).
    pub(crate) fn of(value: &'a Value) -> Node<'a> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::of).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_str()), Node::of(value)))
                    .collect(),
            ),
        }
    }

    /// The entry `key` of an object, taken out of it.
    pub(crate) fn take(entries: &mut Vec<(Cow<'a, str>, Node<'a>)>, key: &str) -> Option<Node<'a>> {
        let index = entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()?;
        Some(entries.remove(index).1)
    }

    /// The same value as a serde_json `Value` (for tests).
    #[cfg(test)]
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.to_value()))
                    .collect::<serde_json::Map<String, Value>>(),
            ),
        }
    }
}

/// Objects with at most this many entries are sorted in place, with at most 120 comparisons.
const SORTED_IN_PLACE: usize = 16;

/// An object's entries in key order, the last of equal keys kept (as a `Value`'s map has them).
pub(super) fn sorted<'a>(
    mut entries: Vec<(Cow<'a, str>, Node<'a>)>,
) -> Vec<(Cow<'a, str>, Node<'a>)> {
    if entries
        .windows(2)
        .all(|pair| matches!(pair, [a, b] if a.0 < b.0))
    {
        return entries;
    }
    // Among equal keys the later position sorts last, and is the one kept.
    if entries.len() <= SORTED_IN_PLACE {
        // Stable (only a greater key moves past another) and allocation-free: for a form's few
        // keys, a quarter of what sorting positions cost natively.
        for i in 1..entries.len() {
            let mut j = i;
            while j > 0
                && matches!((entries.get(j - 1), entries.get(j)), (Some(a), Some(b)) if a.0 > b.0)
            {
                entries.swap(j - 1, j);
                j -= 1;
            }
        }
    } else {
        let key = |k: usize| entries.get(k).map(|(key, _)| key.as_ref());
        let order =
            crate::order::positions(entries.len(), &|i, j| key(i).cmp(&key(j)).then(i.cmp(&j)));
        crate::order::reorder(&mut entries, &order);
    }
    // `dedup_by` drops the later of two equal neighbours: swap it in first, so the last stays.
    entries.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses `text` both ways: the same value, or both refuse it with the same message.
    fn same_as_value(text: &str) {
        let node = Node::parse(text)
            .map(|n| n.to_value())
            .map_err(|e| e.to_string());
        let value = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
        assert_eq!(node, value, "{text}");
    }

    #[test]
    fn parses_as_serde_json_parses_a_value() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "7",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-1e3",
            "1E400",
            "01",
            "1.",
            r#""plain""#,
            r#""esc\"aped\\\n\u00e9\ud83d\ude00""#,
            r#""\ud83d""#,
            "\"tab\there\"",
            r#"[1, "a", [], {}, null]"#,
            r#"{"b": 1, "a": 2}"#,
            r#"{"a": 1, "a": 2, "b": 3, "a": 4}"#,
            r#"{"z": {"y": 1, "x": [ {"k\u0041": 1, "kA": 2} ]}, "": 0}"#,
            r#"{"a": 1,}"#,
            "[1, 2",
            "{} x",
            "",
            &"[".repeat(200),
            // More keys than are sorted in place, shuffled, with repeats.
            r#"{"k":1,"b":2,"q":3,"a":4,"t":5,"c":6,"s":7,"b":8,"r":9,"d":10,"p":11,"e":12,
               "o":13,"f":14,"n":15,"g":16,"m":17,"a":18,"h":19,"l":20,"i":21,"k":22,"j":23}"#,
            r#"{"p":1,"o":2,"n":3,"m":4,"l":5,"k":6,"j":7,"i":8,"h":9,"g":10,"f":11,"e":12,
               "d":13,"c":14,"b":15,"a":16}"#,
        ] {
            same_as_value(text);
        }
    }

    /// JSON text of an arbitrary value: keys from a small alphabet (so objects repeat keys, in
    /// any order), strings with escapes and non-ASCII, numbers at the edges of u64, i64 and f64.
    fn json_text() -> impl Strategy<Value = String> {
        let number = prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |x| x.is_finite())
                .prop_map(|x| format!("{x:e}")),
            proptest::sample::select(vec![
                "-0",
                "0.0",
                "1e400",
                "-1e-400",
                "18446744073709551616",
                "-9223372036854775809",
                "1E+2",
                "01",
                "1.",
                "-",
            ])
            .prop_map(str::to_owned),
        ];
        let text = "[a-c\\\"é😀\u{1}\n]{0,4}".prop_map(|s| serde_json::to_string(&s).unwrap());
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            number,
            text.clone(),
            Just(r#""\ud800""#.to_owned()),
        ];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                proptest::collection::vec(("[a-c]{0,2}", inner), 0..6).prop_map(|entries| {
                    let entries: Vec<String> = entries
                        .iter()
                        .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
                        .collect();
                    format!("{{{}}}", entries.join(","))
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_as_serde_json_parses_a_value(text in json_text()) {
            let node = Node::parse(&text).map(|n| n.to_value()).map_err(|e| e.to_string());
            let value = serde_json::from_str::<Value>(&text).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(node, value, "{}", text);
        }
    }

    #[test]
    fn keeps_unescaped_strings_as_slices_of_the_text() {
        let node = Node::parse(r#"{"name": "Li Wei", "note": "a\nb"}"#).unwrap();
        let Node::Object(entries) = node else {
            panic!("an object");
        };
        assert!(matches!(
            entries[0],
            (Cow::Borrowed("name"), Node::String(Cow::Borrowed("Li Wei")))
        ));
        assert!(matches!(&entries[1].1, Node::String(Cow::Owned(s)) if s == "a\nb"));
    }

    #[test]
    fn a_value_converts_to_the_node_its_text_parses_to() {
        let text = r#"{"b": [1, -2, 3.5, "x"], "a": {"d": null, "c": true}}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(Node::of(&value), Node::parse(text).unwrap());
    }
}
