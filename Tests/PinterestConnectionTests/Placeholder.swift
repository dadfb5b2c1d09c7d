import Testing
@testable import PinterestConnection
