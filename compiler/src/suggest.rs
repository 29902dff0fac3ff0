//! "Did you mean ...?" suggestions by edit distance.

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
            (d, c)
        })
        .filter(|&(d, c)| {
            let longest = name.chars().count().max(c.chars().count());
            d <= (longest / 3).max(1)
        })
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
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
    }
}
