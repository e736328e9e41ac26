import Actors
import Channels
import Foundation

/// The WebSocket `command`s of tickets (`target: "ticket:{id}"`), the same actions as the
/// REST routes with the same permissions: `ticket.assign {assignee}`,
/// `ticket.set_status {status}`, `ticket.update {priority?, tags?}`, `ticket.reply {body}`,
/// `ticket.note {body}`. The result is the ticket.
struct TicketCommands {
    let support: SupportDesk

    /// The names this handles.
    static let names: Set<String> = ["ticket.assign", "ticket.set_status", "ticket.update", "ticket.reply", "ticket.note"]

    func perform(ticket id: String, name: String, args: JSONValue, by principal: Principal) async throws(HubError) -> String {
        let ticket: Ticket.State
        do throws(EntityError) {
            switch name {
            case "ticket.assign":
                let assignee: String?? = switch args["assignee"] {
                case .string(let agent)?: agent
                case .null?: .some(nil)
                default: throw .invalid("ticket.assign needs args.assignee: a string or null")
                }
                ticket = try await support.updateTicket(id, TicketChanges(assignee: assignee), by: principal)
            case "ticket.set_status":
                guard case .string(let text)? = args["status"], let status = TicketStatus(rawValue: text) else {
                    throw .invalid("ticket.set_status needs args.status: one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                ticket = try await support.updateTicket(id, TicketChanges(status: status), by: principal)
            case "ticket.update":
                let changes: TicketChanges
                do {
                    changes = TicketChanges(priority: try args.priority("priority"), tags: try args.strings("tags"))
                } catch {
                    throw .invalid("ticket.update takes args.priority and args.tags")
                }
                ticket = try await support.updateTicket(id, changes, by: principal)
            case "ticket.reply", "ticket.note":
                guard case .string(let body)? = args["body"] else { throw .invalid("\(name) needs args.body: a string") }
                ticket = try await support.comment(id, body: body, isInternal: name == "ticket.note", by: principal)
            default:
                throw .notFound("no command \(name.prefix(64)) for tickets")
            }
        } catch {
            throw HubError(error)
        }
        do {
            return try snakeCaseJSON(TicketBody(ticket, showNotes: principal.isStaff))
        } catch {
            throw .internal
        }
    }
}
