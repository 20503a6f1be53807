//! Publication times as pages, feeds and archives write them.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

/// A publication time as pages, feeds and archives write it: RFC 3339, RFC 2822, ISO 8601
/// without seconds or with a `+hhmm` offset, a naive date-time (taken as UTC) or a bare date
/// (midnight UTC).
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let utc = FixedOffset::east_opt(0)?;
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%z"))
        .ok()
        .or_else(|| {
            let s = s.trim_end_matches('Z');
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
            .or_else(|| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
            .map(|n| n.and_utc().with_timezone(&utc))
        })
}
