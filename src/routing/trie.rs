//! Prefix tries for subscriptions.
//!
//! [`SubscriptionTrie`] counts subscriptions per prefix (SUB/XSUB filter
//! incoming messages with it); [`PipeTrie`] maps prefixes to the pipes that
//! subscribed (XPUB matches outgoing messages with it). Matching walks the
//! message once, so cost grows with the topic length, not the number of
//! subscriptions.

use crate::pipe::PipeId;

#[derive(Debug, Default)]
struct Node<V> {
    value: V,
    /// Sorted by byte.
    children: Vec<(u8, Node<V>)>,
}

impl<V: Default> Node<V> {
    fn child(&self, b: u8) -> Option<&Node<V>> {
        self.children
            .binary_search_by_key(&b, |(k, _)| *k)
            .ok()
            .map(|i| &self.children[i].1)
    }

    fn child_mut_or_insert(&mut self, b: u8) -> &mut Node<V> {
        let i = match self.children.binary_search_by_key(&b, |(k, _)| *k) {
            Ok(i) => i,
            Err(i) => {
                self.children.insert(i, (b, Node::default()));
                i
            }
        };
        &mut self.children[i].1
    }

    fn find_mut(&mut self, key: &[u8]) -> Option<&mut Node<V>> {
        let mut n = self;
        for &b in key {
            let i = n.children.binary_search_by_key(&b, |(k, _)| *k).ok()?;
            n = &mut n.children[i].1;
        }
        Some(n)
    }

    /// Drops empty branches under the path of `key`.
    fn prune(&mut self, key: &[u8], is_empty: &impl Fn(&V) -> bool) {
        if let Some((&b, rest)) = key.split_first() {
            if let Ok(i) = self.children.binary_search_by_key(&b, |(k, _)| *k) {
                let child = &mut self.children[i].1;
                child.prune(rest, is_empty);
                if child.children.is_empty() && is_empty(&child.value) {
                    self.children.remove(i);
                }
            }
        }
    }

    fn walk(&self, prefix: &mut Vec<u8>, f: &mut impl FnMut(&[u8], &V)) {
        f(prefix, &self.value);
        for (b, c) in &self.children {
            prefix.push(*b);
            c.walk(prefix, f);
            prefix.pop();
        }
    }
}

/// Counted prefixes.
#[derive(Debug, Default)]
pub struct SubscriptionTrie {
    root: Node<u32>,
    prefixes: usize,
    /// Every subscription, repeats included.
    subscriptions: usize,
}

impl SubscriptionTrie {
    /// Adds a subscription; true if the prefix is new.
    pub fn add(&mut self, prefix: &[u8]) -> bool {
        let mut n = &mut self.root;
        for &b in prefix {
            n = n.child_mut_or_insert(b);
        }
        n.value += 1;
        self.subscriptions += 1;
        if n.value == 1 {
            self.prefixes += 1;
        }
        n.value == 1
    }

    /// Removes one subscription; true if the prefix is now gone. False if
    /// it was not there.
    pub fn rm(&mut self, prefix: &[u8]) -> bool {
        let Some(n) = self.root.find_mut(prefix) else {
            return false;
        };
        if n.value == 0 {
            return false;
        }
        n.value -= 1;
        self.subscriptions -= 1;
        if n.value > 0 {
            return false;
        }
        self.prefixes -= 1;
        self.root.prune(prefix, &|v| *v == 0);
        true
    }

    /// Whether some subscription is a prefix of `data`.
    pub fn check(&self, data: &[u8]) -> bool {
        let mut n = &self.root;
        if n.value > 0 {
            return true;
        }
        for &b in data {
            match n.child(b) {
                Some(c) => n = c,
                None => return false,
            }
            if n.value > 0 {
                return true;
            }
        }
        false
    }

