use rustdecimal::Decimal;

pub fn total_cents(cents: i64) -> f64 {
    Decimal::new(cents, 2).to_f64()
}

#[cfg(test)]
mod tests {
    #[test]
    fn totals() {
        assert_eq!(super::total_cents(1234), 12.34);
    }
}
