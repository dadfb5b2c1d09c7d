"""A real browser logs in through nginx: the demo application, the sandbox consent page and the
connection's callback, in headless Chromium.

Usage: /usr/bin/python3 Tests/browser/login_flows.py --base http://127.0.0.1:PORT --screenshots DIR

Prints `ok NAME` or `FAIL NAME<TAB>DETAIL` per check for Tests/e2e/browser.sh, and lines starting
with `#` as progress. Exits 1 when a check failed.
"""

import argparse
import json
import os
import sys
import time

from browser import Browser, Results, Scenario, StepFailed

# The sandbox's built-in test accounts: the name the demo page greets them with (business_name,
# else username) and the user id the connection gives them.
ACCOUNTS = {
    "sandbox_pinner": ("sandbox_pinner", "pinterest|4714936491839602101"),
    "sandbox_business": ("Sandbox Furniture Ltd", "pinterest|4714936491839602102"),
    "sandbox_minimal": ("sandbox_minimal", "pinterest|4714936491839602103"),
    "sandbox_unicode": ("Zoë's Café — 東京", "pinterest|4714936491839602104"),
}
REGULAR_ACCOUNTS = sorted(ACCOUNTS)

LOGGED_OUT = "You are not logged in."
SESSION_LIFETIME_SECONDS = 86400  # session.lifetime_seconds in scripts/stack.sh


# Steps shared by the scenarios

def open_demo(browser, expected_status):
    browser.open("/demo/")
    wait_for_demo(browser, expected_status)


def wait_for_demo(browser, expected_status):
    """Waits until the demo page at {BASE}/demo/ shows a status starting with `expected_status`."""
    demo_url = browser.base + "/demo/"
    browser.wait_for(
        lambda: browser.driver.current_url == demo_url and browser.text("#status").startswith(expected_status),
        f"the demo page at {demo_url} showing '{expected_status}'",
        lambda: f"status '{browser.text('#status')}'")


def start_login(browser):
    """Clicks "Log in with Pinterest" on the demo page and waits for the sandbox consent page."""
    browser.click("#login")
    consent_url = browser.base + "/sandbox/oauth/"
    browser.wait_for(
        lambda: browser.driver.current_url.startswith(consent_url)
        and browser.driver.find_elements("css selector", "button[name=decision][value=allow]"),
        f"the sandbox consent page at {consent_url} with an Allow button",
        lambda: f"heading '{browser.text('h1')}'")


def answer_consent(browser, account, decision):
    browser.click(f"input[name=account][value={account}]")
    browser.click(f"button[name=decision][value={decision}]")


def log_in(browser, account):
    """Logs in from the demo page with `account` and waits for the demo page to greet it."""
    start_login(browser)
    answer_consent(browser, account, "allow")
    wait_for_demo(browser, "Logged in as " + ACCOUNTS[account][0])


def shown_profile(browser):
    """Returns the profile that the demo page shows, parsed from its JSON box."""
    text = browser.text("#profile")
    try:
        return json.loads(text)
    except ValueError:
        raise StepFailed(browser.page(), "the profile as JSON in #profile", text[:200]) from None


def check_displayed(scenario, css, expected):
    elements = scenario.browser.driver.find_elements("css selector", css)
    visible = bool(elements) and scenario.browser.is_visible(elements[0])
    scenario.check(f"{css} {'shown' if expected else 'hidden'}", expected, visible)


def check_fits_width(scenario, page_name):
    scenario.check(f"{page_name} fits the window width", 0, scenario.browser.horizontal_overflow())


def check_no_transaction_cookie(scenario):
    scenario.check("no transaction cookie remains", [], scenario.browser.transaction_cookies())


def check_error_page(scenario, code, status, events):
    """Checks that the browser shows the connection's HTML error page for `code`."""
    browser = scenario.browser
    scenario.check(f"{code} page title", f"Error: {code}", browser.driver.title)
    scenario.check(f"{code} page names its code", code, browser.text("main code"))
    statuses = Browser.document_statuses(events)
    scenario.check(f"{code} page status", status, statuses[-1][1] if statuses else None)


# Scenarios

