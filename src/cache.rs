//! Hints to the processor's cache, for lookups into tables of ten million
//! rows where most of the time is spent waiting for memory.

/// Asks the processor to start loading `values[index]` into its cache.
/// Only a hint: it never faults and changes no result.
#[inline(always)]
pub fn prefetch<T>(values: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(value) = values.get(index) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch does not access memory architecturally, and
        // the pointer comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, index);
}
