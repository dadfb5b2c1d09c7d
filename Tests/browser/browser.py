"""Headless Chromium for the browser suite: launch, cookies, network log, screenshots and checks.

Uses Debian's chromium and chromium-driver through Debian's python3-selenium (4.8.3 on Debian 12).
Selenium 4.8.3 falls back to Selenium Manager, which downloads drivers, only when the driver it
is given is missing, and Debian's package ships no Selenium Manager binary.
"""

import base64
import json
import os
import re
import shutil
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

# Debian's /usr/bin/chromium is a shell wrapper that adds Debian's Google API keys and remote
# extensions to every start. The binary behind it starts without them.
CHROMIUM_BINARY = "/usr/lib/chromium/chromium"
CHROMEDRIVER_BINARY = "/usr/bin/chromedriver"

DESKTOP_SIZE = (1280, 900)
# The viewport of an iPhone 12 to 14, in CSS pixels.
PHONE_SIZE = (390, 844)

WAIT_SECONDS = 10

# Switches that keep Chromium from contacting anything but the pages the suite opens, and from
# showing first-run prompts or asking a desktop keyring for passwords.
QUIET_SWITCHES = [
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",  # turns off the background requests of several services
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--safebrowsing-disable-auto-update",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--metrics-recording-only",  # records metrics locally and never uploads them
    "--no-pings",
    "--password-store=basic",
    "--disable-features=" + ",".join([
        "AutofillServerCommunication",
        "CertificateTransparencyComponentUpdater",
        "DialMediaRouteProvider",
        "InterestFeedContentSuggestions",
        "MediaRouter",
        "NetworkTimeServiceQuerying",
        "OptimizationHints",
        "SafeBrowsingEnhancedProtection",
        "Translate",
    ]),
    # Every host but 127.0.0.1 fails to resolve, so a background service missed above still
    # reaches nothing. The rules apply to IP literals too, hence the exclusion.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class StepFailed(Exception):
    """A step of a scenario that could not go on: the page it was on, what it expected, what it saw."""

    def __init__(self, page, expected, saw):
        super().__init__(f"on {page}: expected {expected}, saw {saw}")


class Results:
    """Prints one line per check for Tests/e2e/browser.sh: `ok NAME` or `FAIL NAME<TAB>DETAIL`."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        self.passed += 1
        print(f"ok {name}", flush=True)

    def fail(self, name, detail):
        self.failed += 1
        detail = " ".join(str(detail).split())
        print(f"FAIL {name}\t{detail}", flush=True)


class Browser:
    """One Chromium with one WebDriver session, shared by every scenario of a run."""

    def __init__(self, base, screenshot_directory, results):
        self.base = base
        self.screenshot_directory = screenshot_directory
        self.results = results
        self.screenshot_count = 0
        self.scenario = "start"
        self.profile_directory = tempfile.mkdtemp(prefix="pc-chromium-")

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM_BINARY
        options.add_argument("--headless")
        options.add_argument(f"--user-data-dir={self.profile_directory}")
        options.add_argument(f"--window-size={DESKTOP_SIZE[0]},{DESKTOP_SIZE[1]}")
        options.add_argument("--lang=en-US")
        # Containers often have a /dev/shm of 64 MiB, too small for Chromium's shared memory.
        options.add_argument("--disable-dev-shm-usage")
        if os.geteuid() == 0:
            # Chromium exits at start when run as root with its sandbox on.
            options.add_argument("--no-sandbox")
        for switch in QUIET_SWITCHES:
            options.add_argument(switch)
        # The performance log carries the DevTools network events: redirects and response statuses.
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})

        service = Service(CHROMEDRIVER_BINARY, log_path=os.path.join(self.profile_directory, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(WAIT_SECONDS * 2)

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile_directory, ignore_errors=True)

    # Pages

    def page(self):
        """Describes the current page for failure messages: its title and URL."""
        try:
            return f"'{self.driver.title}' ({self.driver.current_url})"
        except WebDriverException as error:
            return f"an unreadable page ({error.msg})"

    def open(self, path):
        self.driver.get(self.base + path)

    def wait_for(self, condition, expected, saw):
        """Waits until `condition()` is true, and raises StepFailed with `saw()` if it never is."""
        try:
            WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.1).until(lambda _: condition())
        except TimeoutException:
            raise StepFailed(self.page(), f"{expected} within {WAIT_SECONDS} s", saw()) from None

    def text(self, css):
        elements = self.driver.find_elements("css selector", css)
        return elements[0].text if elements else f"no element {css}"

    def element(self, css):
        elements = self.driver.find_elements("css selector", css)
        if not elements:
            raise StepFailed(self.page(), f"an element {css}", "none")
        return elements[0]

    def is_visible(self, element):
        """Tells whether a person could see `element`. Selenium 4.8.3's is_displayed() counts the
        content of a closed <details> as shown, so this calls the browser's checkVisibility()."""
        return self.driver.execute_script("return arguments[0].checkVisibility()", element)

    def click(self, css):
        self.element(css).click()

    def horizontal_overflow(self):
        """Returns how many CSS pixels the page is wider than its viewport (0 when it fits)."""
        return self.driver.execute_script(
            "return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)")

    def fetch(self, path):
        """Fetches `path` from the current page with its cookies and returns (status, JSON or text)."""
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {credentials: "same-origin", headers: {Accept: "application/json"}})
              .then(async response => done([response.status, await response.text()]))
              .catch(error => done([0, String(error)]));
            """, path)
        status, body = result
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body

    # Window size

    def use_phone_viewport(self):
        """Emulates a phone in the current tab: its viewport, pixel ratio and touch layout rules."""
        width, height = PHONE_SIZE
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})

    def use_desktop_viewport(self):
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # Cookies

    def cookies(self):
        """Returns every cookie of the browser, whatever its path, with all its attributes."""
        return self.driver.execute_cdp_cmd("Storage.getCookies", {})["cookies"]

    def cookie(self, name):
        matches = [cookie for cookie in self.cookies() if cookie["name"] == name]
        return matches[0] if matches else None

    def transaction_cookies(self):
        return sorted(cookie["name"] for cookie in self.cookies() if cookie["name"].startswith("pc_tx_"))

    def set_cookie(self, cookie):
        self.driver.execute_cdp_cmd("Network.setCookie", {
            "name": cookie["name"], "value": cookie["value"], "url": self.base + "/",
            "path": cookie["path"], "httpOnly": cookie["httpOnly"], "sameSite": cookie["sameSite"],
        })

    def reset(self):
        """Starts a scenario from a clean browser: one tab on about:blank, no cookies, no storage."""
        handles = self.driver.window_handles
        for handle in handles[1:]:
            self.driver.switch_to.window(handle)
            self.driver.close()
        self.driver.switch_to.window(handles[0])
        self.use_desktop_viewport()
        self.driver.get("about:blank")
        self.driver.execute_cdp_cmd("Storage.clearCookies", {})
        self.driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": self.base, "storageTypes": "all"})
        self.take_network_events()

    # Network log

    def take_network_events(self):
        """Returns the DevTools Network events logged since the last call, and empties the log."""
        events = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"].startswith("Network."):
                events.append(message)
        return events

    @staticmethod
    def requested_urls(events, prefix):
        """Returns the URLs of requests in `events` that start with `prefix`, redirects included."""
        return [event["params"]["request"]["url"] for event in events
                if event["method"] == "Network.requestWillBeSent" and event["params"]["request"]["url"].startswith(prefix)]

    @staticmethod
    def document_statuses(events):
        """Returns (URL, HTTP status) of each page document received in `events`, in order."""
        return [(event["params"]["response"]["url"], event["params"]["response"]["status"]) for event in events
                if event["method"] == "Network.responseReceived" and event["params"].get("type") == "Document"]

    # Screenshots

    def screenshot(self, step):
        """Saves the whole page, beyond the viewport, as NN-SCENARIO-STEP.png."""
        self.screenshot_count += 1
        name = f"{self.screenshot_count:02d}-{self.scenario}-{step}"
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png"
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        viewport = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
        clip = {"x": 0, "y": 0, "scale": 1,
                "width": max(size["width"], viewport["clientWidth"]),
                "height": min(max(size["height"], viewport["clientHeight"]), 8000)}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot",
                                           {"format": "png", "captureBeyondViewport": True, "clip": clip})
        with open(os.path.join(self.screenshot_directory, name), "wb") as file:
            file.write(base64.b64decode(shot["data"]))


class Scenario:
    """Runs the checks of one scenario. A check that fails is reported and the scenario goes on; a
    StepFailed or a WebDriver error ends the scenario with one failure naming the step."""

    def __init__(self, browser, name):
        self.browser = browser
        self.name = name
        self.step = "start"

    def __enter__(self):
        self.browser.scenario = self.name
        self.started = time.monotonic()
        self.browser.reset()
        return self

    def __exit__(self, kind, error, trace):
        results = self.browser.results
        if error is None:
            print(f"# {self.name}: {time.monotonic() - self.started:.1f} s", flush=True)
            return False
        if isinstance(error, StepFailed):
            results.fail(f"{self.name}: {self.step}", error)
        elif isinstance(error, WebDriverException):
            results.fail(f"{self.name}: {self.step}", f"on {self.browser.page()}: WebDriver error {error.msg}")
        elif isinstance(error, Exception):
            results.fail(f"{self.name}: {self.step}", "".join(traceback.format_exception(kind, error, trace))[-500:])
        else:
            return False
        return True

    def begin(self, step):
        """Names the step that a StepFailed or WebDriver error would be reported under."""
        self.step = step

    def check(self, name, expected, saw):
        """Reports `name` as passed when `saw` equals `expected`."""
        if saw == expected:
            self.browser.results.ok(f"{self.name}: {name}")
        else:
            self.browser.results.fail(f"{self.name}: {name}",
                                      f"on {self.browser.page()}: expected {expected!r}, saw {saw!r}")

    def check_true(self, name, condition, expected, saw):
        """Reports `name` as passed when `condition` is true, else as failed with `expected` and `saw`."""
        if condition:
            self.browser.results.ok(f"{self.name}: {name}")
        else:
            self.browser.results.fail(f"{self.name}: {name}", f"on {self.browser.page()}: expected {expected}, saw {saw}")
