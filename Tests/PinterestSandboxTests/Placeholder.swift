import Testing
@testable import PinterestSandbox