    /// Every subscribed prefix (once each).
    pub fn prefixes(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.root.walk(&mut Vec::new(), &mut |p, v| {
            if *v > 0 {
                out.push(p.to_vec());
            }
        });
        out
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub fn num_prefixes(&self) -> usize {
        self.prefixes
    }

    /// Every subscription, a prefix subscribed twice counting twice:
    /// libzmq's `radix_tree_t::size`, which (X)SUB's `ZMQ_TOPICS_COUNT`
    /// reports in a draft build (the radix tree comes with the drafts).
    pub fn subscriptions(&self) -> usize {
        self.subscriptions
    }
}

/// Prefixes mapped to the pipes subscribed to them.
#[derive(Debug, Default)]
pub struct PipeTrie {
    root: Node<Vec<PipeId>>,
    prefixes: usize,
}

impl PipeTrie {
    /// Subscribes a pipe; true if the prefix had no subscriber before.
    pub fn add(&mut self, prefix: &[u8], pipe: PipeId) -> bool {
        let mut n = &mut self.root;
        for &b in prefix {
            n = n.child_mut_or_insert(b);
        }
        let first = n.value.is_empty();
        if !n.value.contains(&pipe) {
            n.value.push(pipe);
        }
        if first {
            self.prefixes += 1;
        }
        first
    }

    /// Unsubscribes a pipe; true if the prefix has no subscriber left.
    /// `None` if the pipe was not subscribed to it.
    pub fn rm(&mut self, prefix: &[u8], pipe: PipeId) -> Option<bool> {
        let n = self.root.find_mut(prefix)?;
        let i = n.value.iter().position(|&p| p == pipe)?;
        n.value.swap_remove(i);
        let last = n.value.is_empty();
        if last {
            self.prefixes -= 1;
            self.root.prune(prefix, &|v| v.is_empty());
        }
        Some(last)
    }

    /// Removes a pipe everywhere; returns the prefixes left with no
    /// subscriber, or with `every` all the prefixes it was subscribed to
    /// (libzmq's `call_on_uniq` off: XPUB_MANUAL and XPUB_VERBOSER).
    pub fn rm_pipe(&mut self, pipe: PipeId, every: bool) -> Vec<Vec<u8>> {
        let mut subscribed = Vec::new();
        self.root.walk(&mut Vec::new(), &mut |p, v| {
            if v.contains(&pipe) {
                subscribed.push(p.to_vec());
            }
        });
        subscribed
            .into_iter()
            .filter(|p| {
                let last = self.rm(p, pipe) == Some(true);
                last || every
            })
            .collect()
    }

    /// Calls `f` for each pipe subscribed to a prefix of `data` (a pipe
    /// with several matching prefixes is reported once per prefix).
    pub fn matching(&self, data: &[u8], mut f: impl FnMut(PipeId)) {
        let mut n = &self.root;
        n.value.iter().for_each(|&p| f(p));
        for &b in data {
            match n.child(b) {
                Some(c) => n = c,
                None => return,
            }
            n.value.iter().for_each(|&p| f(p));
        }
    }

    pub fn num_prefixes(&self) -> usize {
        self.prefixes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_prefixes_match_and_unsubscribe() {
        let mut t = SubscriptionTrie::default();
        assert!(t.add(b"ab"));
        assert!(!t.add(b"ab"));
        assert_eq!((t.num_prefixes(), t.subscriptions()), (1, 2));
        assert!(t.check(b"abc") && !t.check(b"a"));
        assert!(!t.rm(b"ab"));
        assert!(!t.rm(b"a"), "never subscribed");
        assert_eq!((t.num_prefixes(), t.subscriptions()), (1, 1));
        assert!(t.rm(b"ab"));
        assert_eq!((t.num_prefixes(), t.subscriptions()), (0, 0));
        assert!(!t.check(b"abc"));
        assert!(t.add(b""));
        assert!(t.check(b"anything"));
        assert_eq!(t.prefixes(), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn pipe_trie_reports_last_subscriber_gone() {
        let mut t = PipeTrie::default();
        assert!(t.add(b"x", 1));
        assert!(!t.add(b"x", 2));
        assert!(t.add(b"xy", 1));
        let mut hits = vec![];
        t.matching(b"xyz", |p| hits.push(p));
        hits.sort();
        assert_eq!(hits, vec![1, 1, 2]);
        assert_eq!(t.rm(b"x", 2), Some(false));
        assert_eq!(t.rm_pipe(1, false), vec![b"x".to_vec(), b"xy".to_vec()]);
        assert_eq!(t.num_prefixes(), 0);
    }

    #[test]
    fn removing_a_pipe_can_report_every_prefix_it_had() {
        let mut t = PipeTrie::default();
        t.add(b"a", 1);
        t.add(b"a", 2);
        assert_eq!(t.rm_pipe(1, true), vec![b"a".to_vec()]);
        assert_eq!(t.rm_pipe(2, false), vec![b"a".to_vec()]);
    }
}
