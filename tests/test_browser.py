"""The served app driven in Debian's Chromium through Playwright: what a user sees and clicks.

Starts ``ui.server:create_server`` with uvicorn in a subprocess (outbound network blocked and
logged by tests/netguard) against the session's index, and saves a screenshot of each view to
docs/screenshots/. Checks WCAG 2.1 AA with axe-core (installed from npm by `make axe`, never fetched
at test time) on a desktop and a phone screen. Skips only when Chromium, a Japanese font or axe-core
is absent locally; under CI=true that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT
from tests.servers import free_port, wait_healthy

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "docs" / "screenshots"
GUARD = Path(__file__).parent / "netguard"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000  # two shared cores: an answer can take a few seconds under load
AXE_JS = Path(os.environ.get("KINKI_AXE_JS", PROJECT_ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TABS = {"窓口検索 / Directory": "#directory-search", "支援策さがし / Support finder": "#find-support",
        "評価 / Evaluators": "#run-eval"}
DISLIKE = '#chatbot button[aria-label="よくないね"], #chatbot button[aria-label="Dislike"]'


def _missing(reason: str) -> None:
    """Skip locally, fail in CI: CI installs the browser and the font, so their absence is a bug there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found: apt-get install --no-install-recommends chromium fonts-noto-cjk")
    fc_list = shutil.which("fc-list")
    if not fc_list or not subprocess.run([fc_list, ":lang=ja"], capture_output=True, text=True).stdout.strip():
        _missing("no Japanese font: apt-get install --no-install-recommends fonts-noto-cjk")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Server:
    def __init__(self, url: str, feedback_db: Path, netlog: Path) -> None:
        self.url, self.feedback_db, self.netlog = url, feedback_db, netlog


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser")
    port = free_port()
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": f"{GUARD}{os.pathsep}{PROJECT_ROOT}",
        "NETGUARD_LOG": str(tmp / "attempts.log"),
        "KINKI_INDEX_DIR": str(settings.index_dir),
        "KINKI_CORPUS_DIR": str(settings.corpus_dir),
        "KINKI_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
    })
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "ui.server:create_server", "--factory",
                             "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, proc, 120, tmp / "server.log")
        except AssertionError as e:
            pytest.fail(str(e))
        yield Server(url, tmp / "feedback.sqlite3", tmp / "attempts.log")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert not (tmp / "attempts.log").exists() or not (tmp / "attempts.log").read_text(), \
        "the server tried to reach the network: " + (tmp / "attempts.log").read_text()


@pytest.fixture()
def page(browser: Browser, server: Server) -> Iterator[Page]:
    with _open(browser, server, DESKTOP) as p:
        yield p


@pytest.fixture()
def phone(browser: Browser, server: Server) -> Iterator[Page]:
    with _open(browser, server, PHONE) as p:
        yield p


@contextmanager
def _open(browser: Browser, server: Server, viewport: dict[str, int]) -> Iterator[Page]:
    """A fresh Japanese-locale page on the app; any request leaving loopback is aborted and fails the test."""
    context = browser.new_context(viewport=viewport, locale="ja-JP")  # type: ignore[arg-type]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if url.startswith((server.url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_loopback)
    try:
        page.goto(server.url + "/", wait_until="load")
        page.locator("#question textarea").wait_for()  # Gradio keeps a stream open: no "networkidle"
        yield page
    finally:
        context.close()  # also when the test failed: an open page's stream would hold the server up
    assert outside == [], f"the page tried to load from outside: {outside}"


