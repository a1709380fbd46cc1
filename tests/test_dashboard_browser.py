"""The dashboard (/_mock/dashboard) in a real browser (Debian's Chromium driven by Playwright)
against `serve`: the world, the live journal and its filters, the clock, faults, sandboxes.

Waits are polls with a deadline (Playwright's own), never timing assertions.
"""

from datetime import datetime

import pytest
import requests
from playwright.sync_api import Expect

from conftest import DEMO_BU, needs_chromium

DEADLINE_MS = 10_000
APIKEY = {"apikey": "demo-partner-key"}
FIND = "/v1/business-units/find"
MISSING_BU = "/v1/business-units/000000000000000000000000"

expect = Expect()  # this module's own, so the longer deadline stays here
expect.set_options(timeout=DEADLINE_MS)  # the page polls the world and faults every 5 s

pytestmark = [needs_chromium, pytest.mark.xdist_group("chromium")]  # one Chromium for all browser tests


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(DEADLINE_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def dashboard(live, page):
    response = page.goto(live + "/_mock/dashboard")
    assert response.status == 200
    return page


def journal_row(page, path):
    return page.locator(f'#journal tbody tr[data-path="{path}"]')


def test_show_dashboard_in_browser_lists_business_units_and_partners(dashboard, live, tmp_path):
    units = requests.get(live + "/_mock/state", timeout=10).json()["businessUnits"]
    rows = dashboard.locator("#business-units tbody tr")
    expect(rows).to_have_count(len(units))
    expect(rows.filter(has_text=DEMO_BU)).to_contain_text("trustpilotdemo.com")
    expect(dashboard.locator("#partners tbody")).to_contain_text("demo-partner-key")
    expect(dashboard.locator("#partners tbody")).to_contain_text("***")  # secrets stay hidden
    assert "demo-partner-secret" not in dashboard.content()
    shot = tmp_path / "dashboard.png"
    dashboard.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_dashboard_in_browser_journal_shows_new_requests_and_filters_them(dashboard, live, tmp_path):
    expect(dashboard.locator("#business-units tbody tr").first).to_be_visible()  # the page is running
    assert requests.get(live + FIND, params={"name": "trustpilotdemo.com"}, headers=APIKEY, timeout=10).status_code == 200
    assert requests.get(live + MISSING_BU, headers=APIKEY, timeout=10).status_code == 404

    found, missing = journal_row(dashboard, FIND), journal_row(dashboard, MISSING_BU)
    expect(found).to_have_count(1)  # polls until the journal poll has brought it in, or the deadline
    expect(missing).to_have_count(1)
    expect(found).to_contain_text("200")
    expect(missing).to_contain_text("404")

    dashboard.fill("#filter-path", "find")
    expect(found).to_be_visible()
    expect(missing).to_be_hidden()

    dashboard.fill("#filter-path", "")
    dashboard.fill("#filter-status", "4xx")
    expect(found).to_be_hidden()
    expect(missing).to_be_visible()

    dashboard.fill("#filter-status", "")
    dashboard.select_option("#filter-method", "POST")
    expect(found).to_be_hidden()
    expect(missing).to_be_hidden()
    dashboard.select_option("#filter-method", "GET")
    expect(found).to_be_visible()
    expect(missing).to_be_visible()
    shot = tmp_path / "dashboard-journal.png"
    dashboard.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_dashboard_in_browser_advance_clock_updates_shown_time(dashboard, live):
    before = requests.get(live + "/_mock/clock", timeout=10).json()["epochSeconds"]
    expect(dashboard.locator("#clock-now")).not_to_have_text("…")

    dashboard.fill("#clock-hours", "48")
    dashboard.click("#clock-advance")

    target = before + 48 * 3600
    dashboard.wait_for_function(
        "target => Date.parse(document.getElementById('clock-now').textContent) / 1000 >= target", arg=target)
    shown = dashboard.locator("#clock-now").text_content()
    assert datetime.fromisoformat(shown.replace("Z", "+00:00")).timestamp() >= target
    assert requests.get(live + "/_mock/clock", timeout=10).json()["offsetSeconds"] >= 48 * 3600 - 1


def test_show_dashboard_in_browser_shows_active_faults(dashboard, live):
    created = requests.post(live + "/_mock/faults", timeout=10,
                            json={"id": "dash-503", "method": "GET", "path": "/v1/nothing/**",
                                  "response": {"preset": "serviceUnavailable"}})
    if created.status_code == 404:
        expect(dashboard.locator("#faults-note")).to_have_text("Fault injection is not available on this server.")
        return
    assert created.status_code == 201, created.text
    row = dashboard.locator("#faults tbody tr", has_text="dash-503")
    expect(row).to_contain_text("/v1/nothing/**")
    expect(row).to_contain_text("serviceUnavailable")


def test_show_dashboard_in_browser_links_each_sandbox_to_its_own_page(dashboard, live):
    assert requests.post(live + "/_mock/sandboxes", json={"name": "dash-1"}, timeout=10).status_code == 201
    try:
        link = dashboard.locator("#sandboxes a", has_text="dash-1")
        expect(link).to_have_attribute("href", "/_sandbox/dash-1/_mock/dashboard")
        link.click()
        expect(dashboard.locator("#sandbox-name")).to_have_text("dash-1")
        assert requests.get(live + "/_sandbox/dash-1" + FIND, params={"name": "trustpilotdemo.com"},
                            headers=APIKEY, timeout=10).status_code == 200
        expect(journal_row(dashboard, FIND)).to_have_count(1)  # this sandbox's journal, not the default's
        expect(dashboard.locator("#sandboxes li.current")).to_contain_text("dash-1")
    finally:
        requests.delete(live + "/_mock/sandboxes/dash-1", timeout=10)
