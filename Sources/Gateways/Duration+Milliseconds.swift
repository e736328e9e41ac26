extension Duration {
    /// Whole milliseconds, rounded down, for the store's timestamps.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