def _ask(page: Page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def _shot(page: Page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_chat_shows_the_citation_and_the_right_phone(page: Page) -> None:
    _ask(page, "取引先が値上げを認めてくれない。どこに相談できますか？")
    card = page.locator("#contact-card [data-role=primary-contact]")
    card.wait_for()
    assert "取引適正化推進室" in card.inner_text()
    tel = card.locator("a.tel").first
    assert tel.inner_text() == "06-6966-6037" and tel.get_attribute("href") == "tel:0669666037"

    bot = page.locator('#chatbot [data-testid="bot"]').last
    evidence = bot.locator("figure.cite")
    assert 1 <= evidence.count() <= 3 and bot.locator("details").count() == 0
    for n in range(evidence.count()):  # every quote readable at once, no click: the text and its source
        quote, source = evidence.nth(n).locator("blockquote"), evidence.nth(n).locator("figcaption")
        assert quote.is_visible() and source.is_visible()
        assert quote.inner_text().startswith("「") and source.inner_text().startswith(f"[{n + 1}]")
    first = evidence.first
    assert "価格" in first.locator("blockquote").inner_text()
    assert "中小企業の「稼ぐ力」の強化" in first.inner_text() and "22ページ" in first.locator("figcaption").inner_text()

    copy = card.locator("button.copy-phone").first
    copy.click()
    page.wait_for_function("document.querySelector('#contact-card button.copy-phone').textContent.includes('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == "06-6966-6037"
    _shot(page, "chat")


def test_thumbs_down_is_stored_in_the_database(page: Page, server: Server) -> None:
    _ask(page, "明日の大阪の天気を教えて")
    page.locator("#contact-card .abstained").wait_for()
    assert page.locator("#contact-card a.tel").count() == 0
    assert "記載がありません" in page.locator('#chatbot [data-testid="bot"]').last.inner_text()

    page.locator(DISLIKE).last.click()
    status = page.locator("#feedback-status")
    status.get_by_text("記録しました").wait_for()
    page.locator("#feedback-comment textarea").fill("天気は対象外と分かるが、気象台の案内がほしい")
    page.locator("#send-comment").click()
    status.get_by_text("コメントを記録しました").wait_for()
    _shot(page, "feedback")

    with sqlite3.connect(server.feedback_db) as db:
        rows = db.execute("SELECT rating, question, comment, answer FROM feedback").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("down", "明日の大阪の天気を教えて", "天気は対象外と分かるが、気象台の案内がほしい")]
    assert json.loads(rows[0][3])["abstained"] is True


def test_directory_finds_an_office_by_number_as_you_type(page: Page) -> None:
    page.get_by_role("tab", name="窓口検索 / Directory").click()
    box = page.locator("#directory-search textarea")
    results = page.locator("#directory-results")
    results.locator(".search-summary[data-kind=all]").wait_for()
    box.press_sequentially("06 6966 6014", delay=40)  # typed, no Enter: results follow the typing
    results.locator(".search-summary[data-kind=phone]").wait_for()
    office = results.locator('.office[data-division="創業・経営支援課"]')
    assert results.locator(".office").count() == 1
    assert "Global Startup EXPO 2025" in office.inner_text()
    assert office.locator("a.tel").get_attribute("href") == "tel:0669666014"

    box.fill("０７８－３９３－２６８２")  # full-width digits and dashes, as an IME writes them
    results.locator('.office[data-division="神戸通商事務所"]').wait_for()
    box.fill("")
    box.press_sequentially("取引適正化推進室", delay=20)
    results.locator(".search-summary[data-kind=division]").wait_for()
    assert results.locator(".office").first.get_attribute("data-division") == "取引適正化推進室"
    box.fill("06-6966-6032")
    results.locator('.office[data-division="国際事業課"]').wait_for()
    _shot(page, "directory")


def test_support_finder_ranks_initiatives_with_evidence_and_office(page: Page) -> None:
    page.get_by_role("tab", name="支援策さがし / Support finder").click()
    page.get_by_label("価格転嫁・取引 / Pass on costs, fair trade").check()
    page.get_by_label("外国人材採用 / Hire foreign talent").check()
    page.locator("#company textarea").fill("大阪の金属加工業、従業員30人。原材料費の上昇分を取引先に転嫁できていない。")
    page.locator("#find-support").click()
    first = page.locator("#finder-results .rec").first
    first.wait_for()
    assert "中小企業の「稼ぐ力」の強化" in first.locator(".division").first.inner_text()
    assert first.locator("blockquote").first.is_visible()
    assert first.locator("a.tel").first.get_attribute("href") == "tel:0669666037"
    titles = page.locator("#finder-results .rec > .division").all_inner_texts()
    assert any("高度外国人材" in t for t in titles)
    _shot(page, "finder", full_page=True)


def test_evaluators_view_shows_the_report_or_says_why_not(page: Page) -> None:
    page.get_by_role("tab", name="評価 / Evaluators").click()
    report = page.locator("#eval-report")
    # Wait for the report itself, not Gradio's loading timer ("0.1s") shown while the page loads it.
    page.wait_for_function("/No evaluation report yet|report\\.md/.test(document.querySelector('#eval-report').innerText)")
    text = report.inner_text()
    assert ("evaluation runner not installed" in text or "No evaluation report yet" in text
            or "report.md" in text), text
    assert page.locator("#run-eval").is_visible()
    _shot(page, "evaluators")


def test_evaluators_report_links_open(page: Page) -> None:
    page.get_by_role("tab", name="評価 / Evaluators").click()
    page.wait_for_function("/No evaluation report yet|report\\.md/.test(document.querySelector('#eval-report').innerText)")
    links = page.locator("#eval-report a[href]")
    if "report.md" not in page.locator("#eval-report").inner_text():
        pytest.skip("no evaluation report to link from")
    hrefs = [a.evaluate("a => a.href") for a in links.all()]
    assert any(h.endswith("/report.html") for h in hrefs), hrefs
    for href in hrefs:  # every link the report shows opens (relative ones resolve against the page)
        response = page.request.get(href)
        assert response.ok, f"{href}: {response.status}"
    with page.context.expect_page() as opened:  # the charts open in a new tab, without leaving loopback
        links.filter(has_text="report.html").first.click()
    charts = opened.value
    charts.wait_for_load_state("load")
    assert charts.url.endswith("/report.html") and charts.locator("body").inner_text().strip()


def test_support_finder_without_a_goal_says_so_in_japanese_first(page: Page) -> None:
    page.get_by_role("tab", name="支援策さがし / Support finder").click()
    page.locator("#find-support").click()
    note = page.locator('#finder-results .search-summary[data-kind="empty"]')
    note.wait_for()
    assert note.inner_text().startswith("やりたいことを"), note.inner_text()


# ---- phones and accessibility ----------------------------------------------------------------------


def _in_view(page: Page, selector: str) -> dict[str, float]:
    """The element's box, asserted to lie wholly within the first screen (the page is not scrolled)."""
    box = page.evaluate("s => { const r = document.querySelector(s).getBoundingClientRect();"
                        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }", selector)
    size = page.viewport_size or PHONE
    assert page.evaluate("window.scrollY") == 0
    assert box["top"] >= 0 and box["bottom"] <= size["height"] and box["left"] >= 0 and box["right"] <= size["width"], \
        f"{selector} is outside the first {size['width']}x{size['height']} screen: {box}"
    return box


def test_phone_shows_the_answer_and_the_office_in_the_first_screen(phone: Page) -> None:
    for name in ["チャット / Chat", *TABS]:  # every tab in sight, none behind an overflow menu
        tab = phone.get_by_role("tab", name=name)
        assert tab.is_visible(), name
        _in_view(phone, f'[role=tab][data-tab-id="{tab.get_attribute("data-tab-id")}"]')
    _ask(phone, "取引先が値上げを認めてくれない。どこに相談できますか？")
    phone.locator("#contact-card [data-role=primary-contact]").wait_for()
    phone.wait_for_timeout(300)  # the chat scrolls to its newest message
    answer = phone.evaluate("""() => {
        const m = [...document.querySelectorAll('#chatbot [data-testid="bot"]')].pop().getBoundingClientRect();
        const v = document.querySelector('#chatbot .bubble-wrap').getBoundingClientRect();
        return {top: m.top, bottom: m.bottom, viewTop: v.top, viewBottom: v.bottom}; }""")
    # The whole answer shows in the chat's visible area: nothing covers or clips it.
    assert answer["viewTop"] <= answer["top"] and answer["bottom"] <= answer["viewBottom"], answer
    _in_view(phone, "#chatbot")
    card = _in_view(phone, "#contact-card [data-role=primary-contact]")
    assert card["top"] >= answer["bottom"]  # the office to call follows the answer, before the examples
    _in_view(phone, '#chatbot [data-testid="bot"] figure.cite blockquote')  # the evidence, without a click
    _in_view(phone, "#question textarea")
    assert "06-6966-6037" in phone.locator("#contact-card a.tel").first.inner_text()
    _shot(phone, "phone")

    _ask(phone, "水素関連の事業に参入したい")  # an answer taller than the chat is shown from its start
    phone.wait_for_function("document.querySelectorAll('#chatbot [data-testid=\"bot\"]').length >= 2")
    phone.locator("#contact-card a.tel", has_text="06-6966-6055").wait_for()
    phone.wait_for_timeout(600)  # the chat scrolls to the newest answer
    start = phone.evaluate("""() => {
        const m = [...document.querySelectorAll('#chatbot [data-testid="bot"]')].pop();
        const q = m.querySelector('figure.cite blockquote').getBoundingClientRect();
        const v = document.querySelector('#chatbot .bubble-wrap').getBoundingClientRect();
        return {top: m.getBoundingClientRect().top, quoteBottom: q.bottom, viewTop: v.top, viewBottom: v.bottom}; }""")
    assert start["viewTop"] <= start["top"] and start["quoteBottom"] <= start["viewBottom"], start

    for name, control in TABS.items():  # and every other view opens from the tab bar
        phone.get_by_role("tab", name=name).click()
        phone.locator(control).wait_for(state="visible")


def test_phone_shows_a_clarifying_question_as_buttons(phone: Page) -> None:
    _ask(phone, "環境に配慮した経営をしたい")
    option = phone.locator("#option-1")
    option.wait_for(state="visible")
    _in_view(phone, "#option-1")
    assert option.inner_text().startswith("1. 「")
    bots = phone.locator('#chatbot [data-testid="bot"]')
    option.click()  # choosing an option answers the clarifying question
    phone.wait_for_function("document.querySelectorAll('#chatbot [data-testid=\"bot\"]').length >= 2")
    phone.locator("#contact-card [data-role=primary-contact]").wait_for()
    assert bots.count() >= 2


def _axe(page: Page, where: str) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the settled page, one line per rule and node."""
    # Gradio fades components while an event is pending (HTML flashes, blocks go translucent): a frame of
    # that would be measured as low contrast. Wait until nothing is pending and the fade has ended.
    page.wait_for_function("""() => !document.querySelector('.pending')
        && ![...document.querySelectorAll('[data-testid=status-tracker]')].some(e => !e.classList.contains('hide'))""")
    page.wait_for_timeout(600)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text("utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    lines = []
    for v in result["violations"]:
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"{where}: {v['id']} ({v['impact']}) {node['target']} {summary}")
    return lines


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop-1280", "phone-390"])
def test_no_wcag_aa_violations(browser: Browser, server: Server, viewport: dict[str, int]) -> None:
    if not AXE_JS.is_file():
        _missing(f"{AXE_JS} not found: make axe (npm install --prefix .cache/axe axe-core@4)")
    found: list[str] = []
    with _open(browser, server, viewport) as page:
        found += _axe(page, "chat, empty")
        _ask(page, "取引先が値上げを認めてくれない。どこに相談できますか？")
        page.locator("#contact-card [data-role=primary-contact]").wait_for()
        page.locator('#chatbot [data-testid="bot"] figure.cite blockquote').first.wait_for()  # quotes shown
        found += _axe(page, "chat, after an answer")
        page.locator("#new-chat").click()  # a new topic: this question is not read with the last one
        page.locator("#contact-card [data-role=primary-contact]").wait_for(state="detached")
        _ask(page, "環境に配慮した経営をしたい")
        page.locator("#option-1").wait_for(state="visible")
        found += _axe(page, "chat, clarifying options")

        page.get_by_role("tab", name="窓口検索 / Directory").click()
        page.locator("#directory-results .office").first.wait_for()
        found += _axe(page, "directory")
        page.get_by_role("tab", name="支援策さがし / Support finder").click()
        page.locator("#find-support").click()
        page.locator('#finder-results [data-kind="empty"]').wait_for()
        found += _axe(page, "finder, nothing chosen")
        page.get_by_label("価格転嫁・取引 / Pass on costs, fair trade").check()
        page.locator("#find-support").click()
        page.locator("#finder-results .rec").first.wait_for()
        found += _axe(page, "finder, results")
        page.get_by_role("tab", name="評価 / Evaluators").click()
        page.wait_for_function("document.querySelector('#eval-report').innerText.trim().length > 0")
        found += _axe(page, "evaluators")
    for line in found:
        print(line)
    assert not found, f"{len(found)} WCAG 2.1 AA violation(s) at {viewport['width']} px:\n" + "\n".join(found)
