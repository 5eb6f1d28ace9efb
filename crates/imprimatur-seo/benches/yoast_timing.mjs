// In-process timing of yoastseo's full SEO and readability analysis, for the imprimatur-seo
// benchmark. Written into the peer's folder (~/.cache/imprimatur/yoast) so that its
// node_modules resolve; prints {"runs", "p50_ms", "p95_ms"}.
// Usage: node imprimatur-timing.mjs FILE LANG KEYPHRASE TITLE DESCRIPTION SLUG RUNS
import fs from "node:fs";
import { createRequire } from "node:module";
import { marked } from "marked";

const require = createRequire(import.meta.url);
const { Paper, SeoAssessor, ContentAssessor } = require("yoastseo");
const [file, lang, keyword, title, description, slug, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 20);
const markdown = fs.readFileSync(file, "utf8");
const locale = lang === "en" ? "en_US" : "de_DE";
const Researcher = require(`yoastseo/build/languageProcessing/languages/${lang}/Researcher.js`).default;

function once() {
  const html = marked.parse(markdown);
  const paper = new Paper(html, { keyword, title, description, slug, locale, titleWidth: 500 });
  const researcher = new Researcher(paper);
  new SeoAssessor(researcher).assess(paper);
  new ContentAssessor(researcher).assess(paper);
}

once(); // warm-up: module loading and JIT
const times = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  once();
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
process.stdout.write(JSON.stringify({ runs, p50_ms: q(0.5), p95_ms: q(0.95) }) + "\n");
