//! RFC 3339 dates without a date library: the civil-calendar arithmetic of Howard Hinnant's `days_from_civil` /
//! `civil_from_days` (public domain), which is exact for the proleptic Gregorian calendar. Kept here because a date
//! crate cost the wasm module over 30 KB for the three conversions carehook needs.

/// A moment: Unix seconds plus the fractional-second digits as sent (kept exactly, e.g. `123456`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub unix: i64,
    pub fraction: String,
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Years 0000-9999 only: what RFC 3339 can write.
const MIN_UNIX: i64 = -62_167_219_200;
const MAX_UNIX: i64 = 253_402_300_799;

/// `YYYY-MM-DDTHH:MM:SS[.frac]Z`; `None` outside years 0000-9999.
pub fn format(m: &Moment) -> Option<String> {
    if !(MIN_UNIX..=MAX_UNIX).contains(&m.unix) {
        return None;
    }
    let (days, secs) = (m.unix.div_euclid(86_400), m.unix.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    // Written digit by digit (this runs for every event; the formatting machinery costs more than the date).
    let mut out = String::with_capacity(21 + m.fraction.len());
    let two = |out: &mut String, n: i64, sep: char| {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
        out.push(sep);
    };
    two(&mut out, y / 100, '\0');
    out.pop();
    two(&mut out, y % 100, '-');
    two(&mut out, mo, '-');
    two(&mut out, d, 'T');
    two(&mut out, secs / 3600, ':');
    two(&mut out, secs % 3600 / 60, ':');
    two(&mut out, secs % 60, '.');
    if m.fraction.is_empty() {
        out.pop();
    } else {
        out.push_str(&m.fraction);
    }
    out.push('Z');
    Some(out)
}

/// RFC 3339 for a Unix time; the epoch for times no RFC 3339 date can write.
pub fn rfc3339(unix: i64) -> String {
    format(&Moment { unix, fraction: String::new() }).unwrap_or_else(|| String::from("1970-01-01T00:00:00Z"))
}

fn digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac]` followed by `Z`, `±HH:MM`, or nothing (then read at `default_offset_minutes`).
/// `zone_required` refuses the zone-less form (strict RFC 3339).
pub fn parse(text: &str, default_offset_minutes: i32, zone_required: bool) -> Option<Moment> {
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    let sep = rest.bytes().next()?;
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let time = rest.get(1..9)?;
    let mut tail = rest.get(9..)?;
    let (y, mo, d) = (digits(date.get(..4)?, 4)?, digits(date.get(5..7)?, 2)?, digits(date.get(8..10)?, 2)?);
    let (h, mi, s) = (digits(time.get(..2)?, 2)?, digits(time.get(3..5)?, 2)?, digits(time.get(6..8)?, 2)?);
    let punct_ok = date.get(4..5)? == "-" && date.get(7..8)? == "-" && time.get(2..3)? == ":" && time.get(5..6)? == ":";
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    };
    if !punct_ok || d < 1 || d > days_in_month || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut fraction = String::new();
    if let Some(f) = tail.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        fraction = f.get(..n)?.to_owned();
        tail = f.get(n..)?;
    }
    let offset_minutes = match tail {
        "Z" | "z" => 0,
        "" if !zone_required => i64::from(default_offset_minutes),
        _ => {
            let sign = match tail.bytes().next()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if tail.len() != 6 || tail.get(3..4)? != ":" {
                return None;
            }
            let (oh, om) = (digits(tail.get(1..3)?, 2)?, digits(tail.get(4..6)?, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
    };
    let unix = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s.min(59) - offset_minutes * 60;
    Some(Moment { unix, fraction })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_arithmetic_round_trips_across_eras() {
        for days in [-719_468 * 2, -1, 0, 1, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn unix_times_format_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_763_799_983), "2025-11-22T08:26:23Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(MAX_UNIX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MAX), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MIN), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn timestamps_parse_with_and_without_zones() {
        let utc = |t: &str, off, req| parse(t, off, req).and_then(|m| format(&m));
        assert_eq!(utc("2026-03-29T10:45:00.123456", 0, false).as_deref(), Some("2026-03-29T10:45:00.123456Z"));
        assert_eq!(utc("2026-03-29T14:00:00", 480, false).as_deref(), Some("2026-03-29T06:00:00Z"));
        assert_eq!(utc("2026-03-29T14:00:00+02:00", 0, false).as_deref(), Some("2026-03-29T12:00:00Z"));
        assert_eq!(utc("2026-03-29T00:30:00-01:00", 0, true).as_deref(), Some("2026-03-29T01:30:00Z"));
        assert_eq!(utc("2026-11-22T08:00:00.000Z", 0, true).as_deref(), Some("2026-11-22T08:00:00.000Z"));
        assert_eq!(utc("2026-11-22t08:00:00.000z", 0, true).as_deref(), Some("2026-11-22T08:00:00.000Z"));
        for bad in [
            "",
            "2026-03-29",
            "2026-02-30T00:00:00Z",
            "2026-03-29T24:00:00Z",
            "2026-03-29T10:45:00.Z",
            "2026-03-29T10:45:00+2:00",
            "2026/03/29T10:45:00Z",
            "２026-03-29T10:45:00Z",
            "2026-03-29T10:45:00X",
        ] {
            assert_eq!(parse(bad, 0, false), None, "{bad}");
        }
        assert_eq!(parse("2026-03-29T14:00:00", 0, true), None);
    }
}
