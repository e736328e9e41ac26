import Foundation
import Mustache

/// Renders notification templates with swift-mustache, and finds the variables a template
/// uses so types can be checked when they are saved.
///
/// HTML templates escape values; text templates (subjects, SMS, push, in-app, e-mail
/// text) do not, since they are not HTML.
enum TemplateRenderer {
    /// Renders `template` with `data` (a JSON object's members); `html` escapes values.
    static func render(_ template: String, data: [String: Any], html: Bool) throws(EntityError) -> String {
        do {
            let source = html ? template : "{{% CONTENT_TYPE: TEXT}}" + template
            return try MustacheTemplate(string: source).render(data)
        } catch {
            throw .invalid("a template does not parse")
        }
    }

    /// The top-level variables a template reads (section names included; names inside a
    /// section may be the section item's fields and are not counted). `place` names the
    /// template in errors.
    static func variables(in template: String, at place: String) throws(EntityError) -> Set<String> {
        do {
            _ = try MustacheTemplate(string: template)
        } catch {
            throw .invalid("\(place) is not a valid Mustache template")
        }
        var names: Set<String> = []
        var depth = 0
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            let triple = rest.hasPrefix("{")
            if triple { rest = rest.dropFirst() }
            guard let close = rest.range(of: triple ? "}}}" : "}}") else { break }
            var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            let sigil = tag.first
            switch sigil {
            case "!", ">", "%", "<", "$":
                continue
            case "=":
                throw .invalid("\(place): changing delimiters is not supported")
            case "/":
                depth = max(0, depth - 1)
                continue
            case "#", "^":
                tag.removeFirst()
                if depth == 0 { names.insert(topLevel(tag)) }
                depth += 1
                continue
            case "&":
                tag.removeFirst()
            default:
                break
            }
            if depth == 0, tag != "." { names.insert(topLevel(tag)) }
        }
        return names
    }

    private static func topLevel(_ tag: String) -> String {
        String(tag.trimmingCharacters(in: .whitespaces).prefix { $0 != "." && $0 != " " })
    }
}
