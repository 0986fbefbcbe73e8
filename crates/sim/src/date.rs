//! The platform's dates: `YYYY-MM-DD HH:MM:SS` in India Standard Time.
//!
//! Written apart from the client's own date code (`clickdial_core::clock`), and by a different
//! method (counting years and months instead of a closed formula), so that a bug there shows up
//! as a disagreement with the simulator instead of being repeated by it.

use std::time::{SystemTime, UNIX_EPOCH};

/// India Standard Time is UTC+05:30, all year (no daylight saving).
const IST_OFFSET: i64 = 5 * 3600 + 30 * 60;
const DAY: i64 = 86_400;
/// The Gregorian calendar repeats every 400 years, which are this many days.
const DAYS_PER_400_YEARS: i64 = 146_097;

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_year(year: i64) -> i64 {
    if is_leap(year) {
        366
    } else {
        365
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The date `days` days after 1970-01-01 (before it when negative).
fn date_of(days: i64) -> (i64, i64, i64) {
    // Whole 400-year cycles first, so that the walk below is at most 400 years long.
    let cycles = days.div_euclid(DAYS_PER_400_YEARS);
    let mut days = days.rem_euclid(DAYS_PER_400_YEARS);
    let mut year = 1970 + 400 * cycles;
    while days >= days_in_year(year) {
        days -= days_in_year(year);
        year += 1;
    }
    let mut month = 1;
    while days >= days_in_month(year, month) {
        days -= days_in_month(year, month);
        month += 1;
    }
    (year, month, days + 1)
}

/// Days from 1970-01-01 to the date (negative before it). Only for a valid date.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let years: i64 = if year >= 1970 {
        (1970..year).map(days_in_year).sum()
    } else {
        -(year..1970).map(days_in_year).sum::<i64>()
    };
    let months: i64 = (1..month).map(|m| days_in_month(year, m)).sum();
    years + months + day - 1
}

/// Unix seconds of a wall-clock time; 0 before the epoch.
pub(crate) fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` in IST.
pub(crate) fn format_ist(unix: i64) -> String {
    let local = unix + IST_OFFSET;
    let (year, month, day) = date_of(local.div_euclid(DAY));
    let secs = local.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Reads exactly `YYYY-MM-DD HH:MM:SS` in IST, a real date and time, as Unix seconds.
pub(crate) fn parse_ist(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b' ',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let num = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'))
    };
    let (year, month, day) = (num(0, 4), num(5, 7), num(8, 10));
    let (hour, minute, second) = (num(11, 13), num(14, 16), num(17, 19));
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let local = days_since_epoch(year, month, day) * DAY + hour * 3600 + minute * 60 + second;
    Some(local - IST_OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_and_parse() {
        // Checked with GNU date: `TZ=IST-5:30 date -d @SECONDS '+%F %T'` (a fixed +05:30;
        // `Asia/Kolkata` has other offsets before 1945).
        let known: &[(i64, &str)] = &[
            (0, "1970-01-01 05:30:00"),
            (-19_800, "1970-01-01 00:00:00"),
            (-19_801, "1969-12-31 23:59:59"),
            // 2026-12-07 12:00:00 UTC.
            (1_796_644_800, "2026-12-07 17:30:00"),
            // A leap day, and the IST midnight that starts it (18:30 UTC the day before).
            (1_709_164_800, "2024-02-29 05:30:00"),
            (1_709_145_000, "2024-02-29 00:00:00"),
            // 2000 is a leap year (divisible by 400), 2100 is not (by 100).
            (951_827_696, "2000-02-29 18:04:56"),
            (4_107_522_600, "2100-03-01 00:00:00"),
            // New Year in India, still 31 December in UTC.
            (1_767_205_800, "2026-01-01 00:00:00"),
            (2_147_483_648, "2038-01-19 08:44:08"),
            // 1900 is not a leap year, 2400 is; the last second of four digits.
            (-2_203_891_200, "1900-03-01 05:30:00"),
            (13_574_584_800, "2400-02-29 11:30:00"),
            (253_402_280_999, "9999-12-31 23:59:59"),
        ];
        for &(unix, ist) in known {
            assert_eq!(format_ist(unix), ist, "{unix}");
            assert_eq!(parse_ist(ist), Some(unix), "{ist}");
        }
    }

    #[test]
    fn every_day_round_trips_and_follows_the_one_before() {
        // Noon IST each day from 1960 to 2110: no date twice or skipped.
        let first = parse_ist("1960-01-01 12:00:00").unwrap();
        let mut previous = format_ist(first);
        for day in 1..(150 * 365) {
            let unix = first + day * DAY;
            let text = format_ist(unix);
            assert_eq!(parse_ist(&text), Some(unix), "{text}");
            assert!(text > previous, "{text} after {previous}");
            assert!(text.ends_with(" 12:00:00"), "{text}");
            previous = text;
        }
    }

    #[test]
    fn only_the_platform_format_with_a_real_date_is_read() {
        for bad in [
            "",
            "soon",
            "2026-11-26",
            "2026-11-26 23:30",
            "2026-11-26T23:30:00",
            "2026-11-26 23:30:00Z",
            " 2026-11-26 23:30:00",
            "2026-1-26 23:30:00",
            "2026-13-01 00:00:00",
            "2026-00-10 00:00:00",
            "2026-11-00 00:00:00",
            "2026-11-31 00:00:00",
            "2026-02-29 00:00:00",
            "2100-02-29 00:00:00",
            "2026-11-26 24:00:00",
            "2026-11-26 23:60:00",
            "2026-11-26 23:59:60",
            "2026-11-26 +3:30:00",
            "２026-11-26 23:30:00",
        ] {
            assert_eq!(parse_ist(bad), None, "{bad:?}");
        }
        assert!(parse_ist("2000-02-29 00:00:00").is_some());
        assert!(parse_ist("2026-12-31 23:59:59").is_some());
    }

    #[test]
    fn wall_clock_times_before_the_epoch_count_as_zero() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_796_644_800);
        assert_eq!(unix(t), 1_796_644_800);
        assert_eq!(unix(UNIX_EPOCH - std::time::Duration::from_secs(5)), 0);
    }
}
