import Foundation

/// The instant an ISO 8601 text with an explicit UTC offset names, such as
/// `"2026-03-06T16:00:00+01:00"`, so each test says which moment it means in local terms.
func instant(_ text: String) -> Date {
    do {
        return try Date(text, strategy: .iso8601)
    } catch {
        preconditionFailure("not an ISO 8601 instant: \(text)")
    }
}
