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

/// `f(index, item)` for every item, on up to every core, in the order of `items`. The costliest
/// items start first and a core takes the next one when it is done: the files of an export
/// are a few large ones beside many small ones. Below `min_total` in all, this thread does all.
pub fn map_by_cost<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> u64,
    min_total: u64,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let costs: Vec<u64> = items.iter().map(cost).collect();
    let threads = cores().min(items.len());
    if threads <= 1 || costs.iter().sum::<u64>() < min_total {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(costs[i]));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, order, next) = (&f, &order, &next);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((i, item)) = order.get(k).and_then(|&i| Some((i, items.get(i)?)))
                        else {
                            break;
                        };
                        out.push((i, f(i, item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    // Back to the order of `items`, whichever core finished first.
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
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

    #[test]
    fn by_cost_keeps_order_and_runs_every_item_once() {
        for n in [0, 1, 2, 5, 33] {
            let items: Vec<u64> = (0..n).map(|i| (i * 7919) % 13).collect();
            let runs = std::sync::atomic::AtomicUsize::new(0);
            // A min_total of 0 uses every core; u64::MAX runs on this thread.
            for min_total in [0, u64::MAX] {
                let got = super::map_by_cost(
                    &items,
                    |c| *c,
                    min_total,
                    |i, c| {
                        runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        (i, c * 2)
                    },
                );
                let want: Vec<(usize, u64)> = items.iter().map(|c| c * 2).enumerate().collect();
                assert_eq!(got, want, "{n} items, min_total {min_total}");
            }
            assert_eq!(runs.into_inner(), 2 * items.len());
        }
    }
}
