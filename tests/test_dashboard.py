"""GET /_mock/dashboard in-process: the page, its control-plane base per sandbox (the browser
tests in tests/test_dashboard_browser.py drive what it does)."""


def test_show_dashboard_serves_html_page(client):
    response = client.get("/_mock/dashboard")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '<body data-control="/_mock" data-root="" data-sandbox="default">' in html
    assert "<script>" in html and "refreshJournal" in html  # the script is inlined: one request


def test_show_dashboard_named_sandbox_polls_its_own_control_plane(client):
    assert client.post("/_mock/sandboxes", json={"name": "job-7"}).status_code == 201
    html = client.get("/_sandbox/job-7/_mock/dashboard").get_data(as_text=True)
    assert '<body data-control="/_sandbox/job-7/_mock" data-root="" data-sandbox="job-7">' in html


def test_show_dashboard_unknown_sandbox_not_found(client):
    response = client.get("/_sandbox/nope/_mock/dashboard")
    assert response.status_code == 404
    assert response.get_json()["errorCode"] == 1004


def test_show_dashboard_is_not_journaled(client):
    client.get("/_mock/dashboard")
    assert client.get("/_mock/journal").get_json()["entries"] == []
