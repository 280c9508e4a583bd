// Runs as the search worker in place of Material's (javascripts/search-on-demand.js starts
// it), loads Material's worker and rewrites each query before Material sees it:
//   - full-width letters and digits, case, x/*/× between digits (1x1 -> 1×1);
//   - Greek letters and math symbols to the names the index has (hooks/search_terms.py);
//   - synonyms from the glossary (config.synonyms, written by hooks/search_terms.py);
//   - two Latin words whose join is an index term (soft max -> softmax) and the reverse;
//   - Chinese: longest match against the index vocabulary, from both ends. Material's own
//     segmentation never lets a word end at the last character of a run (样本不均衡 loses
//     均衡); it is still used where longest match finds only single characters;
//   - question words (怎么, 为什么) out; then pages holding the query as typed first.
// With a split index (hooks/search_index_split.py) it also unpacks each section's terms
// for lunr, and fetches the text of the sections it shows (search/text/<n>.json).
// Measured on the whole query table before and after: benchmarks/search.py.
// Lives next to Material's worker so that Material's relative paths (../lunr) still work,
// in a worker and in the iframe that iframe-worker uses from file://.
(() => {
  const SETUP = 0;
  const QUERY = 2;
  const RESULT = 3;
  const HAN = /\p{sc=Han}+/gu;
  const addListener = self.addEventListener.bind(self);
  const material = []; // Material's message listeners
  let loaded = null;
  let vocabulary = Object.create(null); // the index's terms (lunr's inverted index)
  let querying = false;
  let synonyms = []; // [[phrase, [other phrases]]], longest phrase first
  let matched = []; // the synonym groups the last query matched
  let phrases = []; // the last query's words as typed, each with its alternatives (rerank)
  let split = null; // a split index: { terms: location -> Set, number, separator, texts }
  const textTerms = new Map(); // location -> the index terms the query matched in its text
  const SHOWN = 10; // pages whose sections get their text (the first screen of results)

  const GREEK = {
    α: "alpha", β: "beta", γ: "gamma", δ: "delta", ε: "epsilon", ϵ: "epsilon", ζ: "zeta",
    η: "eta", θ: "theta", ι: "iota", κ: "kappa", λ: "lambda", μ: "mu", ν: "nu", ξ: "xi",
    π: "pi", ρ: "rho", σ: "sigma", τ: "tau", φ: "phi", ϕ: "phi", χ: "chi", ψ: "psi",
    ω: "omega", Γ: "gamma", Δ: "delta", Θ: "theta", Λ: "lambda", Σ: "sigma", Φ: "phi",
    Ψ: "psi", Ω: "omega", "∇": "nabla 梯度", "∂": "partial 偏导", "∑": "sum 求和",
    "∏": "prod 连乘", "∫": "积分", "√": "sqrt", "⊙": "hadamard 逐元素",
  };

  // Material's query segmentation as it is (loop bound j < length): the current behaviour.
  function materialSegments(run) {
    const segments = new Set();
    const cuts = new Uint16Array(run.length);
    for (let i = 0; i < run.length; i++)
      for (let j = i + 1; j < run.length; j++) if (run.slice(i, j) in vocabulary) cuts[i] = j - i;
    const stack = [0];
    for (let s = stack.length; s > 0; ) {
      const p = stack[--s];
      for (let q = 1; q < cuts[p]; q++)
        if (cuts[p + q] > cuts[p] - q) {
          segments.add(run.slice(p, p + q));
          stack[s++] = p + q;
        }
      const q = p + cuts[p];
      if (cuts[q] && q < run.length - 1) stack[s++] = q;
      segments.add(run.slice(p, q));
    }
    return segments.has("") ? new Set([run]) : segments;
  }

  // Longest match against the index's terms, from the left and from the right; the one
  // with fewer words, then fewer single characters (不适合 -> 不 适合, not 不适 合).
  function longestMatch(run) {
    const forward = [];
    for (let i = 0; i < run.length; ) {
      let j = run.length;
      while (j > i + 1 && !(run.slice(i, j) in vocabulary)) j--;
      forward.push(run.slice(i, j));
      i = j;
    }
    const backward = [];
    for (let j = run.length; j > 0; ) {
      let i = 0;
      while (i < j - 1 && !(run.slice(i, j) in vocabulary)) i++;
      backward.unshift(run.slice(i, j));
      j = i;
    }
    const singles = (words) => words.filter((word) => word.length === 1).length;
    if (forward.length !== backward.length)
      return forward.length < backward.length ? forward : backward;
    return singles(forward) < singles(backward) ? forward : backward;
  }

  // Function words and question words: every heading on the site is a question, so
  // 为什么/怎么/什么 would rank pages by how they ask, not by what they are about.
  const STOP = new Set(
    "的 了 和 与 及 或 是 吗 呢 吧 啊 有 在 时 中 上 下 把 被 对 用 要 会 能 都 也 就 还 "
      .concat("怎么 怎么办 怎样 如何 为什么 为何 什么 哪些 哪个 多少 有没有 是否 一下")
      .split(" "),
  );

  function segment(run) {
    if (run in vocabulary) return [run];
    const words = longestMatch(run);
    // Nothing better than single characters: Material's segmentation.
    if (!words.some((word) => word.length > 1)) return [...materialSegments(run)];
    const content = words.filter((word) => !STOP.has(word));
    // A single character left over (条件数 -> 条件 数) matches only itself, not every
    // word it starts (Material adds a trailing wildcard to the other terms).
    return (content.length ? content : words).map((word) => (word.length > 1 ? word : `${word}^1`));
  }

  function isTerm(word) {
    return word.toLowerCase() in vocabulary;
  }

  // Latin words: "soft max" -> also "softmax"; "kmeans" -> also "k means".
  function joins(words) {
    const extra = [];
    for (let i = 0; i + 1 < words.length; i++) {
      const joined = words[i] + words[i + 1];
      if (/^[a-z0-9]+$/.test(joined) && isTerm(joined)) extra.push(joined);
    }
    // English endings: tune -> tun* (tuning), scaling -> scal* (scale).
    for (const word of words) {
      const stem = word.replace(/(?<=[a-z]{3})(ing|ed|es|e|s)$/, "");
      if (/^[a-z]+$/.test(word) && stem !== word) extra.push(stem);
    }
    for (const word of words) {
      if (!/^[a-z]{4,}$/.test(word) || isTerm(word)) continue;
      for (let k = 1; k < word.length; k++) {
        const [a, b] = [word.slice(0, k), word.slice(k)];
        if (isTerm(a) && isTerm(b) && (a.length > 1 || b.length > 2)) {
          extra.push(a, b);
          break;
        }
      }
    }
    return extra;
  }

  function normalise(query) {
    return query
      .normalize("NFKC") // full-width forms -> ASCII, ligatures, compatibility digits
      .toLowerCase()
      .replace(/(\d)\s*[x*×]\s*(?=\d)/g, "$1×")
      .replace(/[\p{sc=Greek}∇∂∑∏∫√⊙]/gu, (c) => ` ${c} ${GREEK[c] || ""} `)
      .replace(/[,.;:!?()[\]{}"'“”‘’、。，；：！？（）《》【】~^]/g, " ")
      .replace(/(\p{sc=Han})(?=[^\p{sc=Han}\s])|([^\p{sc=Han}\s])(?=\p{sc=Han})/gu, "$1$2 ");
  }

  function expandSynonyms(text) {
    const extra = [];
    matched = [];
    let rest = ` ${text} `;
    for (const [phrase, others] of synonyms) {
      const latin = /^[\x00-\x7f]+$/.test(phrase);
      const at = latin ? rest.indexOf(` ${phrase} `) : rest.indexOf(phrase);
      if (at < 0) continue;
      // Names that are one index term (bn, batchnorm); a whole Chinese name only for an
      // English phrase (positional encoding -> 位置编码) or of at most two words: more
      // would outweigh an abbreviation's one (rpn -> 区域 建议 网络).
      const english = / /.test(phrase) && latin;
      const short = (other) =>
        isTerm(other.replace(/ /g, "")) ||
        (/^\p{sc=Han}+$/u.test(other) && longestMatch(other).length <= 2);
      extra.push(...others.filter((other) => english || short(other)));
      matched.push([phrase, ...others]);
      rest = rest.slice(0, at) + " " + rest.slice(at + phrase.length + (latin ? 2 : 0));
    }
    return extra;
  }

  function rewrite(query) {
    // A reader's own query syntax (+must -not field: "phrase") passes through untouched.
    if (/(^|\s)[+-]\S|"|\b(title|text|tags):/.test(query)) return query;
    const text = normalise(query).replace(/\s+/g, " ").trim();
    const words = text.split(" ").filter(Boolean);
    // Short abbreviations a synonym brings in match exactly (bn, not bnb...).
    const synonymWords = expandSynonyms(text)
      .flatMap((phrase) => normalise(phrase).split(/\s+/))
      .map((word) => (/^[a-z0-9]{1,3}$/.test(word) ? `${word}^1` : word));
    const terms = [...words, ...joins(words), ...synonymWords]
      .filter(Boolean)
      .flatMap((word) => (/^\p{sc=Han}+$/u.test(word) ? segment(word) : [word]));
    // For the rerank: each word as typed, or a synonym group it belongs to.
    const grouped = new Set(matched.flatMap(([phrase]) => phrase.split(" ")));
    phrases = [
      ...words.filter((word) => word.length > 1 && !STOP.has(word) && !grouped.has(word)),
      ...matched.map((names) => names.map((name) => normalise(name).trim())),
      // English words typed together, also hyphenated or joined (soft max: softmax).
      ...(text.match(/[a-z0-9]+(?: [a-z0-9]+)+/g) || []).map((run) =>
        ["-", "", " "].map((glue) => run.replace(/ /g, glue)),
      ),
    ].map((alternatives) => [alternatives].flat());
    // A bare number (the 0 of 初始化为0, pop(0), 0.95) says little and makes lunr 2.3
    // throw in Index.query (a token-set term missing from the inverted index): leave it out.
    return [...new Set(terms)].filter((term) => !/^\d+$/.test(term)).join(" ");
  }

  // Pages whose titles, then text, hold the words of the query as typed (空洞卷积, not only
  // 空洞 and 卷积 somewhere) come first: lunr scores the words apart, and its title boost
  // puts a heading with one of them above a page that has the whole phrase.
  function plain(html) {
    return html.replace(/<[^>]*>|\u200b/g, "").toLowerCase();
  }
  // English as whole words (log is not logit), Chinese anywhere.
  function contains(text, name) {
    if (!/^[\x00-\x7f]+$/.test(name)) return text.includes(name);
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      const [before, after] = [text[at - 1] || " ", text[at + name.length] || " "];
      if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
    }
    return false;
  }

  // What the rerank reads of a section's text: what Material shows (its highlighted
  // excerpt). A split index has the text on request: it is fetched only where the
  // section's terms allow the name, and cut the way Material cuts it (excerpt). Where a
  // name stands in the text, each of its words either lies inside one term (a Latin word
  // between non-letters, as max in max=16) or is cut into terms: the end of one, whole
  // ones, the start of another (样本不均衡: 样本 | 不 | 均衡; tensors: <code>tensor</code>s).
  function mayHold(location, name) {
    if (!split.joined.has(location))
      split.joined.set(location, ` ${[...split.terms.get(location)].join(" ")} `);
    const terms = split.terms.get(location);
    const joined = split.joined.get(location);
    const inOne = (word) => {
      if (!/^[a-z0-9]+$/.test(word)) return joined.includes(word);
      return new RegExp(`[^a-z0-9]${word}[^a-z0-9]`).test(joined);
    };
    const across = (word) => {
      const ends = []; // ends[i]: word.slice(0, i) is the end of a term, then whole terms
      for (let i = 1; i < word.length; i++) ends[i] = joined.includes(`${word.slice(0, i)} `);
      for (let i = 1; i < word.length; i++) {
        if (!ends[i]) continue;
        if (joined.includes(` ${word.slice(i)}`)) return true;
        for (let k = i + 1; k < word.length; k++) {
          if (terms.has(word.slice(i, k))) ends[k] = true;
        }
      }
      return false;
    };
    return name
      .split(split.separator)
      .filter(Boolean)
      .every((word) => inOne(word) || across(word));
  }

  async function textHolds(item, name, excerpts) {
    if (!split) return contains(plain(item.text || ""), name);
    if (!mayHold(item.location, name)) return false;
    return contains((await excerpts(item.location)).plain, name);
  }

  // One query's excerpts of the split texts, each cut once: location -> promise of
  // { shown: the marked excerpt, plain: its plain text }.
  function cutter(found) {
    const cut = new Map();
    return (location) => {
      if (!cut.has(location)) {
        const shown = text(split.number.get(location)).then((html) =>
          excerpt(html, found.get(location)),
        );
        cut.set(location, shown.then((html) => ({ shown: html, plain: plain(html) })));
      }
      return cut.get(location);
    };
  }

  // Pages are lifted by the query's words in their titles, or (the first DEPTH pages
  // only) in their text; Material's order stays within pages that hold them equally well.
  const DEPTH = 15;
  async function rerank(items, excerpts) {
    const wanted = phrases; // this query's (the next one may come before the texts)
    if (!wanted.length) return items;
    const inTitle = (group, names) =>
      group.some((item) => names.some((name) => contains(plain(item.title || ""), name)));
    // A page's sections one after another, best first: a split index fetches no more
    // texts once one holds the name.
    const inText = async (group, names) => {
      for (const item of group) {
        const checks = names.map((name) => textHolds(item, name, excerpts));
        if ((await Promise.all(checks)).some(Boolean)) return true;
      }
      return false;
    };
    const bonus = async (group, rank) => {
      const scores = wanted.map(async (names) => {
        if (inTitle(group, names)) return 1;
        return rank < DEPTH && (await inText(group, names)) ? 0.5 : 0;
      });
      return (await Promise.all(scores)).reduce((a, b) => a + b, 0) / wanted.length;
    };
    const ranked = await Promise.all(
      items.map(async (group, rank) => ({ group, rank, bonus: await bonus(group, rank) })),
    );
    return ranked.sort((a, b) => b.bonus - a.bonus || a.rank - b.rank).map(({ group }) => group);
  }

  function compileSynonyms(groups = []) {
    const table = new Map();
    for (const group of groups) {
      const phrases = group.map((phrase) => normalise(phrase).replace(/\s+/g, " ").trim());
      // Multi-word English names find their group but are not added to a query: their
      // words (region, network...) are everywhere.
      const added = phrases.filter((phrase) => !/^[\x00-\x7f]+ [\x00-\x7f ]+$/.test(phrase));
      for (const phrase of phrases) {
        const others = added.filter((other) => other !== phrase);
        table.set(phrase, [...new Set([...(table.get(phrase) || []), ...others])]);
      }
    }
    return [...table].sort(([a], [b]) => b.length - a.length);
  }

  // Material segments Han runs with the index's terms before lunr searches: give it an
  // empty vocabulary there (a run then stays whole: this wrapper has segmented it), and
  // lunr the real one.
  function patchLunr(lunr) {
    const build = lunr.Builder.prototype.build;
    const empty = Object.create(null);
    lunr.Builder.prototype.build = function () {
      const index = build.call(this);
      const terms = (vocabulary = index.invertedIndex);
      Object.defineProperty(index, "invertedIndex", { get: () => (querying ? terms : empty) });
      return index;
    };
    const query = lunr.Index.prototype.query;
    lunr.Index.prototype.query = function (...args) {
      querying = true;
      try {
        const results = query.apply(this, args);
        // The terms each section matched in its text: the words Material marks there.
        for (const { ref, matchData } of results)
          for (const [term, fields] of Object.entries(matchData.metadata))
            if (fields.text) {
              if (!textTerms.has(ref)) textTerms.set(ref, new Set());
              textTerms.get(ref).add(term);
            }
        return results;
      } finally {
        querying = false;
      }
    };
  }

  // Split index (hooks/search_index_split.py): each section gets back its terms, as many
  // times as they occur, for lunr to index.
  const DIGITS = [...Array(0x7f - 0x23).keys()]
    .map((i) => String.fromCharCode(0x23 + i))
    .filter((c) => c !== "\\");
  const BASE = Math.floor(DIGITS.length / 2);

  function unpack({ config, docs, ...rest }) {
    const { terms, postings, text } = config.split;
    // this file is assets/javascripts/workers/search-wrapper.js
    const base = new URL("../../../", self.location.href);
    split = {
      terms: new Map(), // location -> its terms
      joined: new Map(), // location -> its terms in one string (mayHold)
      number: new Map(), // location -> n of search/text/<hash>/<n>.json
      separator: new RegExp(config.separator, "g"),
      url: (n) => new URL(`${text}${n}.json`, base).href,
      texts: new Map(), // n -> promise of the text
    };
    const sorted = []; // every term; each line shares a prefix with the one before
    for (const line of terms.split("\n")) {
      const shared = line.charCodeAt(0) - 48; // in UTF-16 units, as slice counts
      sorted.push((sorted.at(-1) || "").slice(0, shared) + line.slice(1));
    }
    const words = docs.map(() => []);
    const digit = new Map(DIGITS.map((c, i) => [c, i]));
    postings.split(" ").forEach((entries, t) => {
      let section = 0;
      let value = 0;
      let count = false;
      const add = (times) => {
        for (let k = 0; k < times; k++) words[section].push(sorted[t]);
      };
      for (const c of entries) {
        if (c === "!") {
          count = true;
          continue;
        }
        const d = digit.get(c);
        value = value * BASE + (d % BASE);
        if (d >= BASE) continue; // more digits follow
        if (count) {
          add(value - 1); // its first was added with the section
        } else {
          section += value;
          add(1);
        }
        [value, count] = [0, false];
      }
    });
    docs = docs.map((doc, n) => {
      split.terms.set(doc.location, new Set(words[n]));
      split.number.set(doc.location, n);
      return { ...doc, text: words[n].join(" ") };
    });
    return { config, docs, ...rest };
  }

  // The text of one section (its HTML as the whole index holds it); a failed or stalled
  // request gives "" and is asked again with the next query.
  function text(n) {
    if (!split.texts.has(n)) {
      const loading = fetch(split.url(n), { signal: AbortSignal.timeout(5000) })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .catch(() => {
          split.texts.delete(n); // asked again with the next query
          return "";
        });
      split.texts.set(n, loading);
    }
    return split.texts.get(n);
  }

  // What Material shows of a section's text: the first two blocks (top-level elements, or
  // the text between them) holding a term the query matched there, those terms marked; the
  // whole text when none does. Material finds them with lunr's positions (its highlight);
  // here the fetched text is cut into blocks and words as its tokenizer cuts it (a block
  // ends with a top-level closing tag: text between two elements joins the next one).
  function excerpt(html, terms) {
    if (!terms || !terms.size) return html;
    const blocks = [];
    let block = 0;
    const add = (start, end) => {
      blocks[block] ||= { start, marks: [] };
      blocks[block].end = end;
    };
    const words = (start, end) => {
      const section = html.slice(start, end);
      const separator = new RegExp(split.separator.source, "g");
      let from = 0;
      let match;
      do {
        match = separator.exec(section);
        const until = match ? match.index : section.length;
        if (from < until) {
          add(start + from, start + until);
          if (terms.has(section.slice(from, until).toLowerCase()))
            blocks[block].marks.push([start + from, start + until]);
        }
        if (match) {
          from = match.index + match[0].length;
          if (!match[0].length) separator.lastIndex = match.index + 1;
        }
      } while (match);
    };
    let start = 0;
    let end = 0;
    for (let depth = 0; end < html.length; end++) {
      if (html[end] === "<" && end > start) {
        words(start, end);
        start = end;
      } else if (html[end] === ">") {
        if (html[start + 1] === "/") {
          if (--depth === 0) add(start, end + 1), block++;
        } else if (html[end - 1] !== "/" && depth++ === 0) add(start, end + 1);
        start = end + 1;
      }
    }
    if (end > start) words(start, end);
    const shown = blocks.filter((b) => b && b.marks.length).slice(0, 2);
    if (!shown.length) return html;
    const marked = ({ start, end, marks }) => {
      let slice = html.slice(start, end);
      for (const [from, until] of [...marks].reverse()) {
        const [a, b] = [from - start, until - start];
        slice = `${slice.slice(0, a)}<mark>${slice.slice(a, b)}</mark>${slice.slice(b)}`;
      }
      return slice;
    };
    return shown.map(marked).join("");
  }

  // Material shows text under the titles of a page's best sections (as good as its best
  // item), or under the page's own title when the page itself is best and alone; the
  // other sections fold away under "N more" (templates/search/index.tsx). Here those of the
  // first SHOWN pages get their text; pages further down and folded sections show titles.
  async function withText(groups, excerpts) {
    const shown = async (item) => ({ ...item, text: (await excerpts(item.location)).shown });
    const titleOnly = (item) => ({ ...item, text: "" });
    return Promise.all(
      groups.map((group, rank) => {
        if (rank >= SHOWN) return group.map(titleOnly);
        const top = group[0].score;
        const page = group.findIndex((item) => !item.location.includes("#"));
        const best = group.filter((item, k) => k !== page && item.score >= top);
        const pageAlone = page === 0 && !best.length;
        return Promise.all(
          group.map((item, k) =>
            best.includes(item) || (k === page && pageAlone) ? shown(item) : titleOnly(item),
          ),
        );
      }),
    );
  }

  function load(url) {
    self.addEventListener = (type, listener, options) =>
      type === "message" ? material.push(listener) : addListener(type, listener, options);
    const post = self.postMessage;
    let posted = Promise.resolve(); // results leave in the order their queries came
    self.postMessage = (message, ...rest) => {
      if (message.type !== RESULT) return post.call(self, message, ...rest);
      const found = new Map(textTerms); // this query's; the next one fills textTerms anew
      textTerms.clear();
      const excerpts = split && cutter(found);
      const ready = rerank(message.data.items, excerpts).then((items) =>
        split ? withText(items, excerpts) : items,
      );
      // Material's answer as it is if the rerank or a text fails: a result, not none.
      const items = ready.catch((error) => {
        console.warn("search-wrapper:", error);
        // a split index's own text is its term list: titles only then
        const given = message.data.items;
        return split ? given.map((group) => group.map((i) => ({ ...i, text: "" }))) : given;
      });
      const answer = (data) => ({ ...message, data: { ...message.data, items: data } });
      posted = posted.then(() => items).then((data) => post.call(self, answer(data), ...rest));
    };
    return Promise.resolve(importScripts(url)).then(() => {
      self.addEventListener = addListener;
      patchLunr(self.lunr);
    });
  }

  addListener("message", async ({ data: message }) => {
    if (message && message.type === "search-wrapper") {
      loaded = load(message.worker);
      return;
    }
    await loaded;
    if (message.type === SETUP) {
      synonyms = compileSynonyms(message.data.config.synonyms);
      if (message.data.config.split) message = { ...message, data: unpack(message.data) };
    }
    if (message.type === QUERY) message = { ...message, data: rewrite(message.data) };
    for (const listener of material) listener({ data: message });
  });

})();
