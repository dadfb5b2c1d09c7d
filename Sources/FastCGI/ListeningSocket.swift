#if canImport(Glibc)
import Glibc
#endif
import HTTPKit

/// The socket nginx connects to. libfcgi's `FCGX_OpenSocket` deletes whatever sits at the path,
/// never sets permissions and calls `exit()` on failure, so the responder opens it itself.
public struct ListeningSocket: Sendable {
    public enum Error: Swift.Error, CustomStringConvertible {
        case pathTooLong(String)
        case inUse(String)
        case notASocket(String)
        case systemCall(String, path: String, errno: Int32)

        public var description: String {
            switch self {
            case .pathTooLong(let path):
                "socket path \(path) is longer than a Unix socket address allows (107 bytes); choose a shorter path"
            case .inUse(let path):
                "another responder is already listening on \(path); stop it or choose another --socket path"
            case .notASocket(let path):
                "\(path) exists and is not a socket; remove it or choose another --socket path"
            case .systemCall(let call, let path, let errno):
                "\(call) failed for \(path): \(String(cString: strerror(errno)))"
            }
        }
    }

    public let fileDescriptor: Int32
    /// The path to unlink at stop, or `nil` when the socket was inherited on fd 0.
    public let path: String?

    /// Takes fd 0 when it is a listening socket, as spawn-fcgi and systemd socket activation hand over.
    public static func inherited() -> ListeningSocket? {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting != 0 else {
            return nil
        }
        return ListeningSocket(fileDescriptor: 0, path: nil)
    }

    /// Creates a Unix socket at `path` with mode 0660, so only the service's user and group (nginx's)
    /// may connect. A stale socket left by a killed responder is replaced; a live one is not.
    public static func bind(path: String, backlog: Int32 = 1024) throws(Error) -> ListeningSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }

        try removeStaleSocket(at: path, address: address)

        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .systemCall("socket", path: path, errno: errno) }

        // The umask makes bind create the socket as 0660 at once, leaving no window with wider access.
        let previousMask = umask(0o117)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let bindErrno = errno
        umask(previousMask)
        guard bound == 0 else {
            Glibc.close(descriptor)
            throw .systemCall("bind", path: path, errno: bindErrno)
        }
        guard chmod(path, 0o660) == 0 else {
            let chmodErrno = errno
            Glibc.close(descriptor)
            throw .systemCall("chmod", path: path, errno: chmodErrno)
        }
        guard listen(descriptor, backlog) == 0 else {
            let listenErrno = errno
            Glibc.close(descriptor)
            unlink(path)
            throw .systemCall("listen", path: path, errno: listenErrno)
        }
        return ListeningSocket(fileDescriptor: descriptor, path: path)
    }

    private static func removeStaleSocket(at path: String, address: sockaddr_un) throws(Error) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }

        // A socket that accepts a connection belongs to a live responder.
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw .systemCall("socket", path: path, errno: errno) }
        defer { Glibc.close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 { throw .inUse(path) }
        guard errno == ECONNREFUSED else { throw .systemCall("connect", path: path, errno: errno) }
        Log.info("removing stale socket", ["path": path])
        guard unlink(path) == 0 else { throw .systemCall("unlink", path: path, errno: errno) }
    }

    /// Wakes every thread blocked in accept: on Linux, `shutdown` makes a listening socket's
    /// `accept` fail with EINVAL.
    func stopAccepting() {
        shutdown(fileDescriptor, Int32(SHUT_RDWR))
    }

    func close() {
        Glibc.close(fileDescriptor)
        if let path { unlink(path) }
    }
}
