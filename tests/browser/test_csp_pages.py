"""Under the Content-Security-Policy, pages still work in a real browser: no violation is reported, the
usage bars get their width, the language menu submits itself, and Swagger UI renders offline."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WATCH = """() => { window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    console = [m.text for m in page.context.csp_console if "Content Security Policy" in m.text]
    return console + page.evaluate("window.cspViolations || []")


def test_pages_run_under_the_policy_without_violations(page, live_server, admin_user, alice):
    page.context.csp_console = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.context.csp_console.append(message))  # type: ignore[attr-defined]
    page.add_init_script(f"({WATCH})()")
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    width = page.locator(".bar span").first.evaluate("el => el.style.width")
    assert width.endswith("%"), width  # set by static/js/anemone.js from data-percent
    with page.expect_navigation():  # the choice submits itself (data-autosubmit) and the page reloads
        page.select_option("select[name=language]", "fr")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert violations(page) == []


def test_swagger_ui_renders_from_our_server_offline(page, live_server, admin_user):
    page.context.csp_console = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.context.csp_console.append(message))  # type: ignore[attr-defined]
    page.add_init_script(f"({WATCH})()")
    outside: list[str] = []
    page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
               if not route.request.url.startswith(live_server.url) and not route.request.url.startswith("data:")
               else route.continue_())
    page.goto(live_server.url + "/api/docs/")
    page.locator(".swagger-ui .info .title").get_by_text("Anemone API").wait_for(timeout=20000)
    assert page.locator(".opblock").count() > 10  # the operations of the schema are listed
    assert outside == [] and violations(page) == []
