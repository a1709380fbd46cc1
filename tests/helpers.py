"""Small helpers shared by the tests: the default world's values and the calls every flow makes."""

import base64
from concurrent.futures import ThreadPoolExecutor

PARTNER_ID = "cd94b09c-8f89-11ea-bc55-0242ac130003"
OTHER_PARTNER_ID = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
DEMO_BU = "507f191e810c19729de860ea"
FREE_BU = "6a1b2c3d4e5f60718293a500"
NOPERMS_BU = "6a1b2c3d4e5f60718293a600"
NOLOCATIONS_BU = "6a1b2c3d4e5f60718293a700"
TWOFACTOR_BU = "6a1b2c3d4e5f60718293a800"
PARTNER = ("demo-partner-key", "demo-partner-secret")
OTHER_PARTNER = ("other-partner-key", "other-partner-secret")
PARTNER_USER = ("partner@demo-partner.test", "partner-password")
REDIRECT = "http://127.0.0.1:5000/callback"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
REFRESH_PATH = "/v1/oauth/oauth-business-users-for-applications/refresh"
REVOKE_PATH = "/v1/oauth/oauth-business-users-for-applications/revoke"


def basic(key, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def bearer(token, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


def password_token(client, app=PARTNER, user=PARTNER_USER):
    """The token response of a password grant through a Flask test client."""
    response = client.post(TOKEN_PATH, headers=basic(*app),
                           data={"grant_type": "password", "username": user[0], "password": user[1]})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def customer_key(client, token, unit=DEMO_BU):
    response = client.post(f"/v1/private/partners/{PARTNER_ID}/key/{unit}", headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def login_code(client, key, user=("admin@trustpilotdemo.com", "customer-password"), state="xyz", redirect=REDIRECT):
    """Submit the login page's form like a browser; returns the code from the redirect."""
    from urllib.parse import parse_qs, urlsplit

    query = {"client_id": key, "redirect_uri": redirect, "response_type": "code", "state": state}
    response = client.post("/authenticate", query_string=query, data={"username": user[0], "password": user[1]})
    assert response.status_code == 302, response.get_data(as_text=True)
    params = parse_qs(urlsplit(response.headers["Location"]).query)
    assert params["state"] == [state]
    return params["code"][0]


def fault(response):
    body = response.get_json()
    return body["fault"]["detail"]["errorcode"], body["fault"]["faultstring"]


def credential_fault(response):
    """(errorcode, faultstring, reason) of a gateway 401: a fixed faultstring, the why in detail.reason."""
    body = response.get_json()["fault"]
    return body["detail"]["errorcode"], body["faultstring"], body["detail"]["reason"]


def customer_headers(client):
    """Headers of the demo unit's admin, through the partner onboarding (customer token + partner header)."""
    key = customer_key(client, password_token(client)["access_token"])
    token = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                        data={"grant_type": "authorization_code", "code": login_code(client, key["apiKey"]),
                              "redirect_uri": REDIRECT}).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}", "x-partner-id": PARTNER_ID}


def http_customer_headers(base):
    """customer_headers over real HTTP, against a served emulator at ``base``."""
    import requests
    from urllib.parse import parse_qs, urlsplit

    partner = requests.post(base + TOKEN_PATH, auth=PARTNER, timeout=10, data={
        "grant_type": "password", "username": PARTNER_USER[0], "password": PARTNER_USER[1]}).json()["access_token"]
    key = requests.post(f"{base}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}", headers=bearer(partner),
                        timeout=10).json()
    login = requests.post(f"{base}/authenticate", allow_redirects=False, timeout=10,
                          params={"client_id": key["apiKey"], "redirect_uri": REDIRECT, "response_type": "code"},
                          data={"username": "admin@trustpilotdemo.com", "password": "customer-password"})
    code = parse_qs(urlsplit(login.headers["Location"]).query)["code"][0]
    customer = requests.post(base + TOKEN_PATH, auth=(key["apiKey"], key["apiSecret"]), timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}).json()["access_token"]
    return bearer(customer, **{"x-partner-id": PARTNER_ID})


def from_both_workers(send, times=40):
    """``send()`` ``times`` times, four at once, so that both workers of a live server answer some."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda _: send(), range(times)))


def ok(response):
    """The JSON body of a 200 (the body shown when it is not)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def service_error(response, status):
    """(errorCode, details) of a service-family error answered with ``status``."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    return body["errorCode"], body["details"]
