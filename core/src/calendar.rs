//! Calendar arithmetic and date windows (SPEC §2).
//!
//! Dates are plain calendar dates in UTC. The rules never read a clock: `today` always arrives as
//! an argument. Dates are parsed with a four-digit year, so the arithmetic below cannot leave
//! chrono's range in practice; it saturates instead of panicking all the same.

use chrono::{Days, Months, NaiveDate};

/// `date + days` calendar days (SPEC §2: "N days after D"), saturating at chrono's maximum.
pub fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// `date - days` calendar days, saturating at chrono's minimum.
pub fn sub_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// One year after `date`: twelve calendar months, the day clamped to the month's end
/// (SPEC §2: 2028-02-29 + 1 year = 2029-02-28).
pub fn add_one_year(date: NaiveDate) -> NaiveDate {
    date.checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

/// Parses a strict `YYYY-MM-DD` calendar date (four-digit year, SPEC §2).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    // Digits only from here: read them directly instead of through chrono's format parser,
    // which would add ~19 KB of parsing machinery to the WASM module.
    let number = |range: std::ops::Range<usize>| {
        bytes
            .get(range)?
            .iter()
            .try_fold(0u32, |n, b| Some(n * 10 + u32::from(b - b'0')))
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// A half-open window of dates `[start, end)` (SPEC §2): `start` is in, `end` is out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateWindow {
    /// The first date inside the window.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub start: NaiveDate,
    /// The first date after the window.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub end: NaiveDate,
}

impl DateWindow {
    /// Whether `date` lies in `[start, end)`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }
}

/// `YYYY-MM-DD` as bytes, without the formatting machinery: answers carry many dates, and
/// chrono's `Display` writes them a character at a time (a tenth of a form check in WASM).
/// `None` for years outside 0..=9999, which `Display` writes with a sign.
pub(crate) fn iso_digits(date: NaiveDate) -> Option<[u8; 10]> {
    use chrono::Datelike;
    let year = u32::try_from(date.year())
        .ok()
        .filter(|year| *year <= 9999)?;
    let digit = |value: u32, place: u32| b'0' + ((value / place) % 10) as u8;
    let (month, day) = (date.month(), date.day());
    Some([
        digit(year, 1000),
        digit(year, 100),
        digit(year, 10),
        digit(year, 1),
        b'-',
        digit(month, 10),
        digit(month, 1),
        b'-',
        digit(day, 10),
        digit(day, 1),
    ])
}

/// `date` as `YYYY-MM-DD` (without the formatting machinery for the common four-digit years).
pub fn iso(date: NaiveDate) -> String {
    match iso_digits(date).map(|d| String::from_utf8(d.to_vec())) {
        Some(Ok(text)) => text,
        _ => date.to_string(),
    }
}

/// Serde support for dates as strict `YYYY-MM-DD` strings.
pub mod serde_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        let digits = super::iso_digits(*date);
        match digits.as_ref().map(|d| std::str::from_utf8(d)) {
            Some(Ok(text)) => serializer.serialize_str(text),
            _ => serializer.collect_str(date),
        }
    }

    /// Reads a strict `YYYY-MM-DD`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::parse_date(&text)
            .ok_or_else(|| D::Error::custom(format!("`{text}` is not a date like 2026-01-31")))
    }

    /// The same for optional dates.
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserialize, Deserializer, Serializer, de::Error};

        /// Writes `YYYY-MM-DD` or null.
        pub fn serialize<S: Serializer>(
            date: &Option<NaiveDate>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => super::serialize(date, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads a strict `YYYY-MM-DD` or null.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<NaiveDate>, D::Error> {
            let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
            text.map(|text| {
                super::super::parse_date(&text).ok_or_else(|| {
                    D::Error::custom(format!("`{text}` is not a date like 2026-01-31"))
                })
            })
            .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn one_year_clamps_leap_day() {
        assert_eq!(add_one_year(d("2028-02-29")), d("2029-02-28"));
        assert_eq!(add_one_year(d("2027-03-31")), d("2028-03-31"));
        assert_eq!(add_one_year(d("2027-02-28")), d("2028-02-28"));
    }

    /// The fast date writer and chrono's `Display` agree on every date, signed years included.
    #[derive(serde::Serialize)]
    struct Dated {
        #[serde(with = "serde_date")]
        date: NaiveDate,
        #[serde(with = "serde_date::option")]
        maybe: Option<NaiveDate>,
    }

    proptest::proptest! {
        #[test]
        fn dates_are_written_as_chrono_displays_them(days in -4_000_000i64..4_000_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(i32::try_from(days).unwrap_or(0))
                .unwrap_or(NaiveDate::MIN);
            let written = serde_json::to_value(Dated { date, maybe: Some(date) }).unwrap();
            proptest::prop_assert_eq!(&written["date"], &serde_json::json!(date.to_string()));
            proptest::prop_assert_eq!(&written["maybe"], &written["date"]);
        }
    }

    #[test]
    fn dates_at_the_edges_of_four_digit_years() {
        for (date, text) in [
            (NaiveDate::from_ymd_opt(0, 1, 1), "0000-01-01"),
            (NaiveDate::from_ymd_opt(9999, 12, 31), "9999-12-31"),
            (NaiveDate::from_ymd_opt(10000, 1, 1), "+10000-01-01"),
            (NaiveDate::from_ymd_opt(-1, 12, 31), "-0001-12-31"),
        ] {
            let date = date.unwrap();
            let written = serde_json::to_value(Dated { date, maybe: None }).unwrap();
            assert_eq!(written, serde_json::json!({ "date": text, "maybe": null }));
        }
    }

    #[test]
    fn strict_dates_only() {
        assert!(parse_date("2026-1-01").is_none());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("+2026-02-01").is_none());
        assert!(parse_date("2026-02-01T00:00").is_none());
        assert_eq!(
            parse_date("2026-02-01"),
            NaiveDate::from_ymd_opt(2026, 2, 1)
        );
    }

    #[test]
    fn window_is_half_open() {
        let w = DateWindow {
            start: d("2026-01-01"),
            end: d("2026-01-03"),
        };
        assert!(!w.contains(d("2025-12-31")));
        assert!(w.contains(d("2026-01-01")));
        assert!(w.contains(d("2026-01-02")));
        assert!(!w.contains(d("2026-01-03")));
        assert_eq!(add_days(d("2026-01-01"), 180), d("2026-06-30"));
        assert_eq!(sub_days(d("2026-03-01"), 1), d("2026-02-28"));
    }
}
