// KaTeX (its script, stylesheet and fonts are most of a page's weight) loads on the first
// page that has math. It renders the \( \) and \[ \] that pymdownx.arithmatex (generic)
// leaves in the page, again after every instant-navigation page change.
(() => {
  const katexAssets = new URL("../assets/katex/", document.currentScript.src);
  let katexLoaded;

  function loadScript(name) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(name, katexAssets);
      script.onload = resolve;
      script.onerror = () => reject(new Error(`KaTeX: cannot load ${script.src}`));
      document.head.append(script);
    });
  }

  function loadKatex() {
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = new URL("katex.min.css", katexAssets);
    // Formulas render once it applies, so that none is ever shown without its style.
    const styled = new Promise((resolve, reject) => {
      style.onload = resolve;
      style.onerror = () => reject(new Error(`KaTeX: cannot load ${style.href}`));
    });
    // Not in <head>: instant navigation removes every element there that the next page's
    // <head> lacks, and math would lose its style from the second page on.
    document.body.append(style);
    const scripts = loadScript("katex.min.js").then(() => loadScript("contrib/auto-render.min.js"));
    return Promise.all([styled, scripts]);
  }

  document$.subscribe(async () => {
    const elements = document.querySelectorAll(".arithmatex");
    if (elements.length === 0) return;
    katexLoaded ??= loadKatex();
    await katexLoaded;
    for (const element of elements) {
      renderMathInElement(element, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
      });
    }
  });
})();
