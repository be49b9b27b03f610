//! Formatting for people: dates and counts as a US school reads them.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2026-08-31` → `Aug 31, 2026`; anything unreadable is shown as it is.
pub fn day(text: &str) -> String {
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return text.to_string();
    };
    let month = month
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (month, day.parse::<u32>()) {
        (Some(month), Ok(day)) => format!("{month} {day}, {year}"),
        _ => text.to_string(),
    }
}

/// `3000` → `3,000`.
pub fn count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        grouped.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A grade number as schools write it: -1 → `PK`, 0 → `K`, 9 → `9`.
pub fn grade(value: i64) -> String {
    match value {
        -1 => "PK".to_string(),
        0 => "K".to_string(),
        other => other.to_string(),
    }
}

/// One field of a CSV line, quoted when needed; a leading `=`, `+`, `-` or
/// `@` is neutralised so a spreadsheet never runs it as a formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Fields joined as one CSV line, ended by CRLF.
pub fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_like_a_calendar() {
        assert_eq!(day("2026-08-31"), "Aug 31, 2026");
        assert_eq!(day("2027-01-05"), "Jan 5, 2027");
        assert_eq!(day("2027-13-05"), "2027-13-05");
        assert_eq!(day("soon"), "soon");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(3000), "3,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-4500), "-4,500");
    }

    #[test]
    fn grades_read_as_schools_write_them() {
        assert_eq!(grade(-1), "PK");
        assert_eq!(grade(0), "K");
        assert_eq!(grade(12), "12");
    }
}
