//! A request rate for a token bucket: sustained count per period, and a burst.

use std::{fmt, str::FromStr, time::Duration};

/// A sustained rate and a burst, for a token bucket. `off` is no limit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Tokens added per `per`; 0 means no limit.
    pub count: u32,
    pub per: Duration,
    pub burst: u32,
}

impl Rate {
    pub const OFF: Rate = Rate {
        count: 0,
        per: Duration::from_secs(1),
        burst: 0,
    };

    pub fn is_off(&self) -> bool {
        self.count == 0
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_off() {
            return f.write_str("off");
        }
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "m",
            _ => "h",
        };
        write!(f, "{}/{unit}:{}", self.count, self.burst)
    }
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "off" || s == "0" {
            return Ok(Rate::OFF);
        }
        let bad = || format!("`{s}`: expected RATE[:BURST] such as 10/s:100, 30/h, or off");
        let (rate, burst) = match s.split_once(':') {
            Some((r, b)) => (r, Some(b.parse::<u32>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let (count, unit) = rate.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.parse().map_err(|_| bad())?;
        let per = match unit {
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        if count == 0 {
            return Ok(Rate::OFF);
        }
        let burst = burst.unwrap_or(count).max(1);
        Ok(Rate { count, per, burst })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_with_and_without_burst() {
        let r: Rate = "10/s:100".parse().unwrap();
        assert_eq!((r.count, r.per.as_secs(), r.burst), (10, 1, 100));
        let r: Rate = "30/h".parse().unwrap();
        assert_eq!((r.count, r.per.as_secs(), r.burst), (30, 3600, 30));
        assert!("off".parse::<Rate>().unwrap().is_off());
        assert!("0".parse::<Rate>().unwrap().is_off());
        for bad in ["10", "10/d", "x/s", "10/s:y", ""] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
        assert_eq!(format!("{:?}", "5/m:9".parse::<Rate>().unwrap()), "5/m:9");
    }
}
