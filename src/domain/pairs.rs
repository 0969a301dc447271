//! The (customer, currency) pairs of a ledger: the unit every per-customer
//! figure is computed for (delinquency episodes, segments, dunning
//! notices). One index, built once per run and shared.

use super::ledger::{Invoice, Ledger};

/// A ledger's (customer handle, currency handle) pairs, sorted, each with
/// its position. A document's pair is found without a search: the pairs of
/// one customer are side by side, and `starts` gives where they begin.
pub struct Pairs {
    pairs: Vec<(u32, u32)>,
    /// By customer handle: the position of its first pair (one more entry
    /// than there are customers, so a customer's pairs end where the next
    /// customer's begin).
    starts: Vec<u32>,
}

impl Pairs {
    pub fn new(ledger: &Ledger) -> Pairs {
        // Inserted one by one: `collect` would size the set for every
        // document (150 MB at 10M) rather than for the pairs.
        let mut unique = hashbrown::HashSet::new();
        for invoice in &ledger.invoices {
            unique.insert((invoice.customer, invoice.currency));
        }
        let mut pairs: Vec<(u32, u32)> = unique.into_iter().collect();
        pairs.sort_unstable();
        let customers = ledger.customers.len();
        let mut starts = vec![0u32; customers + 1];
        for &(customer, _) in &pairs {
            starts[customer as usize + 1] += 1;
        }
        for c in 0..customers {
            starts[c + 1] += starts[c];
        }
        Pairs { pairs, starts }
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// The (customer, currency) handles of each pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.pairs.iter().copied()
    }

    /// The position of `invoice`'s pair.
    pub fn of(&self, invoice: &Invoice) -> usize {
        let customer = invoice.customer as usize;
        let (start, end) = (self.starts[customer] as usize, self.starts[customer + 1] as usize);
        let currencies = &self.pairs[start..end];
        // A customer has one currency or a few: a scan beats a search.
        start + currencies.iter().position(|&(_, currency)| currency == invoice.currency).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::ledger;

    /// Documents of customers C0..C4 (handles 1-5, in order of appearance)
    /// in EUR (1) and USD (2): C0 has both, C1 twice USD.
    #[test]
    fn each_document_finds_its_pair() {
        let currencies = [1, 2, 1, 1, 2, 2, 2]; // document i is customer C(i % 5)
        let docs: Vec<_> = currencies.iter().map(|&c| (c, None, 10, 100)).collect();
        let ledger = ledger(&docs, &vec![]);
        let pairs = Pairs::new(&ledger);
        assert_eq!(pairs.iter().collect::<Vec<_>>(), [(1, 1), (1, 2), (2, 2), (3, 1), (4, 1), (5, 2)]);
        let found: Vec<usize> = ledger.invoices.iter().map(|i| pairs.of(i)).collect();
        assert_eq!(found, [0, 2, 3, 4, 5, 1, 2]);
    }
}
