"""The conformance kit: runs a partner's integration against the sandbox and reports readiness.

Where things live: manifest.py reads the partner's manifest; runner.py gives each check of the
catalog (checks/) a fresh world (worlds.py, scenarios/conformance/) and an instance of the
integration (driver.py); a check works through context.py (triggers, consent in browsers.py /
consent.py, the sandbox's journal) and raises CheckFailed; reporters/ turn the results
(results.py) into the console checklist, JUnit, JSON and the HTML review report. cli.py is
``trustpilot-conformance``.
"""
