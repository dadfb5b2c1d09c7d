// Query strings and form bodies: parsing never crashes, never yields more than the maximum number
// of fields, and what it yields encodes and parses back to the same fields.
import HTTPKit

func fuzzOne(_ bytes: [UInt8]) {
    let input = text(bytes)
    guard let fields = try? FormFields(urlEncoded: input) else { return }
    require(fields.items.count <= FormFields.maximumFields, "\(fields.items.count) fields parsed")

    let reparsed = try? FormFields(urlEncoded: fields.encoded)
    require(reparsed == fields, "encoding and parsing again changed the fields")
    for item in fields.items {
        require(fields.count(of: item.name) >= 1, "count(of:) missed a parsed name")
        require(fields[item.name] != nil, "subscript missed a parsed name")
    }
    require(fields.encoded.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "the encoding has a byte outside printable ASCII")
}
