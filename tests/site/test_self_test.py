"""自测模式 in headless Chromium: where it applies, 目录 links into hidden answers, reveal-all,
会 / 不会 marks with progress and the 只看不会的 filter on a page and on 题库."""

import pytest

pytestmark = pytest.mark.browser

BN = "normalization/batchnorm/"
# A sub-heading inside the answer to the first question of the BatchNorm page.
INSIDE_ANSWER = "现代观点bn-让损失曲面更平滑"


def turn_on(page) -> None:
    page.locator(".self-test__toggle").click()
    page.locator(".self-test__toggle[aria-pressed=true]").wait_for()


def test_self_test_applies_only_on_pages_with_questions(page, site_url: str):
    page.goto(site_url)
    page.evaluate("localStorage.setItem('dl-notes.self-test', 'on')")
    page.reload()
    # The home page's own headings end in ？ too, but it is not a page of questions.
    assert page.locator(".self-test__toggle").count() == 0
    assert page.locator(".self-test__answer").count() == 0
    assert page.locator("h2", has_text="这份笔记有什么不同").is_visible()
    assert not page.evaluate("document.documentElement.classList.contains('self-test')")


def test_answers_open_from_the_toc_and_all_at_once(page, site_url: str):
    page.goto(site_url + BN)
    turn_on(page)
    answers = page.locator(".self-test__answer")
    assert answers.count() >= 8
    assert answers.evaluate_all("list => list.every(a => a.offsetParent === null)")

    # A 目录 link to a sub-heading inside a hidden answer opens that answer, only that one.
    target = page.locator(f"#{INSIDE_ANSWER}")
    assert not target.is_visible()
    page.locator(".md-sidebar--secondary a", has_text="现代观点").click()
    target.wait_for(state="visible")
    assert page.locator(".self-test__reveal").first.get_attribute("aria-expanded") == "true"
    assert page.locator(".self-test__answer--shown").count() == 1
    assert target.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    )

    page.get_by_role("button", name="全部显示").click()
    assert page.locator(".self-test__answer--shown").count() == answers.count()
    page.get_by_role("button", name="全部隐藏").click()
    assert page.locator(".self-test__answer--shown").count() == 0


def test_marks_progress_and_filter_on_a_page_and_on_the_bank(page, site_url: str):
    page.goto(site_url + BN)
    turn_on(page)
    questions = page.locator(".self-test__bar").count()
    progress = page.locator(".self-test__progress")
    assert progress.text_content() == f"本页 {questions} 题：会 0 / {questions}，不会 0"

    # Keyboard only: the marks are real buttons in the tab order.
    known = page.locator(".self-test__bar").nth(1).get_by_role("button", name="会", exact=True)
    known.focus()
    page.keyboard.press("Enter")
    assert known.get_attribute("aria-pressed") == "true"
    unknown = page.locator(".self-test__bar").nth(2).get_by_role("button", name="不会")
    unknown.focus()
    page.keyboard.press("Space")
    assert progress.text_content() == f"本页 {questions} 题：会 1 / {questions}，不会 1"

    # 只看不会的 hides the question marked 会: heading, bar and answer.
    second = page.locator("article h2").nth(1)
    page.get_by_role("button", name="只看不会的").click()
    assert not second.is_visible()
    assert page.locator(".self-test__bar").nth(1).is_hidden()
    page.get_by_role("button", name="只看不会的").click()
    assert second.is_visible()

    # 题库 shows the same marks, progress per page and chapter, and filters the same way.
    page.locator(".md-nav--primary a.md-nav__link", has_text="题库").first.click()
    page.wait_for_url("**/questions/")
    bank = page.locator(".question-bank")
    bank.wait_for()
    chapter = page.locator("h2", has_text="归一化")
    assert chapter.locator(".self-test__count").text_content().startswith("会 1 / ")
    page_item = bank.locator(f"li:has(> a[href$='{BN}'])")
    assert (
        page_item.locator(":scope > .self-test__count").text_content()
        == f"会 1 / {questions}，不会 1"
    )
    marked = bank.locator("li[data-key] .self-test__mark--known[aria-pressed=true]")
    assert marked.count() == 1
    page.get_by_role("button", name="只看不会的").click()
    assert page.locator("li[data-key][hidden]").count() == 1
    assert page.locator(".self-test__progress").text_content().startswith("全站 ")

    # Marking on 题库 is the same mark: back on the page (instant navigation) it is shown.
    page.get_by_role("button", name="只看不会的").click()
    first = page_item.locator("li[data-key]").first
    first.get_by_role("button", name="会", exact=True).click()
    first.locator(":scope > a").click()
    page.wait_for_url(f"**/{BN}#*")
    page.locator(".self-test__toggle[aria-pressed=true]").wait_for()
    bar = page.locator(".self-test__bar").first
    assert bar.get_by_role("button", name="会", exact=True).get_attribute("aria-pressed") == "true"
    assert page.locator(".self-test__answer--shown").count() == 0  # the question, not the answer


def test_bank_lists_the_sprint_and_marks_high_frequency_questions(page, site_url: str):
    page.goto(site_url + "questions/")
    sprint = page.locator("h2", has_text="三天冲刺")
    assert sprint.count() == 1
    badges = page.locator(".question-bank li .hf-badge").count()
    sprint_items = page.locator(".question-bank ol > li").count()
    assert badges == sprint_items >= 25
    page.goto(site_url)
    assert page.locator("article ol > li > a[href*='#']").count() == sprint_items
