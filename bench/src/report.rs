use hdrhistogram::Histogram;
use serde_json::{json, Value};

pub struct Report {
    pub scenario: String,
    pub params: Value,
    pub seconds: f64,
    pub sent: u64,
    pub delivered: u64,
    pub ack: Histogram<u64>,
    pub e2e: Histogram<u64>,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub errors: u64,
    /// The server's CPU seconds during the run (`--server-pid`).
    pub server_cpu_s: Option<f64>,
}

fn pct(h: &Histogram<u64>) -> Value {
    let ms = |v: u64| v as f64 / 1000.0;
    json!({
        "p50_ms": ms(h.value_at_quantile(0.50)),
        "p90_ms": ms(h.value_at_quantile(0.90)),
        "p99_ms": ms(h.value_at_quantile(0.99)),
        "p999_ms": ms(h.value_at_quantile(0.999)),
        "max_ms": ms(h.max()),
        "count": h.len(),
    })
}

impl Report {
    pub fn json(&self) -> Value {
        json!({
            "scenario": self.scenario,
            "params": self.params,
            "seconds": self.seconds,
            "sent": self.sent,
            "sends_per_sec": self.sent as f64 / self.seconds,
            "delivered": self.delivered,
            "deliveries_per_sec": self.delivered as f64 / self.seconds,
            "send_to_ack": pct(&self.ack),
            "send_to_receive": pct(&self.e2e),
            "lost": self.lost,
            "duplicated": self.duplicated,
            "out_of_order": self.out_of_order,
            "errors": self.errors,
            "server_cpu_s": self.server_cpu_s,
            "server_cpu_us_per_send": self.server_cpu_s.map(|c| c * 1e6 / self.sent.max(1) as f64),
            "server_cpu_us_per_delivery": self.server_cpu_s.map(|c| c * 1e6 / self.delivered.max(1) as f64),
        })
    }

    pub fn table(&self) -> String {
        let row = |name: &str, h: &Histogram<u64>| {
            let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
            format!(
                "{name:<16} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}\n",
                ms(0.5),
                ms(0.9),
                ms(0.99),
                ms(0.999),
                h.max() as f64 / 1000.0
            )
        };
        let mut t = format!("scenario {}  {}\n", self.scenario, self.params);
        t += &format!(
            "{:.2} s: {} sent ({:.0}/s), {} delivered ({:.0}/s), lost {}, duplicated {}, out of order {}, errors {}\n",
            self.seconds,
            self.sent,
            self.sent as f64 / self.seconds,
            self.delivered,
            self.delivered as f64 / self.seconds,
            self.lost,
            self.duplicated,
            self.out_of_order,
            self.errors
        );
        if let Some(c) = self.server_cpu_s {
            t += &format!(
                "server CPU {c:.2} s: {:.1} us per send, {:.2} us per delivery\n",
                c * 1e6 / self.sent.max(1) as f64,
                c * 1e6 / self.delivered.max(1) as f64
            );
        }
        t += &format!(
            "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
            "latency (ms)", "p50", "p90", "p99", "p99.9", "max"
        );
        t += &row("send -> ack", &self.ack);
        t += &row("send -> receive", &self.e2e);
        t
    }
}
