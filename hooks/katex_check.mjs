// Reads [{page, tex, display}] on stdin; prints every formula KaTeX rejects and exits 1 if any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const katex = createRequire(import.meta.url)("../node_modules/katex");
const formulas = JSON.parse(readFileSync(0, "utf8"));
let failures = 0;
for (const { page, tex, display } of formulas) {
  try {
    katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" });
  } catch (error) {
    failures += 1;
    console.log(`${page}: ${error.message}\n    ${tex.trim().slice(0, 200)}`);
  }
}
process.exit(failures ? 1 : 0);