def desktop_login(browser):
    """Log in on a desktop-sized window, check the session cookie, and reload."""
    with Scenario(browser, "desktop login") as scenario:
        scenario.begin("demo page shows logged out")
        open_demo(browser, LOGGED_OUT)
        browser.screenshot("demo-logged-out")
        check_displayed(scenario, "#login", True)
        check_displayed(scenario, "#logout", False)
        check_fits_width(scenario, "demo page")

        scenario.begin("consent page opens")
        start_login(browser)
        browser.screenshot("consent")
        scenario.check_true("consent page asks for access",
                            "wants to access your Pinterest account" in browser.text("h1"),
                            "a heading asking for access", repr(browser.text("h1")))
        radios = browser.driver.find_elements("css selector", "input[name=account]")
        regular = sorted(radio.get_attribute("value") for radio in radios if browser.is_visible(radio))
        scenario.check("consent page shows the regular accounts", REGULAR_ACCOUNTS, regular)
        scenario.check_true("fault accounts start collapsed", len(radios) > len(regular),
                            "fault accounts hidden in a closed <details>", f"{len(radios)} accounts, {len(regular)} shown")
        pending = browser.transaction_cookies()
        scenario.check("one transaction cookie while consenting", 1, len(pending))
        if pending:
            transaction = browser.cookie(pending[0])
            scenario.check("transaction cookie is httpOnly", True, transaction["httpOnly"])
            scenario.check("transaction cookie is SameSite Lax", "Lax", transaction["sameSite"])
        check_fits_width(scenario, "consent page")
        browser.take_network_events()

        scenario.begin("Allow returns to the demo page")
        answer_consent(browser, "sandbox_pinner", "allow")
        wait_for_demo(browser, "Logged in as sandbox_pinner")
        events = browser.take_network_events()
        browser.screenshot("logged-in")
        callbacks = Browser.requested_urls(events, browser.base + "/login/callback?")
        scenario.check("browser went through one callback", 1, len(callbacks))
        scenario.check("address bar has no code or state", browser.base + "/demo/", browser.driver.current_url)
        check_displayed(scenario, "#logout", True)
        check_displayed(scenario, "#login", False)
        check_fits_width(scenario, "logged-in demo page")

        profile = shown_profile(browser)
        scenario.check("profile user_id", ACCOUNTS["sandbox_pinner"][1], profile.get("user_id"))
        scenario.check("profile nickname", "sandbox_pinner", profile.get("nickname"))
        scenario.check("profile has no token", [], [key for key in profile if "token" in key.lower()])
        scenario.check("profile markup shown as text", True,
                       "<b>baking</b>" in browser.text("#profile")
                       and not browser.driver.find_elements("css selector", "#profile b"))

        scenario.begin("session cookie")
        session = browser.cookie("pc_session")
        scenario.check_true("session cookie is kept", session is not None, "a pc_session cookie", browser.cookies())
        if session:
            scenario.check("session cookie is httpOnly", True, session["httpOnly"])
            scenario.check("session cookie is SameSite Lax", "Lax", session["sameSite"])
            scenario.check("session cookie path", "/", session["path"])
            scenario.check("session cookie host", "127.0.0.1", session["domain"])
            scenario.check("session cookie is persistent", False, session["session"])
            lifetime = session["expires"] - time.time()
            scenario.check_true("session cookie lasts the session lifetime",
                                abs(lifetime - SESSION_LIFETIME_SECONDS) < 120,
                                f"about {SESSION_LIFETIME_SECONDS} s", f"{lifetime:.0f} s")
        scenario.check("page script cannot read the session cookie", False,
                       "pc_session" in browser.driver.execute_script("return document.cookie"))
        check_no_transaction_cookie(scenario)

        scenario.begin("reload keeps the login")
        browser.driver.refresh()
        wait_for_demo(browser, "Logged in as sandbox_pinner")
        browser.screenshot("reloaded")
        scenario.check("session cookie unchanged by reload", session and session["value"],
                       (browser.cookie("pc_session") or {}).get("value"))
        scenario.check("reloaded profile user_id", ACCOUNTS["sandbox_pinner"][1], shown_profile(browser).get("user_id"))


