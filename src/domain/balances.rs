//! Open balances of millions of documents, kept exactly in 8 bytes each
//! (half a `Decimal`): `age` folds a hundred million payments into them.

use rust_decimal::Decimal;
use std::collections::HashMap;

/// One amount per document, by index. Each is kept as it was given,
/// scale and sign included: a value whose mantissa is below 2^58 in
/// magnitude (any amount below 2.8·10^15 with two decimals) is packed with
/// its scale into one `i64`; any other, and a negative zero, waits in `wide`.
#[derive(Debug, Default)]
pub struct Balances {
    packed: Vec<i64>,
    /// By index, the values `packed` holds [`WIDE`] for.
    wide: HashMap<u32, Decimal>,
}

/// A packed value's low bits: its scale (a `Decimal` has at most 28).
const SCALE_BITS: u32 = 5;
const SCALE_MASK: i64 = (1 << SCALE_BITS) - 1;
/// The scale field of a value kept in `Balances::wide`.
const WIDE: i64 = SCALE_MASK;
/// Packed mantissas lie in `-MANTISSA_LIMIT..MANTISSA_LIMIT` (59 bits, sign included).
const MANTISSA_LIMIT: i128 = 1 << (63 - SCALE_BITS);

/// `value` in one `i64`, if it fits (see [`Balances`]).
fn pack(value: Decimal) -> Option<i64> {
    let mantissa = value.mantissa();
    let negative_zero = value.is_zero() && value.is_sign_negative();
    let fits = (-MANTISSA_LIMIT..MANTISSA_LIMIT).contains(&mantissa) && !negative_zero;
    fits.then(|| ((mantissa as i64) << SCALE_BITS) | i64::from(value.scale()))
}

fn unpack(packed: i64) -> Decimal {
    Decimal::from_i128_with_scale(i128::from(packed >> SCALE_BITS), (packed & SCALE_MASK) as u32)
}

impl Balances {
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    pub fn get(&self, index: usize) -> Decimal {
        match self.packed[index] {
            packed if packed & SCALE_MASK == WIDE => self.wide[&(index as u32)],
            packed => unpack(packed),
        }
    }

    pub fn set(&mut self, index: usize, value: Decimal) {
        let was_wide = self.packed[index] & SCALE_MASK == WIDE;
        match pack(value) {
            Some(packed) => {
                self.packed[index] = packed;
                if was_wide {
                    self.wide.remove(&(index as u32));
                }
            }
            None => {
                self.packed[index] = WIDE;
                self.wide.insert(index as u32, value);
            }
        }
    }

    pub fn push(&mut self, value: Decimal) {
        self.packed.push(0);
        self.set(self.packed.len() - 1, value);
    }

    /// Keeps the values whose `keep` is true, in order, in place.
    pub fn retain_kept(&mut self, keep: &[bool]) {
        let mut wide = HashMap::new();
        let mut kept = 0;
        for index in (0..self.packed.len()).filter(|&index| keep[index]) {
            let packed = self.packed[index];
            if packed & SCALE_MASK == WIDE {
                wide.insert(kept as u32, self.wide[&(index as u32)]);
            }
            self.packed[kept] = packed;
            kept += 1;
        }
        self.packed.truncate(kept);
        self.wide = wide;
    }
}

impl FromIterator<Decimal> for Balances {
    fn from_iter<I: IntoIterator<Item = Decimal>>(values: I) -> Balances {
        let values = values.into_iter();
        let mut balances =
            Balances { packed: Vec::with_capacity(values.size_hint().0), wide: HashMap::new() };
        for value in values {
            balances.push(value);
        }
        balances
    }
}

/// Each document's open amount, by index: what aging reads.
pub trait OpenAmounts: Sync {
    fn open(&self, index: usize) -> Decimal;
}

impl OpenAmounts for Balances {
    fn open(&self, index: usize) -> Decimal {
        self.get(index)
    }
}

impl OpenAmounts for [Decimal] {
    fn open(&self, index: usize) -> Decimal {
        self[index]
    }
}

impl OpenAmounts for Vec<Decimal> {
    fn open(&self, index: usize) -> Decimal {
        self[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Every value comes back with the same 16 bytes: value, scale and sign.
    fn assert_round_trip(values: &[Decimal]) {
        let balances: Balances = values.iter().copied().collect();
        for (index, value) in values.iter().enumerate() {
            assert_eq!(balances.get(index).serialize(), value.serialize(), "{value}");
        }
    }

    #[test]
    fn amounts_come_back_exactly_packed_or_wide() {
        let d = |text: &str| Decimal::from_str(text).unwrap();
        let values = [
            d("0"),
            d("0.00"),
            -d("0.00"),   // a negative zero keeps its sign (wide)
            d("1234.50"), // the trailing zero is kept
            d("-5600.49"),
            d("2882303761517117.43"),     // 2^58 - 1 hundredths: the largest packed
            d("2882303761517117.44"),     // 2^58 hundredths: wide
            d("-2882303761517117.44"),    // -2^58: the smallest packed
            d("999999999999999999.9999"), // an amount at cobro's limit, 4 decimals: wide
            d("0.0000000000000000000000000001"), // scale 28
        ];
        assert_round_trip(&values);
        let balances: Balances = values.iter().copied().collect();
        let mut wide: Vec<String> = balances.wide.values().map(|v| v.to_string()).collect();
        wide.sort();
        assert_eq!(wide, ["-0.00", "2882303761517117.44", "999999999999999999.9999"]);
    }

    #[test]
    fn a_value_can_move_between_packed_and_wide() {
        let big = Decimal::from_str("999999999999999999.99").unwrap();
        let mut balances: Balances = [Decimal::ONE, Decimal::TWO].into_iter().collect();
        balances.set(1, big);
        assert_eq!((balances.get(0), balances.get(1), balances.wide.len()), (Decimal::ONE, big, 1));
        balances.set(1, Decimal::TEN);
        assert_eq!((balances.get(1), balances.wide.len()), (Decimal::TEN, 0));
    }

    #[test]
    fn retain_keeps_wide_values_at_their_new_places() {
        let big = Decimal::from_str("-999999999999999999.99").unwrap();
        let mut balances: Balances = [Decimal::ONE, big, Decimal::TWO, big].into_iter().collect();
        balances.retain_kept(&[false, true, true, false]);
        assert_eq!((balances.len(), balances.get(0), balances.get(1)), (2, big, Decimal::TWO));
        assert_eq!(balances.wide.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_comes_back_exactly(
            lo: u32, mid: u32, hi in proptest::prop_oneof![0u32..2, proptest::num::u32::ANY], negative: bool, scale in 0u32..=28,
        ) {
            assert_round_trip(&[Decimal::from_parts(lo, mid, hi, negative, scale)]);
        }
    }
}
