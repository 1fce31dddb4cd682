//! The one place the API reads the time (SPEC §2): rules take `today` as an argument, and the
//! HTTP layer asks an injectable [`Clock`], so tests can move the calendar.

use chrono::{DateTime, NaiveDate};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Tells the API what day it is (UTC).
pub trait Clock: Send + Sync {
    /// Today's date in UTC.
    fn today(&self) -> NaiveDate;

    /// Seconds since the Unix epoch: when stored records (idempotency keys) expire.
    fn unix_seconds(&self) -> u64;
}

fn system_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        // chrono's `clock` feature is off (core must not read clocks); std tells the seconds.
        let seconds = i64::try_from(system_seconds()).unwrap_or(i64::MAX);
        DateTime::from_timestamp(seconds, 0)
            .unwrap_or_default()
            .date_naive()
    }

    fn unix_seconds(&self) -> u64 {
        system_seconds()
    }
}

/// A clock that says what it is told: for tests and for `--today` on the local server.
#[derive(Debug)]
pub struct FixedClock(Mutex<NaiveDate>);

impl FixedClock {
    /// A clock stopped at `today`.
    pub fn new(today: NaiveDate) -> FixedClock {
        FixedClock(Mutex::new(today))
    }

    /// Moves the clock to `today`.
    pub fn set(&self, today: NaiveDate) {
        // A poisoned lock still holds a valid date: a panic elsewhere cannot corrupt a `Copy`.
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = today;
    }
}

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Midnight UTC of the day it is set to: moving it a day moves this by 86,400 seconds.
    fn unix_seconds(&self) -> u64 {
        let midnight = self.today().and_hms_opt(0, 0, 0).unwrap_or_default();
        u64::try_from(midnight.and_utc().timestamp()).unwrap_or(0)
    }
}
