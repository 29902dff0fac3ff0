//! "Did you mean ...?" suggestions by edit distance.

/// The candidate closest to `name`, if it is close enough to be a plausible typo; failing that,
/// the one candidate that contains `name` as a word part or is contained in it (`email` →
/// `primaryEmail`, `members` → `rpc_members`).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let candidates: Vec<&'a str> = candidates.into_iter().filter(|c| *c != name).collect();
    let typo = candidates
        .iter()
        .map(|&c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
            (d, c)
        })
        .filter(|&(d, c)| {
            let longest = name.chars().count().max(c.chars().count());
            d <= (longest / 3).max(1)
        })
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c);
    if typo.is_some() || lower.chars().count() < 3 {
        return typo;
    }
    let squash = |s: &str| s.to_lowercase().replace(['_', '-', '.', ' '], "");
    let wanted = squash(name);
    let mut containing = candidates.iter().copied().filter(|c| {
        let c = squash(c);
        c.len() >= 3 && (c.contains(&wanted) || wanted.contains(&c))
    });
    match (containing.next(), containing.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn close_names_are_suggested_far_ones_are_not() {
        let c = ["rpc_channels", "rpc_members"];
        assert_eq!(closest("rpc_chanels", c), Some("rpc_channels"));
        assert_eq!(closest("rpc_Members", c), Some("rpc_members"));
        assert_eq!(closest("orders", c), None);
        assert_eq!(closest("comunication", ["communication", "crm"]), Some("communication"));
        assert_eq!(closest("email", ["firstName", "primaryEmail", "primaryPhone"]), Some("primaryEmail"), "a word part");
        assert_eq!(closest("members", ["rpc_members", "rpc_rooms"]), Some("rpc_members"));
        assert_eq!(closest("primary", ["primaryEmail", "primaryPhone"]), None, "two contain it: no guess");
        assert_eq!(closest("ab", ["grabbing"]), None, "too short to guess by containment");
    }
}
