// 自测模式: hide the answer under each question heading (h2–h4 ending in ？) until the
// reader reveals it. The choice is kept in localStorage and re-applied after every
// instant-navigation page change.
const SELF_TEST_KEY = "dl-notes.self-test";

function headingRank(node) {
  return node.nodeType === 1 && /^H[1-4]$/.test(node.tagName) ? Number(node.tagName[1]) : 9;
}

function wrapAnswer(heading, index) {
  const answer = document.createElement("div");
  answer.className = "self-test__answer";
  answer.id = `self-test-answer-${index}`;
  let node = heading.nextSibling;
  while (node && headingRank(node) > headingRank(heading)) {
    const next = node.nextSibling;
    answer.append(node);
    node = next;
  }
  const reveal = document.createElement("button");
  reveal.type = "button";
  reveal.className = "self-test__reveal md-button";
  reveal.setAttribute("aria-controls", answer.id);
  const show = (open) => {
    answer.classList.toggle("self-test__answer--shown", open);
    reveal.setAttribute("aria-expanded", String(open));
    reveal.textContent = open ? "隐藏答案" : "显示答案";
  };
  reveal.addEventListener("click", () => show(reveal.getAttribute("aria-expanded") !== "true"));
  show(false);
  heading.after(reveal, answer);
}

function applySelfTest(on) {
  document.documentElement.classList.toggle("self-test", on);
  const toggle = document.querySelector(".self-test__toggle");
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? "自测模式：开" : "自测模式：关";
  }
}

document$.subscribe(() => {
  const article = document.querySelector("article.md-content__inner");
  const title = article && article.querySelector("h1");
  if (!title) return;
  const questions = [...article.querySelectorAll("h2, h3, h4")].filter((h) =>
    h.textContent.trim().replace(/¶$/, "").endsWith("？"),
  );
  if (questions.length === 0) return;
  questions.forEach(wrapAnswer);
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "self-test__toggle md-button";
  toggle.title = "隐藏每道题的答案，自己先想一想";
  toggle.addEventListener("click", () => {
    const on = !document.documentElement.classList.contains("self-test");
    localStorage.setItem(SELF_TEST_KEY, on ? "on" : "off");
    applySelfTest(on);
  });
  title.after(toggle);
  applySelfTest(localStorage.getItem(SELF_TEST_KEY) === "on");
});
