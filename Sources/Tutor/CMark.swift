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
}

/// The cmark options the project uses, in one place.
enum CMark {
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
        var nested: [Int] = []
        if type != CMARK_NODE_CODE_BLOCK { collectSwiftBlocks(node, into: &nested) }
        return MarkdownBlock(
            kind: kind,
            startLine: Int(cmark_node_get_start_line(node)),
            endLine: Int(cmark_node_get_end_line(node)),
            startColumn: Int(cmark_node_get_start_column(node)),
            html: html,
            nestedSwiftBlockLines: nested
        )
    }

    private static func plainText(_ node: OpaquePointer) -> String {
        var text = ""
        var child = cmark_node_first_child(node)
        while let current = child {
            if let literal = cmark_node_get_literal(current) {
                text += String(cString: literal)
            } else {
                text += plainText(current)
            }
            child = cmark_node_next(current)
        }
        return text
    }

    private static func collectSwiftBlocks(_ node: OpaquePointer, into lines: inout [Int]) {
        var child = cmark_node_first_child(node)
        while let current = child {
            if cmark_node_get_type(current) == CMARK_NODE_CODE_BLOCK {
                let info = cmark_node_get_fence_info(current).map { String(cString: $0) } ?? ""
                if info.split(whereSeparator: { $0 == " " || $0 == "," }).first == "swift" {
                    lines.append(Int(cmark_node_get_start_line(current)))
                }
            } else {
                collectSwiftBlocks(current, into: &lines)
            }
            child = cmark_node_next(current)
        }
    }
}
