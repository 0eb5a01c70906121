import Foundation

/// Reads Swift Testing's event records (ABI v0 JSON, as the check program forwarded them), also when cut short.
struct TestEventStream {
    struct TestRecord {
        var id: String
        var name: String
        var displayName: String?
    }

    enum Outcome {
        case passed
        case failed(message: String, line: Int?)
        /// Started and never ended: the process died or was killed inside it.
        case running
    }

    private(set) var runStarted = false
    private(set) var tests: [TestRecord] = []
    private(set) var outcomes: [String: Outcome] = [:]

    init(records: [String]) {
        var failures: [String: (String, Int?)] = [:]
        var ended: Set<String> = []
        var started: [String] = []
        for line in records {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let kind = object["kind"] as? String, let payload = object["payload"] as? [String: Any] else { continue }
            if kind == "test" {
                guard payload["kind"] as? String == "function", let id = payload["id"] as? String else { continue }
                tests.append(TestRecord(id: id, name: payload["name"] as? String ?? id, displayName: payload["displayName"] as? String))
                continue
            }
            guard kind == "event", let eventKind = payload["kind"] as? String else { continue }
            let testID = payload["testID"] as? String
            switch eventKind {
            case "runStarted": runStarted = true
            case "testStarted": if let testID { started.append(testID) }
            case "testEnded": if let testID { ended.insert(testID) }
            case "issueRecorded":
                guard let testID, let issue = payload["issue"] as? [String: Any], issue["isFailure"] as? Bool ?? true,
                      failures[testID] == nil else { continue }
                let messages = (payload["messages"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
                let location = issue["sourceLocation"] as? [String: Any]
                failures[testID] = (messages.joined(separator: "\n"), location?["line"] as? Int)
            default: break
            }
        }
        for id in started {
            if !ended.contains(id) {
                // Suites start too; only functions are scored.
                if tests.contains(where: { $0.id == id }) { outcomes[id] = .running }
            } else if let failure = failures[id] {
                outcomes[id] = .failed(message: failure.0, line: failure.1)
            } else {
                outcomes[id] = .passed
            }
        }
    }
}
