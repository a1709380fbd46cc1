"""The login page and the authorization-code / implicit grants (in-process)."""

from urllib.parse import parse_qs, urlsplit

from helpers import REDIRECT, TOKEN_PATH, basic, customer_key, login_code, password_token


def new_key(client):
    return customer_key(client, password_token(client)["access_token"])


def exchange(client, key, code, redirect=REDIRECT):
    return client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                       data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})


def page(client, **query):
    return client.get("/authenticate", query_string=query)


def submit(client, client_id, username, password="customer-password", response_type="code", **extra):
    """Post the login form as a browser would (page parameters in the query, credentials in the body)."""
    query = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": response_type, **extra}
    return client.post("/authenticate", query_string=query, data={"username": username, "password": password})


def test_show_login_page_renders_a_form(client):
    key = new_key(client)
    response = page(client, client_id=key["apiKey"], redirect_uri=REDIRECT, response_type="code", state="s1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'name="username"' in html and 'name="password"' in html and 'method="post"' in html
    assert 'name="state" value="s1"' in html and "Demo Partner for 507f191e810c19729de860ea" in html


def test_login_page_at_root_like_the_real_host(client):
    key = new_key(client)
    response = client.get("/", query_string={"client_id": key["apiKey"], "redirect_uri": REDIRECT,
                                             "response_type": "code"})
    assert response.status_code == 200 and 'name="password"' in response.get_data(as_text=True)


def test_authorization_code_flow_issues_customer_token(client):
    key = new_key(client)
    response = exchange(client, key, login_code(client, key["apiKey"], state="abc"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["app_enduser"] == "6a1b2c3d4e5f60718293a401" and body["client_id"] == key["apiKey"]
    assert body["refresh_token"].startswith("tpr-")


def test_authorization_code_is_single_use(client):
    key = new_key(client)
    code = login_code(client, key["apiKey"])
    assert exchange(client, key, code).status_code == 200
    again = exchange(client, key, code)
    assert again.status_code == 400
    assert again.get_json()["ErrorCode"] == "invalid_grant"
    assert "already used" in again.get_json()["Error"] and "single-use" in again.get_json()["Error"]


def test_authorization_code_expires(client):
    key = new_key(client)
    code = login_code(client, key["apiKey"])
    client.post("/_mock/clock/advance", json={"seconds": 301})
    response = exchange(client, key, code)
    assert response.status_code == 400 and response.get_json()["Error"].startswith("the authorization code expired at")


def test_authorization_code_bound_to_redirect_uri(client):
    key = new_key(client)
    code = login_code(client, key["apiKey"])
    response = exchange(client, key, code, redirect="http://localhost:5000/callback")
    assert response.status_code == 400
    assert "differs from the one used at the login page" in response.get_json()["Error"]


def test_authorization_code_bound_to_client(client):
    first, second = new_key(client), new_key(client)
    response = exchange(client, second, login_code(client, first["apiKey"]))
    assert response.status_code == 400
    assert response.get_json()["Error"] == "the authorization code was issued to another client"


def test_login_page_refuses_redirect_uri_not_on_allow_list(client):
    key = new_key(client)
    response = page(client, client_id=key["apiKey"], redirect_uri="https://evil.example/cb", response_type="code")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "redirect_uri &#39;https://evil.example/cb&#39; is not on the allow-list" in html
    assert "Nothing was sent to the application" in html


def test_login_page_unknown_client_id(client):
    response = page(client, client_id="nope", redirect_uri=REDIRECT, response_type="code")
    assert response.status_code == 400
    assert "client_id &#39;nope&#39; is not the API key of any application" in response.get_data(as_text=True)


def test_login_page_bad_response_type(client):
    response = page(client, client_id="demo-partner-key", redirect_uri=REDIRECT, response_type="id_token")
    assert response.status_code == 400
    assert "must be &#39;code&#39; or &#39;token&#39;" in response.get_data(as_text=True)


def test_submit_login_wrong_password_shows_form_again(client):
    key = new_key(client)
    response = submit(client, key["apiKey"], "admin@trustpilotdemo.com", password="wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "the email or password is not right" in html and 'name="password"' in html
    assert "wrong" not in html.replace("the email or password is not right", "")


def test_submit_login_two_factor_user_is_refused(client):
    from mock_server import scenario
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["businessUnits"][4]["applications"] = [{"apiKey": "tf-app", "apiSecret": "tf-secret",
                                                  "redirectUris": [REDIRECT]}]
    client.post("/_mock/scenario", json=world)
    response = submit(client, "tf-app", "admin@twofactor.example")
    assert response.status_code == 403
    assert "has 2-step verification enabled" in response.get_data(as_text=True)


def test_submit_login_user_of_another_business_unit_is_refused(client):
    key = new_key(client)
    response = submit(client, key["apiKey"], "admin@freeplan.example")
    assert response.status_code == 403
    assert "has no access to business unit 507f191e810c19729de860ea" in response.get_data(as_text=True)


def test_implicit_grant_returns_token_in_fragment(client):
    key = new_key(client)
    response = submit(client, key["apiKey"], "admin@trustpilotdemo.com", response_type="token", state="st")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.query == ""
    fragment = parse_qs(location.fragment)
    assert fragment["access_token"][0].startswith("tpa-") and fragment["token_type"] == ["bearer"]
    assert fragment["state"] == ["st"]


def test_login_journal_redacts_password(client):
    key = new_key(client)
    login_code(client, key["apiKey"])
    entries = client.get("/_mock/journal").get_json()["entries"]
    posted = [e for e in entries if e["path"] == "/authenticate" and e["method"] == "POST"][0]
    assert ["password", "***"] in posted["form"] and ["username", "admin@trustpilotdemo.com"] in posted["form"]
    assert "customer-password" not in str(entries)