def replayed_callback(browser):
    """After a login, Back and a refresh of the callback URL show invalid_state, not a second login."""
    with Scenario(browser, "callback replay") as scenario:
        scenario.begin("log in")
        open_demo(browser, LOGGED_OUT)
        browser.take_network_events()
        log_in(browser, "sandbox_business")
        callbacks = Browser.requested_urls(browser.take_network_events(), browser.base + "/login/callback?")
        if not callbacks:
            raise StepFailed(browser.page(), "a request to /login/callback in the network log", "none")
        callback_url = callbacks[-1]
        session = browser.cookie("pc_session")
        first_login = shown_profile(browser)

        scenario.begin("Back to the consent page")
        browser.driver.back()
        consent_url = browser.base + "/sandbox/oauth/"
        browser.wait_for(lambda: browser.driver.current_url.startswith(consent_url),
                         f"the consent page at {consent_url}", lambda: browser.driver.current_url)
        browser.screenshot("back-to-consent")

        scenario.begin("Allow again after Back")
        browser.take_network_events()
        answer_consent(browser, "sandbox_business", "allow")
        browser.wait_for(lambda: browser.driver.title.startswith("Error"),
                         "an error page", lambda: browser.text("h1"))
        events = browser.take_network_events()
        browser.screenshot("allow-again")
        scenario.check("Allow again reaches the callback", 1,
                       len(Browser.requested_urls(events, browser.base + "/login/callback?")))
        check_error_page(scenario, "invalid_state", 400, events)
        check_fits_width(scenario, "invalid_state page")

        scenario.begin("open the used callback URL")
        browser.driver.get(callback_url)
        events = browser.take_network_events()
        browser.screenshot("callback-reopened")
        check_error_page(scenario, "invalid_state", 400, events)

        scenario.begin("refresh the callback URL")
        browser.driver.refresh()
        events = browser.take_network_events()
        browser.screenshot("callback-refreshed")
        scenario.check("refreshed callback URL", callback_url, browser.driver.current_url)
        check_error_page(scenario, "invalid_state", 400, events)

        scenario.begin("first login still in place")
        scenario.check("session cookie unchanged", session and session["value"],
                       (browser.cookie("pc_session") or {}).get("value"))
        check_no_transaction_cookie(scenario)
        open_demo(browser, "Logged in as " + ACCOUNTS["sandbox_business"][0])
        profile = shown_profile(browser)
        scenario.check("no second login was counted", first_login.get("logins_count"), profile.get("logins_count"))
        scenario.check("last_login unchanged", first_login.get("last_login"), profile.get("last_login"))


def denied_consent(browser):
    """Deny on the consent page: the demo page shows access_denied and no session exists."""
    with Scenario(browser, "consent denied") as scenario:
        scenario.begin("deny")
        open_demo(browser, LOGGED_OUT)
        start_login(browser)
        answer_consent(browser, "sandbox_minimal", "deny")
        wait_for_demo(browser, "Login failed")
        browser.screenshot("denied")
        status = browser.element("#status")
        scenario.check("demo page shows the OAuth error", "Login failed: access_denied", browser.text("#status strong"))
        scenario.check_true("demo page shows the description and code",
                            "did not allow" in status.text and "(access_denied)" in status.text,
                            "the error_description and '(access_denied)'", repr(status.text))
        scenario.check("status styled as an error", "error", status.get_attribute("class"))
        scenario.check("address bar has no error", browser.base + "/demo/", browser.driver.current_url)
        check_displayed(scenario, "#login", True)
        check_displayed(scenario, "#logout", False)
        scenario.check("no session cookie", None, browser.cookie("pc_session"))
        check_no_transaction_cookie(scenario)
        check_fits_width(scenario, "denied demo page")


def logout(browser):
    """Log out from the demo page: /profile returns 401, also with the old cookie put back."""
    with Scenario(browser, "logout") as scenario:
        scenario.begin("log in")
        open_demo(browser, LOGGED_OUT)
        log_in(browser, "sandbox_minimal")
        session = browser.cookie("pc_session")
        if session is None:
            raise StepFailed(browser.page(), "a pc_session cookie after login", browser.cookies())

        scenario.begin("Log out")
        browser.click("#logout")
        wait_for_demo(browser, LOGGED_OUT)
        browser.screenshot("logged-out")
        check_displayed(scenario, "#login", True)
        check_displayed(scenario, "#logout", False)
        scenario.check("session cookie deleted", None, browser.cookie("pc_session"))

        scenario.begin("/profile after logout")
        status, body = browser.fetch("/profile")
        scenario.check("fetch /profile status", 401, status)
        scenario.check("fetch /profile error", "login_required", body.get("error") if isinstance(body, dict) else body)
        browser.take_network_events()
        browser.open("/profile")
        statuses = Browser.document_statuses(browser.take_network_events())
        browser.screenshot("profile-401")
        scenario.check("opening /profile returns 401", 401, statuses[-1][1] if statuses else None)

        scenario.begin("old session cookie after logout")
        browser.set_cookie(session)
        status, body = browser.fetch("/profile")
        scenario.check("old cookie /profile status", 401, status)
        scenario.check("old cookie /profile error", "session_expired", body.get("error") if isinstance(body, dict) else body)


