/// Escapes text for an HTML element or a quoted attribute value.
public func escapeHTML(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
        return text
    }
    var output = ""
    output.reserveCapacity(text.utf8.count + 16)
    for character in text.unicodeScalars {
        switch character {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        default: output.unicodeScalars.append(character)
        }
    }
    return output
}

/// Wraps a body in the service's page layout: plain, readable on a phone, with no external asset.
/// `title` and `body` are HTML; escape every dynamic value before it gets here.
public func htmlPage(title: String, body: String) -> String {
    """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(title)</title>
    <style>
    body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f7f9;margin:0}
    main{max-width:40rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d8dde3;border-radius:12px}
    h1{font-size:1.4rem;margin-top:0}
    h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
    a{color:#0b57d0}
    .muted{color:#57606a;font-size:.9rem}
    code,pre{font:14px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f0f2f4;border-radius:4px}
    code{padding:0 .25rem}
    pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
    dt{font-weight:600}
    dd{margin:0 0 .75rem 0;overflow-wrap:anywhere}
    table{border-collapse:collapse;width:100%;font-size:.95rem}
    th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #d8dde3;overflow-wrap:anywhere}
    th{font-weight:400;width:1%;white-space:nowrap}
    ol.steps{padding-left:1.5rem}
    .steps .passed::marker{color:#2e7d32}
    .steps .failed{color:#c62828}
    .steps .not-reached{color:#57606a}
    .error{border-left:4px solid #c62828;padding-left:.75rem}
    .ok{border-left:4px solid #2e7d32;padding-left:.75rem}
    button,.button{font:inherit;padding:.5rem 1rem;border-radius:8px;border:1px solid #8c959f;background:#fff;color:#1f2328;cursor:pointer;display:inline-block;text-decoration:none}
    button.primary,.button.primary{background:#e60023;border-color:#e60023;color:#fff}
    :focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
    label{display:block;padding:.5rem;border:1px solid #d8dde3;border-radius:8px;margin:.5rem 0}
    @media (max-width:40rem){body{background:#fff}main{margin:0;border:0;border-radius:0}}
    @media (prefers-color-scheme: dark){body{background:#0d1117;color:#e6edf3}main{background:#161b22;border-color:#30363d}code,pre{background:#21262d}label,th,td{border-color:#30363d}button,.button{background:#21262d;color:#e6edf3}.muted,.steps .not-reached{color:#8b949e}a{color:#79b8ff}}
    </style>
    </head>
    <body>
    <main>
    \(body)
    </main>
    </body>
    </html>
    """
}
