// 自测模式: on pages with questions (hooks/question_bank.py marks their <article> with
// data-questions="page") hide the answer under each question heading (h2–h4 ending in ？)
// until the reader reveals it, and let the reader mark each question 会 / 不会. On 题库
// (data-questions="bank") the same marks, progress per page and per chapter, and a filter
// that shows only the questions not marked 会. Mode, marks and filter live in localStorage
// and are re-applied after every instant-navigation page change.
(() => {
  const MODE_KEY = "dl-notes.self-test";
  const MARKS_KEY = "dl-notes.self-test.marks";
  const FILTER_KEY = "dl-notes.self-test.only-unknown";
  const MARKS = { known: "会", unknown: "不会" };

  const stored = (key) => localStorage.getItem(key) === "on";
  const store = (key, on) => localStorage.setItem(key, on ? "on" : "off");

  function readMarks() {
    try {
      return JSON.parse(localStorage.getItem(MARKS_KEY)) || {};
    } catch {
      return {};
    }
  }

  function setMark(key, value) {
    const marks = readMarks();
    if (value) marks[key] = value;
    else delete marks[key];
    localStorage.setItem(MARKS_KEY, JSON.stringify(marks));
  }

  // A question's key: its page path and heading anchor, the same from the page and from 题库.
  function questionKey(href) {
    const url = new URL(href, location.href);
    return url.pathname.replace(/index\.html$/, "") + decodeURIComponent(url.hash);
  }

  function button(className, text, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function setPressed(element, on) {
    element.setAttribute("aria-pressed", String(on));
  }

  // 会 / 不会: two toggle buttons; pressing the pressed one clears the mark.
  function markGroup(key, label, onChange) {
    const group = document.createElement("span");
    group.className = "self-test__marks";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", `${label}：掌握了吗`);
    group.dataset.key = key;
    for (const [value, text] of Object.entries(MARKS)) {
      const mark = button(`self-test__mark self-test__mark--${value}`, text, () => {
        setMark(key, readMarks()[key] === value ? null : value);
        onChange();
      });
      mark.dataset.mark = value;
      group.append(mark);
    }
    return group;
  }

  function showMarks(root, marks) {
    for (const group of root.querySelectorAll(".self-test__marks")) {
      for (const mark of group.querySelectorAll(".self-test__mark")) {
        setPressed(mark, marks[group.dataset.key] === mark.dataset.mark);
      }
    }
  }

  function progressText(keys, marks) {
    const known = keys.filter((key) => marks[key] === "known").length;
    const unknown = keys.filter((key) => marks[key] === "unknown").length;
    return `会 ${known} / ${keys.length}，不会 ${unknown}`;
  }

  function headingRank(node) {
    return node.nodeType === 1 && /^H[1-4]$/.test(node.tagName) ? Number(node.tagName[1]) : 9;
  }

  const headingText = (heading) => heading.textContent.trim().replace(/¶$/, "");

  function revealAnswer(reveal, answer, open) {
    answer.classList.toggle("self-test__answer--shown", open);
    reveal.setAttribute("aria-expanded", String(open));
    reveal.textContent = open ? "隐藏答案" : "显示答案";
  }

  // Wraps what follows a question heading (up to the next heading of the same or a higher
  // rank) in an answer <div> and puts a bar with 显示答案 and 会 / 不会 between them.
  function wrapQuestion(heading, index, refresh) {
    const answer = document.createElement("div");
    answer.className = "self-test__answer";
    answer.id = `self-test-answer-${index}`;
    let node = heading.nextSibling;
    while (node && headingRank(node) > headingRank(heading)) {
      const next = node.nextSibling;
      answer.append(node);
      node = next;
    }
    const bar = document.createElement("div");
    bar.className = "self-test__bar";
    const reveal = button("self-test__reveal md-button", "", () =>
      revealAnswer(reveal, answer, reveal.getAttribute("aria-expanded") !== "true"),
    );
    reveal.setAttribute("aria-controls", answer.id);
    revealAnswer(reveal, answer, false);
    const key = questionKey(`#${heading.id}`);
    bar.append(reveal, markGroup(key, headingText(heading), refresh));
    heading.after(bar, answer);
    return { heading, bar, answer, reveal, key };
  }

  function modeToggle(onChange) {
    const toggle = button("self-test__toggle md-button", "", () => {
      store(MODE_KEY, !stored(MODE_KEY));
      onChange();
    });
    toggle.title = "隐藏每道题的答案，自己先想一想；逐题标记会或不会";
    return toggle;
  }

  function filterToggle(onChange) {
    const filter = button("self-test__filter md-button", "只看不会的", () => {
      store(FILTER_KEY, !stored(FILTER_KEY));
      onChange();
    });
    filter.title = "隐藏已经标记为「会」的题";
    return filter;
  }

  function showMode(toggle, filter) {
    const on = stored(MODE_KEY);
    document.documentElement.classList.toggle("self-test", on);
    setPressed(toggle, on);
    toggle.textContent = on ? "自测模式：开" : "自测模式：关";
    setPressed(filter, stored(FILTER_KEY));
  }

  function progressLine() {
    const line = document.createElement("p");
    line.className = "self-test__progress";
    line.setAttribute("aria-live", "polite");
    return line;
  }

  // Opens every hidden answer (and filtered question) that contains the element the URL's
  // fragment names, then scrolls to it: a 目录 or 题库 link into a hidden answer works.
  function openTarget(questions) {
    if (!location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    let opened = false;
    for (const question of questions) {
      if (question.answer.contains(target) && !question.answer.matches(".self-test__answer--shown")) {
        revealAnswer(question.reveal, question.answer, true);
        opened = true;
      }
      const parts = [question.heading, question.bar, question.answer];
      if (parts.some((part) => part.contains(target)) && question.heading.hidden) {
        for (const part of parts) part.hidden = false;
        opened = true;
      }
    }
    if (opened) target.scrollIntoView();
  }

  function setUpQuestionPage(article) {
    const title = article.querySelector("h1");
    const headings = [...article.querySelectorAll("h2, h3, h4")].filter((h) =>
      headingText(h).endsWith("？"),
    );
    if (!title || headings.length === 0) return;
    const toggle = modeToggle(() => refresh());
    const filter = filterToggle(() => refresh());
    const showAll = button("self-test__all md-button", "全部显示", () => revealEvery(true));
    const hideAll = button("self-test__all md-button", "全部隐藏", () => revealEvery(false));
    const progress = progressLine();
    const controls = document.createElement("div");
    controls.className = "self-test__controls";
    controls.append(showAll, hideAll, filter, progress);
    const questions = headings.map((heading, index) => wrapQuestion(heading, index, () => refresh()));

    function revealEvery(open) {
      for (const question of questions) revealAnswer(question.reveal, question.answer, open);
    }

    function refresh() {
      const marks = readMarks();
      const on = stored(MODE_KEY);
      showMode(toggle, filter);
      showMarks(article, marks);
      const hideKnown = on && stored(FILTER_KEY);
      for (const question of questions) {
        const hidden = hideKnown && marks[question.key] === "known";
        for (const part of [question.heading, question.bar, question.answer]) part.hidden = hidden;
      }
      progress.textContent = `本页 ${questions.length} 题：${progressText(
        questions.map((question) => question.key),
        marks,
      )}`;
    }

    title.after(toggle, controls);
    refresh();
    openTarget(questions);
    return questions;
  }

  function setUpBank(article) {
    const bank = article.querySelector(".question-bank");
    const title = article.querySelector("h1");
    if (!bank || !title) return;
    const toggle = modeToggle(() => refresh());
    const filter = filterToggle(() => refresh());
    const total = progressLine();
    const controls = document.createElement("div");
    controls.className = "self-test__controls";
    controls.append(filter, total);
    const items = [...bank.querySelectorAll("li")].filter((li) =>
      li.querySelector(":scope > a[href*='#']"),
    );
    for (const item of items) {
      const link = item.querySelector(":scope > a");
      item.dataset.key = questionKey(link.href);
      link.after(markGroup(item.dataset.key, link.textContent, () => refresh()));
    }
    // Progress of each page (a list item with the page's questions below it) and chapter.
    const groups = [];
    for (const page of bank.querySelectorAll("li")) {
      const questions = [...page.querySelectorAll(":scope > ul > li[data-key]")];
      if (questions.length) groups.push({ label: page.querySelector(":scope > a"), questions });
    }
    for (const heading of bank.querySelectorAll("h2")) {
      const questions = [];
      for (let node = heading.nextElementSibling; node && node.tagName !== "H2"; ) {
        questions.push(...node.querySelectorAll("li[data-key]"));
        node = node.nextElementSibling;
      }
      if (questions.length) groups.push({ label: heading, questions });
    }
    const counters = groups.map(({ label, questions }) => {
      const counter = document.createElement("span");
      counter.className = "self-test__count";
      const permalink = label.querySelector(".headerlink");
      if (permalink) permalink.before(counter);
      else label.after(counter);
      return { counter, keys: [...new Set(questions.map((li) => li.dataset.key))] };
    });
    const allKeys = [...new Set(items.map((li) => li.dataset.key))];

    function refresh() {
      const marks = readMarks();
      const on = stored(MODE_KEY);
      showMode(toggle, filter);
      showMarks(bank, marks);
      const hideKnown = on && stored(FILTER_KEY);
      for (const item of items) item.hidden = hideKnown && marks[item.dataset.key] === "known";
      for (const { counter, keys } of counters) counter.textContent = progressText(keys, marks);
      total.textContent = `全站 ${allKeys.length} 题：${progressText(allKeys, marks)}`;
    }

    title.after(toggle, controls);
    refresh();
  }

  let currentQuestions = [];
  document$.subscribe(() => {
    document.documentElement.classList.remove("self-test");
    currentQuestions = [];
    const article = document.querySelector("article.md-content__inner[data-questions]");
    if (!article) return;
    if (article.dataset.questions === "bank") setUpBank(article);
    else currentQuestions = setUpQuestionPage(article) || [];
  });
  // A 目录 link (or any link to this page) into a hidden answer: open it, then scroll.
  addEventListener("hashchange", () => openTarget(currentQuestions));
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href*='#']");
    if (!link || currentQuestions.length === 0) return;
    const url = new URL(link.href, location.href);
    if (url.pathname !== location.pathname || url.hash !== location.hash) return;
    setTimeout(() => openTarget(currentQuestions)); // same fragment: no hashchange
  });
})();
