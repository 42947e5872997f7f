//! Where the work of the batch engine runs: on the calling thread, or on
//! the current rayon pool. The only place in the corpus that calls rayon;
//! every algorithm is written once, over [`Exec`].

/// Where a batch's independent items run. Results come back in item order
/// either way, so what is computed never depends on it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Exec {
    /// One after another, on the calling thread.
    Sequential,
    /// On the current rayon pool.
    #[cfg(feature = "rayon")]
    Parallel,
}

impl Exec {
    /// Threads the items are spread over.
    pub(crate) fn threads(self) -> usize {
        match self {
            Exec::Sequential => 1,
            #[cfg(feature = "rayon")]
            Exec::Parallel => rayon::current_num_threads().max(1),
        }
    }

    /// `f` of every item, in order.
    pub(crate) fn map<T: Sync, R: Send>(self, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
        match self {
            Exec::Sequential => items.iter().map(f).collect(),
            #[cfg(feature = "rayon")]
            Exec::Parallel => {
                use rayon::prelude::*;
                items.par_iter().map(f).collect()
            }
        }
    }

    /// `f` of every index of `range`, in order.
    pub(crate) fn map_range<R: Send>(
        self,
        range: std::ops::Range<usize>,
        f: impl Fn(usize) -> R + Sync + Send,
    ) -> Vec<R> {
        match self {
            Exec::Sequential => range.map(f).collect(),
            #[cfg(feature = "rayon")]
            Exec::Parallel => {
                use rayon::prelude::*;
                range.into_par_iter().map(f).collect()
            }
        }
    }
}
