// Runs a built site's search worker (search-wrapper.js around Material's) in node, once on
// the split index as built and once on the whole index put back together from it, and
// prints each query's results from both: per query, per page [[location, score, text], ...].
// Usage: node tests/site/search_worker.mjs SITE_DIR < queries.json
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const site = path.resolve(process.argv[2]);
const origin = "http://site.test/";
const WORKER = `${origin}assets/javascripts/workers/`;
const [SETUP, READY, QUERY, RESULT] = [0, 1, 2, 3];

function file(url) {
  return path.join(site, decodeURIComponent(new URL(url).pathname));
}

// A worker scope: the globals the two scripts use, files served from the site.
function startWorker() {
  const listeners = [];
  const answers = [];
  const scope = {
    console,
    URL,
    setTimeout,
    clearTimeout,
    AbortSignal,
    location: { href: `${WORKER}search-wrapper.js` },
    addEventListener: (type, listener) => type === "message" && listeners.push(listener),
    postMessage: (message) => answers.shift()(message),
    importScripts: (...urls) => {
      for (const url of urls) vm.runInContext(fs.readFileSync(file(new URL(url, WORKER))), scope);
    },
    fetch: async (url) => {
      const body = fs.readFileSync(file(url), "utf8");
      return { ok: true, json: async () => JSON.parse(body) };
    },
  };
  scope.self = scope;
  vm.createContext(scope);
  const workers = path.join(site, "assets/javascripts/workers");
  vm.runInContext(fs.readFileSync(path.join(workers, "search-wrapper.js")), scope);
  const worker = fs.readdirSync(workers).find((name) => /^search\.[0-9a-f]+\.min\.js$/.test(name));
  const send = (message) =>
    new Promise((resolve) => {
      answers.push(resolve);
      for (const listener of listeners) listener({ data: message });
    });
  const start = { type: "search-wrapper", worker: WORKER + worker };
  for (const listener of listeners) listener({ data: start });
  return send;
}

async function results(index, queries) {
  const send = startWorker();
  const ready = await send({ type: SETUP, data: { ...index, options: { suggest: false } } });
  if (ready.type !== READY) throw new Error(`worker answered ${ready.type} to setup`);
  const out = [];
  for (const query of queries) {
    const { type, data } = await send({ type: QUERY, data: query });
    if (type !== RESULT) throw new Error(`worker answered ${type} to ${query}`);
    out.push(data.items.map((group) => group.map((i) => [i.location, i.score, i.text])));
  }
  return out;
}

const queries = JSON.parse(fs.readFileSync(0, "utf8"));
const split = JSON.parse(fs.readFileSync(path.join(site, "search/search_index.json"), "utf8"));
const { split: _, ...config } = split.config;
const whole = {
  config,
  docs: split.docs.map((doc, n) => ({
    ...doc,
    text: JSON.parse(fs.readFileSync(path.join(site, split.config.split.text, `${n}.json`), "utf8")),
  })),
};
const answers = { split: await results(split, queries), whole: await results(whole, queries) };
console.log(JSON.stringify(answers));
