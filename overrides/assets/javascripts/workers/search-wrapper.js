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
  let phrases = [];
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

  function rerank(items) {
    if (!phrases.length) return items;
    const bonus = (group) => {
      let total = 0;
      const has = (field, names) =>
        group.some((item) => names.some((name) => contains(plain(item[field] || ""), name)));
      for (const names of phrases) {
        if (has("title", names)) total += 1;
        else if (has("text", names)) total += 0.5;
      }
      return total / phrases.length;
    };
    // Material's order within pages that hold the query's words equally well.
    return items
      .map((group, rank) => ({ group, rank, bonus: bonus(group) }))
      .sort((a, b) => b.bonus - a.bonus || a.rank - b.rank)
      .map(({ group }) => group);
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
        return query.apply(this, args);
      } finally {
        querying = false;
      }
    };
  }

  function load(url) {
    self.addEventListener = (type, listener, options) =>
      type === "message" ? material.push(listener) : addListener(type, listener, options);
    const post = self.postMessage;
    self.postMessage = (message, ...rest) => {
      if (message.type === RESULT) message.data.items = rerank(message.data.items);
      return post.call(self, message, ...rest);
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
    if (message.type === SETUP) synonyms = compileSynonyms(message.data.config.synonyms);
    if (message.type === QUERY) message = { ...message, data: rewrite(message.data) };
    for (const listener of material) listener({ data: message });
  });

  self.searchWrapper = { rewrite, normalise, materialSegments }; // for benchmarks/search.py
})();
