// Material starts its search worker and requests the search index (the largest file of
// the site) as soon as a page opens. Hold both until the reader opens search: most
// visits never do. The worker started is Material's behind a wrapper that normalises
// queries (assets/javascripts/workers/search-wrapper.js, from overrides/).
(() => {
  let open;
  const opened = new Promise((resolve) => (open = resolve));
  document.addEventListener("focusin", (event) => {
    if (event.target.matches?.("[data-md-component=search-query]")) open();
  });
  // Came from a search result (?h=...): Material highlights the query with the index.
  if (new URLSearchParams(location.search).has("h")) open();

  // The bundle requests through XMLHttpRequest: defer send() for the index only.
  const { open: openRequest, send } = XMLHttpRequest.prototype;
  const deferred = new WeakSet();
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (new URL(url, location.href).pathname.endsWith("/search/search_index.json")) {
      deferred.add(this);
    }
    return openRequest.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...body) {
    if (!deferred.has(this)) return send.apply(this, body);
    opened.then(() => send.apply(this, body));
  };

  // The bundle only posts messages to the worker and listens for "message".
  const RealWorker = window.Worker;
  window.Worker = class extends EventTarget {
    constructor(url, options) {
      if (!new URL(url, location.href).pathname.includes("/workers/search.")) {
        return new RealWorker(url, options);
      }
      super();
      const queued = [];
      this.postMessage = (message) => queued.push(message);
      opened.then(() => {
        const worker = new RealWorker(String(url).replace(/[^/]*$/, "search-wrapper.js"), options);
        worker.postMessage({ type: "search-wrapper", worker: new URL(url, location.href).href });
        worker.onmessage = ({ data }) => this.dispatchEvent(new MessageEvent("message", { data }));
        this.postMessage = (message) => worker.postMessage(message);
        for (const message of queued) worker.postMessage(message);
      });
    }
  };
})();
