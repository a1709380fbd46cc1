"""The HTTP layer shared by the emulated API (api/) and the control plane (control/).

request.py    what one request carries: its sandbox, its credentials, its link root (the
              request's own scheme and host), and the query/body parsers that turn bad input
              into typed errors
responses.py  what the state layer's domain results become on the wire: page links
              (next-page/prev-page), the eligibility statuses, created objects
"""
