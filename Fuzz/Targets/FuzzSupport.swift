// Shared by every fuzz target: each target file defines `fuzzOne(_:)`, and this file exports it to
// libFuzzer under the C name libFuzzer calls.
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzOne(bytes)
    return 0
}

/// Stops the process with `message` when a property of the code under test does not hold;
/// libFuzzer then saves the input as a crash.
/// The message also goes to the file named by `FUZZ_FAILURE_FILE`, because fuzz.sh closes the
/// targets' standard error to keep the service's log lines out of libFuzzer's output.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if condition() { return }
    let line = "fuzz property failed: \(message())\n"
    if let path = getenv("FUZZ_FAILURE_FILE") {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if descriptor >= 0 {
            _ = Array(line.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
        }
    }
    fatalError(line)
}

/// Splits an input at its first NUL byte, so one input can carry two independent values.
func split(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
    guard let zero = bytes.firstIndex(of: 0) else { return (bytes, []) }
    return (Array(bytes[..<zero]), Array(bytes[(zero + 1)...]))
}

/// Turns bytes into text the way the responder turns FastCGI params into strings: invalid UTF-8
/// becomes U+FFFD.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
