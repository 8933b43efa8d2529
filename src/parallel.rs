//! Work split over the machine's cores, results kept in input order: a large site checks
//! hundreds of thousands of (rule, target) pairs and decodes thousands of task sequences, each
//! independent of the others.

/// `f` applied to every item, on up to every core, in the order of `items`. Fewer than
/// `min_per_thread` items per core run on this thread alone (a thread costs more than they do).
pub fn map_in_order<T: Send, R: Send>(
    mut items: Vec<T>,
    min_per_thread: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let threads = cores().min(items.len() / min_per_thread.max(1)).max(1);
    if threads == 1 {
        return items.into_iter().map(f).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut parts = Vec::with_capacity(threads);
    while items.len() > per {
        let tail = items.split_off(items.len() - per);
        parts.push(tail);
    }
    parts.push(items);
    parts.reverse();
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The cores this process may use, asked once: on Linux the answer reads the cgroup's CPU
/// quota from files, which costs more than a small rule's checks.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_is_kept_at_every_size() {
        for n in [0, 1, 2, 3, 7, 100, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let got = super::map_in_order(items, 1, |i| i * 2);
            assert_eq!(got, (0..n).map(|i| i * 2).collect::<Vec<_>>(), "{n}");
        }
    }
}
