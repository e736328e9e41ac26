import Actors
import Channels

/// The WebSocket `command`s of a user's in-app inbox (`target: "inbox:{user}"`, the owner
/// only), as the REST routes do them: `inbox.read {ids?}` marks those items read (all unread
/// ones without `ids`), `inbox.archive {ids}` archives them; both answer `{unread_count}`,
/// and the new count also streams on the inbox as `inbox.unread_count`.
struct InboxCommands {
    let inboxes: Inboxes

    func perform(inbox user: String, name: String, args: JSONValue, by principal: Principal) async throws(HubError) -> String {
        guard principal.subject == user else { throw .forbidden("an inbox is its owner's only") }
        let ids: [String]?
        do {
            ids = try args.strings("ids")
        } catch {
            throw .invalid("args.ids must be a list of notification ids")
        }
        let archive: Bool
        switch name {
        case "inbox.read": archive = false
        case "inbox.archive":
            guard ids != nil else { throw .invalid("inbox.archive needs args.ids: the items to archive") }
            archive = true
        default: throw .notFound("no command \(name.prefix(64)) for inboxes")
        }
        do {
            return "{\"unread_count\":\(try await inboxes.mark(user, ids: ids, archive: archive))}"
        } catch {
            throw HubError(error)
        }
    }
}
