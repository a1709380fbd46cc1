#!/bin/sh
# The partner onboarding flow of the program page, steps 2 to 6, against a running sandbox,
# the customer's consent included (the login form posted as a browser would, no browser needed).
#
# Needs: curl, jq, and a sandbox serving the default world (`make serve` in another terminal).
# Usage: examples/onboarding.sh [BASE_URL]      (default: http://127.0.0.1:8080)
set -eu
B=${1:-http://127.0.0.1:8080}
PARTNER_ID=cd94b09c-8f89-11ea-bc55-0242ac130003        # the default world's partner
DOMAIN=trustpilotdemo.com                             # the customer's website
REDIRECT=http://127.0.0.1:5000/callback               # registered for the partner in the default world
TOKEN_URL=$B/v1/oauth/oauth-business-users-for-applications/accesstoken

echo "2. partner token: password grant, the partner's key and secret as HTTP Basic (curl -u encodes them)"
T=$(curl -fsS -u demo-partner-key:demo-partner-secret "$TOKEN_URL" \
      -d grant_type=password -d username=partner@demo-partner.test -d password=partner-password | jq -r .access_token)

echo "3. the customer's business unit, found by domain"
BU=$(curl -fsS -H 'apikey: demo-partner-key' "$B/v1/business-units/find?name=$DOMAIN" | jq -r .id)
echo "   $DOMAIN -> $BU"

echo "4. eligibility: 201 eligible, 200 not"
STATUS=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$B/v1/private/partners/$PARTNER_ID/check/$BU")
echo "   $STATUS"
[ "$STATUS" = 201 ] || { echo "the customer is not eligible: stop here" >&2; exit 1; }

echo "5. the customer's API key, made by the partner"
KEY_JSON=$(curl -fsS -X POST -H "Authorization: Bearer $T" "$B/v1/private/partners/$PARTNER_ID/key/$BU")
KEY=$(printf '%s' "$KEY_JSON" | jq -r .apiKey)
SECRET=$(printf '%s' "$KEY_JSON" | jq -r .apiSecret)

echo "6. consent: the customer opens the login page and logs in (admin@trustpilotdemo.com / customer-password)"
PAGE="$B/authenticate?client_id=$KEY&redirect_uri=$REDIRECT&response_type=code&state=xyz"
curl -fsS -o /dev/null "$PAGE"                       # what the customer's browser shows
CALLBACK=$(curl -sS -o /dev/null -w '%{redirect_url}' "$PAGE" \
             -d username=admin@trustpilotdemo.com -d password=customer-password)
echo "   redirected to $CALLBACK"
CODE=$(printf '%s' "$CALLBACK" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
[ -n "$CODE" ] || { echo "no code in the redirect" >&2; exit 1; }

echo "   the integration exchanges the code, authenticating with the customer's key and secret"
CUSTOMER_TOKEN=$(curl -fsS -u "$KEY:$SECRET" "$TOKEN_URL" -d grant_type=authorization_code \
                   --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT" | jq -r .access_token)

echo "   and calls the API for the customer, with the partner id header"
curl -fsS -H "Authorization: Bearer $CUSTOMER_TOKEN" -H "x-partner-id: $PARTNER_ID" \
     "$B/v1/private/business-units/$BU/reviews?perPage=1" | jq -c '{firstReview: .reviews[0].id, stars: .reviews[0].stars}'
echo "onboarded: $DOMAIN is connected"
