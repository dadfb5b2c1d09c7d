#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import HTTPKit
import Synchronization

/// A multi-threaded FastCGI responder: a fixed pool of worker threads, each with its own
/// `FCGX_Request`, all accepting on one listening socket.
///
/// No accept mutex: with Debian's libfcgi 2.4.2, threads blocked in `accept` on one socket are
/// woken one at a time by the kernel, and the mutex of libfcgi's threaded example stalls requests.
public final class Responder: Sendable {
    public struct Configuration: Sendable {
        /// A name for log lines, for example `connection` or `sandbox`.
        public var name: String
        public var workerCount: Int
        /// Larger bodies get 413; `CONTENT_LENGTH` is not trusted, the body is read to its end.
        public var maximumBodyBytes: Int
        /// How often `onTick` runs, in seconds.
        public var tickInterval: Int

        public init(name: String, workerCount: Int = 4 * max(1, Responder.processorCount()),
                    maximumBodyBytes: Int = 1 << 20, tickInterval: Int = 60) {
            self.name = name
            self.workerCount = workerCount
            self.maximumBodyBytes = maximumBodyBytes
            self.tickInterval = tickInterval
        }
    }

    private let configuration: Configuration
    private let socket: ListeningSocket
    private let handler: Handler
    private let onTick: @Sendable () -> Void
    private let stopping = Atomic<Bool>(false)
    private let requestCounter = Atomic<Int>(0)

    public init(configuration: Configuration, socket: ListeningSocket, handler: @escaping Handler,
                onTick: @escaping @Sendable () -> Void = {}) {
        self.configuration = configuration
        self.socket = socket
        self.handler = handler
        self.onTick = onTick
    }

    public static func processorCount() -> Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish and
    /// returns the exit status.
    public func run() -> Int32 {
        // Signals are blocked before the workers start, so they inherit the mask and only the
        // main thread's sigtimedwait receives SIGTERM and SIGINT.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        // A client that goes away mid-response must not kill the process.
        signal(SIGPIPE, SIG_IGN)

        guard FCGX_Init() == 0 else {
            Log.error("FCGX_Init failed", ["responder": configuration.name])
            return 1
        }

        var threads: [pthread_t] = []
        for index in 0..<configuration.workerCount {
            let context = Unmanaged.passRetained(WorkerContext(responder: self, index: index))
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { argument in
                let context = Unmanaged<WorkerContext>.fromOpaque(argument!).takeRetainedValue()
                context.responder.work(index: context.index)
                return nil
            }, context.toOpaque())
            guard created == 0 else {
                context.release()
                Log.error("pthread_create failed", ["responder": configuration.name, "errno": String(created)])
                stop()
                break
            }
            threads.append(thread)
        }
        Log.info("responder started", [
            "responder": configuration.name,
            "workers": String(threads.count),
            "socket": socket.path ?? "fd 0",
            "pid": String(getpid()),
        ])

        waitForStopSignal(stopSignals)
        stop()
        for thread in threads { pthread_join(thread, nil) }
        socket.close()
        Log.info("responder stopped", ["responder": configuration.name, "requests": String(requestCounter.load(ordering: .relaxed))])
        return 0
    }

    private func waitForStopSignal(_ signals: sigset_t) {
        var signals = signals
        var interval = timespec(tv_sec: configuration.tickInterval, tv_nsec: 0)
        while !stopping.load(ordering: .acquiring) {
            let received = sigtimedwait(&signals, nil, &interval)
            if received == SIGTERM || received == SIGINT {
                Log.info("stop signal received", ["responder": configuration.name, "signal": received == SIGTERM ? "SIGTERM" : "SIGINT"])
                return
            }
            if received < 0 && errno == EAGAIN { onTick() }
        }
    }

    private func stop() {
        stopping.store(true, ordering: .releasing)
        socket.stopAccepting()
    }

    private final class WorkerContext {
        let responder: Responder
        let index: Int
        init(responder: Responder, index: Int) {
            self.responder = responder
            self.index = index
        }
    }

    private func work(index: Int) {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        guard FCGX_InitRequest(request, socket.fileDescriptor, 0) == 0 else {
            Log.error("FCGX_InitRequest failed", ["responder": configuration.name, "worker": String(index)])
            return
        }
        defer { FCGX_Free(request, 1) }

        while !stopping.load(ordering: .acquiring) {
            guard FCGX_Accept_r(request) >= 0 else {
                if stopping.load(ordering: .acquiring) { break }
                // A failed accept that is not a stop (EMFILE, say) must not spin the CPU.
                Log.warning("accept failed", ["responder": configuration.name, "errno": String(errno)])
                usleep(10_000)
                continue
            }
            serve(request)
            FCGX_Finish_r(request)
        }
    }

    private func serve(_ raw: UnsafeMutablePointer<FCGX_Request>) {
        let started = Clock.monotonicNanoseconds()
        let sequence = requestCounter.add(1, ordering: .relaxed).newValue
        let exchange = Exchange(raw)
        let params = exchange.readParams()
        let requestID = params.requestID.flatMap { $0.isEmpty ? nil : $0 } ?? "\(getpid())-\(sequence)"

        let response: Response
        var request = Exchange.makeRequest(params: params, requestID: requestID)
        switch exchange.readBody(limit: configuration.maximumBodyBytes) {
        case .complete(let body):
            request.body = body
            response = handler(request)
        case .tooLarge:
            response = HTTPError(
                status: 413, code: "request_too_large",
                message: "The request body is larger than \(configuration.maximumBodyBytes) bytes.",
                hint: "Send a smaller body; the service accepts forms and JSON up to this size."
            ).response(for: request)
        }

        let written = exchange.write(response, includeBody: request.method != "HEAD")
        let durationMilliseconds = Double(Clock.monotonicNanoseconds() - started) / 1_000_000
        Log.info("request", [
            "request_id": requestID,
            "method": request.method,
            "path": request.mountPath + request.path,
            "status": String(response.status),
            "duration_ms": String(Double(Int(durationMilliseconds * 100)) / 100),
            "responder": configuration.name,
        ])
        if !written {
            Log.warning("client went away before the response was written", ["request_id": requestID])
        }
    }
}
