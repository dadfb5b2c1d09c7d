// The Cookie header and the query string of one request, as the router sees them: parsing never
// crashes, keeps at most the maximum number of cookies, and a malformed request is a 400.
import HTTPKit

func fuzzOne(_ bytes: [UInt8]) {
    let (query, cookie) = split(bytes)
    let request = Request(method: "GET", path: "/", queryString: text(query), headers: ["cookie": text(cookie)])

    if let cookies = request.cookies {
        require(cookies.count <= Request.maximumCookies, "\(cookies.count) cookies parsed")
        for (name, _) in cookies {
            require(!name.isEmpty, "a cookie with an empty name")
            // Bytes, not characters: U+037E is canonically equivalent to ";" but separates nothing.
            require(!name.utf8.contains(UInt8(ascii: ";")), "a cookie name contains the byte ';'")
        }
    }

    var router = Router()
    router.add("GET", "/") { _ in .text("ok") }
    let response = router.handle(request)
    if request.malformedReason != nil {
        require(response.status == 400, "a malformed request got \(response.status)")
    } else {
        require(response.status == 200, "a well-formed request got \(response.status)")
    }
}
