//! Time, passed in. Logic that depends on time (token renewal, lockouts, the dial guard) takes a
//! clock so tests can move time exactly instead of sleeping.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync + 'static {
    /// Monotonic time, for durations.
    fn now(&self) -> Instant;
    /// Wall-clock seconds since the Unix epoch, for dates a server sends (lockout ends).
    fn unix_now(&self) -> i64;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn unix_now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }
}

/// A clock that moves only when told to; for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<(Instant, i64)>>);

impl ManualClock {
    pub fn new(unix_now: i64) -> Self {
        ManualClock(Arc::new(Mutex::new((Instant::now(), unix_now))))
    }

    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        t.0 += d;
        t.1 += d.as_secs() as i64;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    fn unix_now(&self) -> i64 {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).1
    }
}

/// India Standard Time is UTC+05:30, all year.
const IST_OFFSET_SECS: i64 = 5 * 3600 + 30 * 60;

/// Reads a `YYYY-MM-DD HH:MM:SS` date in IST (the platform's `retry_after`) as Unix seconds.
pub fn parse_ist(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once([' ', 'T'])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    // Bounded so the arithmetic below cannot overflow on a hostile year.
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || hh > 23
        || mm > 59
        || ss > 60
    {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60 + ss - IST_OFFSET_SECS)
}

/// Formats Unix seconds as a `YYYY-MM-DD HH:MM:SS` date in IST.
pub fn format_ist(unix: i64) -> String {
    let local = unix + IST_OFFSET_SECS;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ist_round_trip() {
        // 2026-11-26 18:00:00 UTC is 23:30 IST.
        let unix = 1_795_716_000;
        assert_eq!(format_ist(unix), "2026-11-26 23:30:00");
        assert_eq!(parse_ist("2026-11-26 23:30:00"), Some(unix));
        assert_eq!(parse_ist("1970-01-01 05:30:00"), Some(0));
        assert_eq!(
            parse_ist("2024-02-29 00:00:00").map(format_ist).as_deref(),
            Some("2024-02-29 00:00:00")
        );
        for bad in [
            "",
            "soon",
            "2026-13-01 00:00:00",
            "2026-11-26",
            "2026-11-26 25:00:00",
        ] {
            assert_eq!(parse_ist(bad), None, "{bad}");
        }
    }

    #[test]
    fn manual_clock_moves_both_clocks() {
        let c = ManualClock::new(1000);
        let t0 = c.now();
        c.advance(Duration::from_secs(90));
        assert_eq!(c.now() - t0, Duration::from_secs(90));
        assert_eq!(c.unix_now(), 1090);
    }
}
