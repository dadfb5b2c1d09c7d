#if canImport(Glibc)
import Glibc
#endif
import Crypto

/// The POSIX file calls the store makes, each retried on `EINTR`, with errno turned into a
/// `StoreError` that names the path.
enum FileSystem {
    /// Temporary files end with this, so the cleanup at open touches nothing else.
    static let temporarySuffix = ".tmp"

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Maps the errno of a failed create, write or rename: the operator fixes these on the host.
    static func writeError(_ path: String, _ code: Int32) -> StoreError {
        switch code {
        case ENOSPC, EDQUOT, EROFS, EACCES, EPERM, ENOENT, ENOTDIR:
            .notWritable(path: path, reason: errorText(code))
        default:
            .ioFailure(path: path, reason: errorText(code))
        }
    }

    static func retryingOnInterrupt(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }

    // MARK: Reading

    /// Reads a whole file with one open, fstat and read.
    /// - Returns: the bytes, or nil when the file does not exist.
    /// - Throws: `corruptRecord` when the file is larger than `maximumBytes`.
    static func readFile(at path: String, maximumBytes: Int) throws(StoreError) -> [UInt8]? {
        let descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw .ioFailure(path: path, reason: errorText(code))
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .ioFailure(path: path, reason: errorText(errno)) }
        let size = Int(status.st_size)
        guard size <= maximumBytes else {
            throw .corruptRecord(path: path, reason: "the file is \(size) bytes, more than the limit of \(maximumBytes)")
        }

        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + offset, size - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .ioFailure(path: path, reason: errorText(errno))
            }
            if count == 0 { break }
            offset += count
        }
        // Files are replaced by rename, never rewritten in place, so a short read means the file
        // was truncated by something other than the store.
        if offset < size { bytes.removeLast(size - offset) }
        return bytes
    }

    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Lists a directory's entries other than `.` and `..`, in no particular order.
    /// - Returns: the names, or nil when the directory does not exist.
    static func listDirectory(_ path: String) throws(StoreError) -> [String]? {
        guard let stream = opendir(path) else {
            let code = errno
            if code == ENOENT { return nil }
            throw .ioFailure(path: path, reason: errorText(code))
        }
        defer { closedir(stream) }

        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw .ioFailure(path: path, reason: errorText(errno)) }
                return names
            }
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
    }

    // MARK: Directories

    /// Creates one directory with mode 0700 and fsyncs its parent, so that the new entry survives a
    /// crash along with the files later written into it.
    /// - Returns: false when it already existed.
    @discardableResult
    static func makeDirectory(_ path: String) throws(StoreError) -> Bool {
        guard mkdir(path, 0o700) == 0 else {
            let code = errno
            if code == EEXIST { return false }
            throw writeError(path, code)
        }
        // The umask may have removed owner bits from the mode given to mkdir.
        guard chmod(path, 0o700) == 0 else { throw writeError(path, errno) }
        try syncDirectory(parent(of: path))
        return true
    }

    /// Creates a directory and its missing parents, each as `makeDirectory` does.
    static func makeDirectories(_ path: String) throws(StoreError) {
        if isDirectory(path) { return }
        let parentPath = parent(of: path)
        if parentPath != path && !isDirectory(parentPath) { try makeDirectories(parentPath) }
        if try makeDirectory(path) || isDirectory(path) { return }
        throw .notWritable(path: path, reason: "a file that is not a directory has this name")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Opens a directory, creating it and its parents if needed, for locking and fsync.
    static func openDirectory(_ path: String, create: Bool) throws(StoreError) -> Int32 {
        var descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if descriptor < 0 && errno == ENOENT && create {
            try makeDirectories(path)
            descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        }
        guard descriptor >= 0 else { throw writeError(path, errno) }
        return descriptor
    }

    /// Takes an exclusive `flock` on a directory, creating the directory if needed. Each call opens
    /// its own file description, so the lock excludes other threads of this process as well as
    /// other processes. Closing the returned descriptor releases the lock.
    static func lockDirectory(_ path: String) throws(StoreError) -> Int32 {
        let descriptor = try openDirectory(path, create: true)
        guard retryingOnInterrupt({ flock(descriptor, LOCK_EX) }) == 0 else {
            let code = errno
            close(descriptor)
            throw .ioFailure(path: path, reason: "flock failed: " + errorText(code))
        }
        return descriptor
    }

    /// Makes the directory's entries durable: created, renamed and removed names.
    static func syncDirectory(descriptor: Int32, path: String) throws(StoreError) {
        guard retryingOnInterrupt({ fsync(descriptor) }) == 0 else { throw writeError(path, errno) }
    }

    static func syncDirectory(_ path: String) throws(StoreError) {
        let descriptor = try openDirectory(path, create: false)
        defer { close(descriptor) }
        try syncDirectory(descriptor: descriptor, path: path)
    }

    // MARK: Writing

    /// Writes a file so that a crash at any instant leaves either the old content or the new: it
    /// writes a temporary file, fsyncs it, renames it over `path` and fsyncs `path`'s directory.
    /// The temporary file lives in `temporaryDirectory`, which must be on the same file system,
    /// so that the cleanup when a store opens lists one directory instead of every shard.
    /// - Parameters:
    ///   - directoryDescriptor: an open descriptor of `path`'s directory, or nil to open it.
    ///   - durable: false skips both fsyncs; only the benchmark's bulk generation passes false.
    static func writeAtomically(
        _ bytes: [UInt8],
        to path: String,
        directory: String,
        directoryDescriptor: Int32? = nil,
        temporaryDirectory: String,
        durable: Bool = true
    ) throws(StoreError) {
        let (descriptor, temporaryPath) = try createTemporaryFile(in: temporaryDirectory)
        var renamed = false
        defer {
            close(descriptor)
            if !renamed { unlink(temporaryPath) }
        }

        try writeAll(bytes, to: descriptor, path: temporaryPath)
        if durable {
            guard retryingOnInterrupt({ fsync(descriptor) }) == 0 else { throw writeError(temporaryPath, errno) }
        }
        guard rename(temporaryPath, path) == 0 else { throw writeError(path, errno) }
        renamed = true

        if durable {
            if let directoryDescriptor {
                try syncDirectory(descriptor: directoryDescriptor, path: directory)
            } else {
                try syncDirectory(directory)
            }
        }
    }

    /// Creates an empty file with mode 0600 unless it exists, for expiry markers.
    static func touch(_ path: String) throws(StoreError) {
        let descriptor = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600) }
        guard descriptor >= 0 else { throw writeError(path, errno) }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw writeError(path, errno) }
    }

    /// Removes a file.
    /// - Returns: false when it did not exist.
    @discardableResult
    static func removeFile(_ path: String) throws(StoreError) -> Bool {
        if unlink(path) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw writeError(path, code)
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw writeError(path, errno)
            }
            offset += count
        }
    }

    // MARK: Temporary files

    /// Creates a temporary file with mode 0600, exclusively `flock`ed until its descriptor closes.
    /// The lock marks the file as in use for `removeAbandonedTemporaryFiles` in another process.
    /// That cleanup may still remove the name between `open` and `flock`, so once the lock is held
    /// the name is checked to still be this file, and a new name is tried if it is not.
    static func createTemporaryFile(in directory: String) throws(StoreError) -> (descriptor: Int32, path: String) {
        for _ in 0..<3 {
            let path = directory + "/" + SecureRandom.token(byteCount: 12) + temporarySuffix
            let descriptor = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
            guard descriptor >= 0 else { throw writeError(path, errno) }

            guard retryingOnInterrupt({ flock(descriptor, LOCK_EX) }) == 0 else {
                let code = errno
                close(descriptor)
                unlink(path)
                throw .ioFailure(path: path, reason: "flock failed: " + errorText(code))
            }
            guard isSameFile(descriptor, path) else {
                close(descriptor)
                continue
            }
            // The umask may have removed owner bits from the mode given to open.
            guard fchmod(descriptor, 0o600) == 0 else {
                let code = errno
                close(descriptor)
                unlink(path)
                throw writeError(path, code)
            }
            return (descriptor, path)
        }
        throw .ioFailure(
            path: directory,
            reason: "new temporary files were removed three times in a row; another program is deleting files in this directory"
        )
    }

    static func isSameFile(_ descriptor: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0 else { return false }
        return opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }

    /// Removes the temporary files that no live writer holds, left by a crash or a kill.
    /// - Returns: how many it removed.
    static func removeAbandonedTemporaryFiles(in directory: String) throws(StoreError) -> Int {
        var removed = 0
        for name in try listDirectory(directory) ?? [] where name.hasSuffix(temporarySuffix) {
            let path = directory + "/" + name
            let descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
            if descriptor < 0 { continue }
            defer { close(descriptor) }
            // A writer in another process holds the lock until it has renamed the file away.
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, isSameFile(descriptor, path) else { continue }
            if unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}
