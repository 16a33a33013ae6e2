// The query page: pick an example, run it on the SPARQL endpoint, show the results
// as a table. Every value is written with textContent, never as HTML, so what the
// graph holds cannot run as script here. IRIs under the base IRI link to their page
// on this server; other http(s) IRIs link to themselves; anything else is text.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const picker = document.getElementById("example");
  const statusLine = document.getElementById("status");
  const results = document.getElementById("results");
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const { endpoint, base, localBase } = form.dataset;

  function linkFor(iri) {
    if (base && localBase && iri.startsWith(base)) {
      return localBase + iri.slice(base.length).split("/").map(encodeURIComponent).join("/");
    }
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = linkFor(term.value);
      const node = document.createElement(href ? "a" : "span");
      if (href) node.href = href;
      node.textContent = term.value;
      td.appendChild(node);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype;
      if (note) td.title = note;
    }
    return td;
  }

  function table(data) {
    const vars = data.head.vars || [];
    const tbl = document.createElement("table");
    tbl.className = "results";
    const head = tbl.createTHead().insertRow();
    for (const v of vars) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      head.appendChild(th);
    }
    const body = tbl.createTBody();
    for (const binding of data.results.bindings) {
      const tr = body.insertRow();
      for (const v of vars) tr.appendChild(cell(binding[v]));
    }
    return tbl;
  }

  function show(node, message) {
    results.replaceChildren(node);
    statusLine.textContent = message;
  }

  async function run() {
    const query = textarea.value;
    const params = new URLSearchParams({ query });
    history.replaceState(null, "", "?" + params.toString());
    statusLine.textContent = "running…";
    results.setAttribute("aria-busy", "true");
    const started = performance.now();
    try {
      const resp = await fetch(endpoint, {
        method: "POST",
        headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" },
        body: params,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const type = resp.headers.get("Content-Type") || "";
      if (!resp.ok) {
        const pre = document.createElement("pre");
        pre.className = "error";
        pre.textContent = await resp.text();
        show(pre, `error ${resp.status}`);
      } else if (type.includes("json")) {
        const data = await resp.json();
        if ("boolean" in data) {
          const p = document.createElement("p");
          p.className = "boolean";
          p.textContent = String(data.boolean);
          show(p, `answer in ${seconds} s`);
        } else {
          const n = data.results.bindings.length;
          show(table(data), `${n} row${n === 1 ? "" : "s"} in ${seconds} s`);
        }
      } else {
        const pre = document.createElement("pre");
        pre.textContent = await resp.text();
        show(pre, `graph in ${seconds} s`);
      }
    } catch (err) {
      show(document.createTextNode(""), "request failed: " + err.message);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  for (const [i, example] of examples.entries()) {
    if (example.query === textarea.value) picker.value = String(i);
  }
  picker.addEventListener("change", () => {
    if (picker.value !== "") textarea.value = examples[Number(picker.value)].query;
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  if (new URLSearchParams(location.search).has("query")) run();
})();
