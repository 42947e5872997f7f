//! Grouping: near-duplicate articles as cliques of verified edges, a pure
//! function over `(a, b)` id pairs (no chaining: `A ~ B ~ C` with `A` and
//! `C` unrelated never makes one group).

use std::collections::{BTreeMap, BTreeSet};

/// A group of near-duplicate articles, from
/// [`Index::near_duplicate_groups`](crate::Index::near_duplicate_groups).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Group {
    /// The article every other member is a verified near-duplicate of.
    pub representative: u64,
    /// All members, the representative included, in increasing id order.
    pub members: Vec<u64>,
}

/// Groups near-duplicate edges `(a, b)` with the policy of
/// [`Index::near_duplicate_groups`](crate::Index::near_duplicate_groups) (greedy cliques, no chaining): for
/// callers that stream [`Index::pairs`](crate::Index::pairs) once and want the groups too,
/// without computing the pairs twice.
///
/// ```
/// use neardup::group::group_near_duplicates;
///
/// // A chain 1~2~3 where 1 and 3 are unrelated: never one group.
/// let groups = group_near_duplicates([(1, 2), (2, 3)]);
/// assert_eq!(groups.len(), 1);
/// assert_eq!(groups[0].members, [1, 2]);
/// ```
pub fn group_near_duplicates(edges: impl IntoIterator<Item = (u64, u64)>) -> Vec<Group> {
    let mut adj: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for (a, b) in edges {
        adj.entry(a).or_default().insert(b);
        adj.entry(b).or_default().insert(a);
    }
    let mut order: Vec<(usize, u64)> = adj.iter().map(|(&id, n)| (n.len(), id)).collect();
    order.sort_by_key(|&(deg, id)| (std::cmp::Reverse(deg), id));
    let mut taken = BTreeSet::new();
    let mut groups = Vec::new();
    for (_, rep) in order {
        if taken.contains(&rep) {
            continue;
        }
        let mut members = vec![rep];
        for &m in &adj[&rep] {
            if !taken.contains(&m) && members.iter().all(|x| *x == rep || adj[&m].contains(x)) {
                members.push(m);
            }
        }
        if members.len() < 2 {
            continue;
        }
        members.sort_unstable();
        taken.extend(members.iter().copied());
        groups.push(Group { representative: rep, members });
    }
    groups.sort_by_key(|g| g.representative);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_cliques_not_chains() {
        // 1~2, 2~3, 3~4: a chain. 2 is taken first (degree 2, lowest id);
        // 1 joins; 3 does not (not a near-duplicate of 1); then 3~4.
        let g = group_near_duplicates([(1, 2), (2, 3), (3, 4)]);
        assert_eq!(
            g,
            [Group { representative: 2, members: vec![1, 2] }, Group { representative: 3, members: vec![3, 4] }]
        );
        // A triangle plus a pendant: the triangle is one group.
        let g = group_near_duplicates([(5, 6), (6, 7), (5, 7), (7, 8)]);
        assert_eq!(g, [Group { representative: 7, members: vec![5, 6, 7] }]);
    }
}
