import Actors
import Foundation
import Hummingbird
import Store

/// `/api/v1/notifications/unsubscribe?user=&category=&sig=`: the one-click unsubscribe link
/// of notification e-mail (RFC 8058), needing no token since the signature is the proof.
/// `POST` (what mail clients send, body `List-Unsubscribe=One-Click`) opts the user out of
/// that category's e-mail; `GET` (a person following the link) only shows a page whose
/// button posts, so link scanners that prefetch URLs unsubscribe no one.
extension RESTRoutes {
    func registerUnsubscribe(on notifications: RouterGroup<BasicRequestContext>) {
        notifications.get("/unsubscribe") { request, _ in
            let (user, category) = try verifiedUnsubscribe(request)
            let action = escapeHTML(UnsubscribeLinks.path + "?" + (request.uri.query ?? ""))
            let page = """
                <!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head><body>
                <p>Stop e-mail about <b>\(escapeHTML(category))</b> for \(escapeHTML(user))?</p>
                <form method="post" action="\(action)"><input type="hidden" name="List-Unsubscribe" value="One-Click">
                <button type="submit">Unsubscribe</button></form></body></html>
                """
            return htmlPage(page)
        }
        notifications.post("/unsubscribe") { request, _ in
            let (user, category) = try verifiedUnsubscribe(request)
            try await desk { try await hub.notifications.optOut(user, of: .email, in: category) }
            // A person who pressed the page's button gets a page; a mail client, JSON.
            if request.headers[.accept]?.contains("text/html") == true {
                return htmlPage(#"<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribed</title></head><body><p>You will get no more of these e-mails.</p></body></html>"#)
            }
            return json(.ok, "{\"user\":\(JSONText.quoted(user)),\"category\":\(JSONText.quoted(category)),\"channel\":\"email\",\"enabled\":false}")
        }
    }

    /// An HTML page that is neither cached nor leaks its signed URL as a referrer.
    private func htmlPage(_ page: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .referrerPolicy: "no-referrer"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// The user and category of a link whose signature holds.
    private func verifiedUnsubscribe(_ request: Request) throws -> (user: String, category: String) {
        let query = request.uri.queryParameters
        guard let user = query["user"].map(String.init), let category = query["category"].map(String.init),
              let signature = query["sig"].map(String.init)
        else { throw HubError.badRequest("an unsubscribe link has user, category and sig") }
        guard hub.unsubscribeLinks.verify(user: user, category: category, signature: signature) else {
            throw HubError.forbidden("this unsubscribe link is not valid")
        }
        return (user, category)
    }

    private func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
