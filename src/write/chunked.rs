//! A list that grows a fixed-size chunk at a time: a run of a million
//! articles never holds its list twice over, as a doubling vector does
//! while it moves to a larger allocation, nor a quarter of it unused.

use std::ops::{Index, IndexMut};

/// Items per chunk.
const CHUNK: usize = 1 << 14;

/// A growable list in chunks of [`CHUNK`] items.
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Chunked<T> {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    pub(super) fn push(&mut self, item: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks
            .last_mut()
            .expect("a chunk was just made if none had room")
            .push(item);
        self.len += 1;
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn first(&self) -> Option<&T> {
        self.chunks.first().and_then(|c| c.first())
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_items_in_order_across_chunks() {
        let mut list = Chunked::default();
        assert!(list.is_empty());
        let n = CHUNK * 2 + 3;
        for i in 0..n {
            list.push(i);
        }
        assert_eq!(list.len(), n);
        assert_eq!(list.first(), Some(&0));
        assert_eq!(list[CHUNK], CHUNK);
        assert_eq!(list[n - 1], n - 1);
        list[CHUNK + 1] = 7;
        assert_eq!(list[CHUNK + 1], 7);
        let seen: Vec<usize> = list.iter().copied().collect();
        assert_eq!(seen.len(), n);
        assert!(
            seen.iter()
                .enumerate()
                .all(|(i, &v)| v == i || i == CHUNK + 1)
        );
        assert_eq!(
            list.chunks.len(),
            3,
            "a chunk is added only when the last is full"
        );
    }
}
