import Foundation
internal import CCmark

/// One top-level block of a Markdown document, as libcmark saw it (the only place that talks to cmark).
struct MarkdownBlock: Sendable {
    enum Kind: Sendable {
        /// A code block: the info string, the code, whether it was fenced.
        case code(info: String, literal: String, fenced: Bool)
        /// A heading with its level and plain text.
        case heading(level: Int, text: String)
        /// Any other block (paragraph, list, quote, HTML, rule).
        case other
    }

    var kind: Kind
    /// First and last Markdown line (1-based) of the block.
    var startLine: Int
    var endLine: Int
    /// 1-based column where the block starts.
    var startColumn: Int
    /// The block rendered by cmark's HTML renderer (safe mode, raw HTML dropped).
    var html: String
    /// Lines of fenced `swift` code blocks nested inside this block (lists, quotes): not runnable.
    var nestedSwiftBlockLines: [Int]
    /// How deeply nodes nest inside this block (1 for a block without children).
    var nesting: Int = 1
}

/// The cmark options the project uses, in one place.
enum CMark {
    /// Deepest nesting of Markdown nodes (quotes in quotes, emphasis in emphasis) a lesson may use; real
    /// lessons nest a handful of levels, crafted ones hundreds of thousands.
    static let maxNesting = 100

    /// A lesson's text with CRLF and lone CR line endings turned into LF (cmark accepts all three, but the
    /// parser reads fence lines by splitting on LF, so a CR-only file would otherwise show no steps).
    static func normalizingLineEndings(_ text: String) -> String {
        guard text.utf8.contains(13) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var previousCR = false
        for byte in text.utf8 {
            if byte == 13 {
                bytes.append(10)
                previousCR = true
                continue
            }
            if byte == 10, previousCR { previousCR = false; continue }
            previousCR = false
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a whole document into its top-level blocks with source positions.
    static func parse(_ text: String) -> [MarkdownBlock] {
        let bytes = Array(text.utf8)
        let options = CMARK_OPT_SOURCEPOS
        guard let document = bytes.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                cmark_parse_document($0, buffer.count, options)
            }
        }) else { return [] }
        defer { cmark_node_free(document) }

        var blocks: [MarkdownBlock] = []
        var node = cmark_node_first_child(document)
        while let current = node {
            blocks.append(block(current))
            node = cmark_node_next(current)
        }
        return blocks
    }

    /// Renders a Markdown fragment (e.g. a caption) to HTML.
    static func html(fromMarkdown text: String) -> String {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "" }
        let rendered = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                cmark_markdown_to_html($0, buffer.count, CMARK_OPT_DEFAULT)
            }
        }
        guard let rendered else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }

    private static func block(_ node: OpaquePointer) -> MarkdownBlock {
        let type = cmark_node_get_type(node)
        let kind: MarkdownBlock.Kind
        if type == CMARK_NODE_CODE_BLOCK {
            let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
            let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
            // cmark has no "is fenced" getter: an indented block has an empty info string and no fence,
            // which the parser tells apart from the source line.
            kind = .code(info: info, literal: literal, fenced: true)
        } else if type == CMARK_NODE_HEADING {
            kind = .heading(level: Int(cmark_node_get_heading_level(node)), text: plainText(node))
        } else {
            kind = .other
        }
        var html = ""
        if let rendered = cmark_render_html(node, CMARK_OPT_DEFAULT) {
            html = String(cString: rendered)
            free(rendered)
        }
        let walk = type == CMARK_NODE_CODE_BLOCK ? (lines: [], depth: 1) : descendants(node)
        return MarkdownBlock(
            kind: kind,
            startLine: Int(cmark_node_get_start_line(node)),
            endLine: Int(cmark_node_get_end_line(node)),
            startColumn: Int(cmark_node_get_start_column(node)),
            html: html,
            nestedSwiftBlockLines: walk.lines,
            nesting: walk.depth
        )
    }

    /// Concatenated literals of the node's leaves (a heading's plain text), without recursion.
    private static func plainText(_ node: OpaquePointer) -> String {
        var text = ""
        iterate(node) { current, _ in
            if current != node, let literal = cmark_node_get_literal(current) { text += String(cString: literal) }
        }
        return text
    }

    /// Lines of fenced `swift` blocks below `node`, and how deep its tree goes; iterative, so a crafted
    /// document nesting 70,000 quotes cannot overflow the stack.
    private static func descendants(_ node: OpaquePointer) -> (lines: [Int], depth: Int) {
        var lines: [Int] = []
        var deepest = 1
        iterate(node) { current, depth in
            deepest = max(deepest, depth)
            guard current != node, cmark_node_get_type(current) == CMARK_NODE_CODE_BLOCK else { return }
            let info = cmark_node_get_fence_info(current).map { String(cString: $0) } ?? ""
            if info.split(whereSeparator: { $0 == " " || $0 == "," }).first == "swift" {
                lines.append(Int(cmark_node_get_start_line(current)))
            }
        }
        return (lines, deepest)
    }

    /// Calls `visit` on `root` and every node below it in document order, with its depth (root = 1), using
    /// cmark's iterator instead of recursion.
    private static func iterate(_ root: OpaquePointer, _ visit: (OpaquePointer, Int) -> Void) {
        guard let iterator = cmark_iter_new(root) else { return }
        defer { cmark_iter_free(iterator) }
        var depth = 0
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
            guard let current = cmark_iter_get_node(iterator) else { break }
            if event == CMARK_EVENT_EXIT { depth -= 1; continue }
            // Leaves get only an ENTER event; containers an ENTER and an EXIT.
            let leaf = !isContainer(cmark_node_get_type(current))
            visit(current, depth + 1)
            if !leaf { depth += 1 }
        }
    }

    /// Whether cmark reports the node type with ENTER and EXIT events (leaves get only ENTER).
    private static func isContainer(_ type: cmark_node_type) -> Bool {
        switch type {
        case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE, CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK,
            CMARK_NODE_CODE_BLOCK, CMARK_NODE_HTML_BLOCK, CMARK_NODE_THEMATIC_BREAK:
            return false
        default:
            return true
        }
    }
}
