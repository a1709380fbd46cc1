"""The faults the kit injects, shared by the checks that inject them.

The gateway in front of the API does not always answer JSON: an overloaded or misrouted request
can get its HTML error page. An integration must cope with either body (say what failed, retry
when it is transient), so the kit injects this page as well as the JSON presets.
"""

# The gateway's error page; {reason} is the status and its reason phrase ("503 Service ...").
GATEWAY_PAGE = """<html>
<head><title>{reason}</title></head>
<body>
<center><h1>{reason}</h1></center>
<hr><center>gateway</center>
</body>
</html>
"""
REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
           504: "Gateway Time-out"}


def html_error(status=503):
    """A fault rule's response: the gateway's HTML error page with ``status`` (and its reason)."""
    return {"status": status, "contentType": "text/html",
            "body": GATEWAY_PAGE.format(reason=f"{status} {REASONS.get(status, 'Error')}")}
