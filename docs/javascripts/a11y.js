// Accessibility attributes for elements that Material's own script creates, so that a
// build hook (hooks/a11y_markup.py does the rest) cannot reach them.
document$.subscribe(() => {
  // Material wraps each table in a div that scrolls sideways when the table is wider than
  // the column, but only its code blocks take keyboard focus: so does the table's wrapper.
  for (const scroller of document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])")) {
    scroller.tabIndex = 0;
    scroller.setAttribute("role", "group");
    scroller.setAttribute("aria-label", "表格");
  }
  // Each code block's copy button sits in a <nav> of its own: dozens of unnamed navigation
  // landmarks on a page. A copy button is not navigation.
  for (const nav of document.querySelectorAll("nav.md-code__nav:not([role])")) {
    nav.setAttribute("role", "none");
  }
});
