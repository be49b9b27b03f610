//! The one way Tether reads and writes time (see migrations/README.md):
//! instants are Unix seconds (UTC) in INTEGER columns, calendar days are
//! `YYYY-MM-DD` text, which sorts and compares correctly in SQL.

use time::{format_description::FormatItem, macros::format_description, Date, OffsetDateTime};

const DAY: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Now, as stored in `*_at` columns.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Today's date (UTC), as stored in `*_on` columns.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

pub fn day_to_string(day: Date) -> String {
    day.format(DAY)
        .expect("a date always formats as YYYY-MM-DD")
}

pub fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, DAY).ok()
}

/// An instant as `YYYY-MM-DD HH:MM` (UTC), for logs people read.
pub fn minute_to_string(at: i64) -> String {
    const MINUTE: &[FormatItem<'static>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]");
    OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|instant| instant.format(MINUTE).ok())
        .unwrap_or_else(|| at.to_string())
}

/// The instant at which a day starts (UTC midnight), as Unix seconds.
pub fn start_of_day(day: Date) -> i64 {
    day.midnight().assume_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_sort_as_text() {
        let day = parse_day("2026-09-07").unwrap();
        assert_eq!(day_to_string(day), "2026-09-07");
        assert!("2026-09-07" < "2026-10-01");
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(start_of_day(parse_day("1970-01-02").unwrap()), 86_400);
    }
}