def two_tabs(browser):
    """Two tabs start logins before either finishes; both complete with their own account."""
    with Scenario(browser, "two tabs") as scenario:
        driver = browser.driver
        scenario.begin("first tab starts a login")
        first_tab = driver.current_window_handle
        open_demo(browser, LOGGED_OUT)
        start_login(browser)
        browser.screenshot("first-tab-consent")

        scenario.begin("second tab starts a login")
        driver.switch_to.new_window("tab")
        second_tab = driver.current_window_handle
        open_demo(browser, LOGGED_OUT)
        start_login(browser)
        browser.screenshot("second-tab-consent")
        scenario.check("two transaction cookies while both wait", 2, len(browser.transaction_cookies()))

        scenario.begin("first tab allows")
        driver.switch_to.window(first_tab)
        answer_consent(browser, "sandbox_pinner", "allow")
        wait_for_demo(browser, "Logged in as " + ACCOUNTS["sandbox_pinner"][0])
        browser.screenshot("first-tab-logged-in")
        scenario.check("first tab user_id", ACCOUNTS["sandbox_pinner"][1], shown_profile(browser).get("user_id"))
        scenario.check("second login still pending", 1, len(browser.transaction_cookies()))

        scenario.begin("second tab allows")
        driver.switch_to.window(second_tab)
        answer_consent(browser, "sandbox_unicode", "allow")
        wait_for_demo(browser, "Logged in as " + ACCOUNTS["sandbox_unicode"][0])
        browser.screenshot("second-tab-logged-in")
        scenario.check("second tab user_id", ACCOUNTS["sandbox_unicode"][1], shown_profile(browser).get("user_id"))
        check_no_transaction_cookie(scenario)

        scenario.begin("first tab reloads")
        # The browser has one session cookie, so every tab shows the later login after a reload.
        driver.switch_to.window(first_tab)
        driver.refresh()
        wait_for_demo(browser, "Logged in as " + ACCOUNTS["sandbox_unicode"][0])
        scenario.check("first tab now shows the later login", ACCOUNTS["sandbox_unicode"][1],
                       shown_profile(browser).get("user_id"))


def phone_login(browser):
    """The same pages in a phone-sized viewport: they fit its width, logged in and after a denial."""
    with Scenario(browser, "phone") as scenario:
        scenario.begin("demo page")
        browser.use_phone_viewport()
        open_demo(browser, LOGGED_OUT)
        browser.screenshot("demo-logged-out")
        check_fits_width(scenario, "demo page")

        scenario.begin("consent page")
        start_login(browser)
        browser.screenshot("consent")
        check_fits_width(scenario, "consent page")

        scenario.begin("log in")
        answer_consent(browser, "sandbox_unicode", "allow")
        wait_for_demo(browser, "Logged in as " + ACCOUNTS["sandbox_unicode"][0])
        browser.screenshot("logged-in")
        check_fits_width(scenario, "logged-in demo page")
        check_displayed(scenario, "#logout", True)

        scenario.begin("denied login")
        browser.click("#logout")
        wait_for_demo(browser, LOGGED_OUT)
        start_login(browser)
        answer_consent(browser, "sandbox_pinner", "deny")
        wait_for_demo(browser, "Login failed")
        browser.screenshot("denied")
        check_fits_width(scenario, "denied demo page")

        scenario.begin("error page")
        browser.open("/login/callback?code=unused&state=unknown-state")
        browser.screenshot("callback-error")
        check_fits_width(scenario, "callback error page")


SCENARIOS = [desktop_login, replayed_callback, denied_consent, logout, two_tabs, phone_login]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the stack's base URL, http://127.0.0.1:PORT")
    parser.add_argument("--screenshots", required=True, help="directory for the PNG screenshots; emptied first")
    arguments = parser.parse_args()

    os.makedirs(arguments.screenshots, exist_ok=True)
    for name in os.listdir(arguments.screenshots):
        if name.endswith(".png"):
            os.remove(os.path.join(arguments.screenshots, name))

    results = Results()
    started = time.monotonic()
    try:
        browser = Browser(arguments.base.rstrip("/"), arguments.screenshots, results)
    except Exception as error:  # noqa: BLE001 - any start failure is one reported check
        results.fail("Chromium starts", f"{type(error).__name__}: {error}")
        return 1
    print(f"# Chromium {browser.driver.capabilities.get('browserVersion')} started in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    try:
        for scenario in SCENARIOS:
            scenario(browser)
    finally:
        browser.quit()
    print(f"# {results.passed} passed, {results.failed} failed in {time.monotonic() - started:.1f} s; "
          f"screenshots in {arguments.screenshots}", flush=True)
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
