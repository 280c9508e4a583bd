// Reads [{page, tex, display}] on stdin; prints every formula KaTeX rejects, or would render
// other than written, and exits 1 if any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const katex = createRequire(import.meta.url)("../node_modules/katex");
const formulas = JSON.parse(readFileSync(0, "utf8"));
// KaTeX's blackboard-bold font has no digits: \mathbb{1} silently renders as a plain 1.
const BLACKBOARD_DIGIT = /\\mathbb\s*\{?\s*\d/;
let failures = 0;
for (const { page, tex, display } of formulas) {
  try {
    katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" });
    if (BLACKBOARD_DIGIT.test(tex)) {
      throw new Error("\\mathbb has no digits in KaTeX (it shows a plain 1): write \\mathbb{I} for an indicator, \\mathbf{1} for all ones");
    }
  } catch (error) {
    failures += 1;
    console.log(`${page}: ${error.message}\n    ${tex.trim().slice(0, 200)}`);
  }
}
process.exit(failures ? 1 : 0);
