#if canImport(Glibc)
import Glibc
#endif
import CCurl
import HTTPKit
import Synchronization

/// Blocking HTTP requests through libcurl, with bounded time and size. Easy handles are pooled so
/// connections to Pinterest are reused across requests.
final class HTTPClient: Sendable {
    struct Result: Sendable {
        var status: Int
        var body: [UInt8]
        /// Response header fields with lower-case names.
        var headers: [String: String]
    }

    enum Failure: Error, Equatable {
        case timedOut(String)
        case unreachable(String)
        case tooLarge(Int)
        case failed(String)
    }

    struct Limits: Sendable {
        var connectTimeoutMilliseconds: Int
        var timeoutMilliseconds: Int
        var maximumResponseBytes: Int
        var verifyTLS: Bool
    }

    private let limits: Limits
    private let idleHandles = Mutex<[HandleBox]>([])

    /// Calls `curl_global_init`, which is not thread-safe: once, before any worker starts.
    static func initializeLibrary() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    init(limits: Limits) {
        self.limits = limits
    }

    /// Sends one request. `body` non-nil makes it a POST with that form body.
    func send(url: String, headers: [String], body: String?) -> Swift.Result<Result, Failure> {
        let handle = takeHandle()
        defer { returnHandle(handle) }
        let easy = handle.pointer

        let collector = Collector(limit: limits.maximumResponseBytes)
        let context = Unmanaged.passUnretained(collector).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in headers { headerList = curl_slist_append(headerList, header) }
        defer { curl_slist_free_all(headerList) }

        curl_easy_reset(easy)
        ccurl_setopt_string(easy, CURLOPT_URL, url)
        // Without NOSIGNAL, libcurl's timeouts use SIGALRM, which is unsafe with several threads.
        ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMilliseconds)
        ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, limits.timeoutMilliseconds)
        // Pinterest's API answers directly; a redirect is an invalid answer, never followed.
        ccurl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        ccurl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, limits.verifyTLS ? 1 : 0)
        ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, limits.verifyTLS ? 2 : 0)
        ccurl_setopt_string(easy, CURLOPT_USERAGENT, "pinterest-connection/1")
        ccurl_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        ccurl_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maximumResponseBytes))
        ccurl_setopt_write_function(easy) { data, size, count, context in
            let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
            return collector.appendBody(data, size * count)
        }
        ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        ccurl_setopt_header_function(easy) { data, size, count, context in
            let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
            return collector.appendHeader(data, size * count)
        }
        ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        if let body {
            ccurl_setopt_long(easy, CURLOPT_POST, 1)
            ccurl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, body)
        }

        let code = curl_easy_perform(easy)
        if collector.exceeded || code == CURLE_FILESIZE_EXCEEDED { return .failure(.tooLarge(limits.maximumResponseBytes)) }
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_OPERATION_TIMEDOUT: return .failure(.timedOut(reason))
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
                CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
                CURLE_GOT_NOTHING:
                return .failure(.unreachable(reason))
            default: return .failure(.failed(reason))
            }
        }
        var status = 0
        ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(Result(status: status, body: collector.body, headers: collector.headers))
    }

    private func takeHandle() -> HandleBox {
        if let handle = idleHandles.withLock({ $0.popLast() }) { return handle }
        return HandleBox()
    }

    private func returnHandle(_ handle: HandleBox) {
        idleHandles.withLock { $0.append(handle) }
    }

    /// Owns one easy handle; the pool hands each to one thread at a time.
    private final class HandleBox: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init() {
            guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
            pointer = easy
        }
        deinit { curl_easy_cleanup(pointer) }
    }

    /// Collects one response; only the thread running `curl_easy_perform` touches it.
    private final class Collector {
        let limit: Int
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        var exceeded = false

        init(limit: Int) { self.limit = limit }

        func appendBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
            guard let data else { return 0 }
            if body.count + count > limit {
                exceeded = true
                return 0  // Fewer bytes than given makes libcurl stop with CURLE_WRITE_ERROR.
            }
            data.withMemoryRebound(to: UInt8.self, capacity: count) {
                body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
            }
            return count
        }

        func appendHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
            guard let data else { return 0 }
            let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
                String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
            }
            // A new status line (after a 100 Continue, say) starts a new set of headers.
            if line.hasPrefix("HTTP/") { headers = [:] }
            if let colon = line.firstIndex(of: ":"), headers.count < 100 {
                let name = line[..<colon].lowercased()
                let value = String(line[line.index(after: colon)...]).trimmingCharacters()
                headers[name] = value
            }
            return count
        }
    }
}
