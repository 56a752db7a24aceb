// The relevance workbench page: asks /api/search for two modes at once and renders what the server computed
// (evidence, overlap, judged grades); polls /api/stats for the live index figures. No outside resources.
"use strict";

const $ = (id) => document.getElementById(id);
let info = null;
let pickedId = "";   // the collection's query id when the query was picked from the list

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function fmt(x, digits) {
  return x === null || x === undefined ? "" : Number(x).toFixed(digits);
}

async function getJson(url) {
  const r = await fetch(url, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function fillModes(select, chosen) {
  for (const m of info.modes) {
    const o = el("option", null, m);
    o.value = m;
    o.selected = m === chosen;
    select.appendChild(o);
  }
}

async function init() {
  info = await getJson("api/info");
  $("collection").textContent = info.collection + (info.judged
      ? " · " + info.queries.length + " judged queries" : " · no judgments");
  const params = new URLSearchParams(location.search);
  fillModes($("left-mode"), params.get("left") || info.left);
  fillModes($("right-mode"), params.get("right") || info.right);
  $("k").value = params.get("k") || info.k;
  if (info.judged) {
    for (const q of info.queries) {
      const o = el("option", null, q.id + ": " + q.text);
      o.value = q.id;
      $("pick").appendChild(o);
    }
  } else {
    $("pick").hidden = true;
  }
  $("pick").addEventListener("change", () => {
    const q = info.queries.find((x) => x.id === $("pick").value);
    if (!q) return;
    $("q").value = q.text;
    pickedId = q.id;
    search();
  });
  $("q").addEventListener("input", () => { pickedId = ""; $("pick").value = ""; });
  $("search").addEventListener("submit", (e) => { e.preventDefault(); search(); });
  for (const s of [$("left-mode"), $("right-mode")]) {
    s.addEventListener("change", () => { if ($("q").value.trim()) search(); });
  }
  pollStats();
  setInterval(pollStats, 1000);
  if (params.get("q")) {
    $("q").value = params.get("q");
    pickedId = params.get("qid") || "";
    $("pick").value = pickedId;
    search();
  }
}

async function search() {
  const text = $("q").value.trim();
  if (!text) return;
  const p = new URLSearchParams({ q: text, left: $("left-mode").value, right: $("right-mode").value,
      k: $("k").value });
  if (pickedId) p.set("qid", pickedId);
  history.replaceState(null, "", "?" + p.toString());
  document.body.dataset.state = "loading";
  $("summary").textContent = "asking " + $("left-mode").value + " and " + $("right-mode").value + " …";
  try {
    const c = await getJson("api/search?" + p.toString());
    render(c);
    document.body.dataset.state = "done";
  } catch (e) {
    $("summary").replaceChildren(el("span", "error", String(e.message || e)));
    document.body.dataset.state = "error";
  }
}

function render(c) {
  const s = $("summary");
  s.replaceChildren();
  const n = Math.max(c.left.hits.length, c.right.hits.length);
  s.appendChild(el("span", "overlap-count", c.overlap + " of " + n + " documents in both lists"));
  s.appendChild(document.createTextNode(c.judged
      ? " · query " + c.queryId + " is judged: grades from the qrels"
      : " · not one of the collection's judged queries: no grades"));
  renderColumn($("left"), c.left, c.right.mode, c.judged);
  renderColumn($("right"), c.right, c.left.mode, c.judged);
}

function renderColumn(section, col, otherMode, judged) {
  const meta = section.querySelector(".meta");
  const notes = section.querySelector(".notes");
  const list = section.querySelector(".hits");
  list.replaceChildren();
  notes.replaceChildren();
  section.dataset.mode = col.mode;
  if (col.error) {
    meta.textContent = "";
    notes.appendChild(el("div", "error", col.error));
    return;
  }
  const parts = [col.hits.length + " hits"];
  if (col.mode !== section.querySelector(".mode").value) parts.unshift("answered as " + col.mode);
  if (col.totalMatched !== null && col.totalMatched !== undefined) parts.push(col.totalMatched + " matched by BM25");
  if (col.millis !== null) parts.push(fmt(col.millis, 0) + " ms");
  if (col.ndcg !== null && col.ndcg !== undefined) {
    parts.push("nDCG@" + col.hits.length + " " + fmt(col.ndcg, 3));
    parts.push(col.relevant + " relevant");
  }
  if (col.partial) parts.push("PARTIAL");
  meta.textContent = parts.join(" · ");
  for (const note of col.notes) notes.appendChild(el("div", null, note));
  for (const h of col.hits) list.appendChild(hitItem(h, col.mode, otherMode, judged));
}

function evidence(cls, label, rank, score, digits) {
  if (rank === null || rank === undefined) return el("span", "ev " + cls + " absent", label + " –");
  return el("span", "ev " + cls, label + " #" + rank + (score === null || score === undefined ? "" : " · " + fmt(score, digits)));
}

function hitItem(h, mode, otherMode, judged) {
  const both = h.otherRank !== null && h.otherRank !== undefined;
  const li = el("li", "hit " + (both ? "both" : "only"));
  li.dataset.doc = h.docId;
  li.dataset.rank = h.rank;
  li.appendChild(el("span", "rank", String(h.rank)));
  // results carry titles only; the loaded collection's text stands in where a collection has no titles
  const hasTitle = h.title && h.title.trim();
  const title = el("div", hasTitle ? "title" : "title snippet", hasTitle ? h.title : (h.snippet || h.docId));
  if (h.snippet) title.title = h.snippet;
  li.appendChild(title);
  const side = el("div", "side");
  side.appendChild(el("span", "overlap-mark", both ? "◆ #" + h.otherRank + " in " + otherMode : "only here"));
  if (judged) {
    const g = h.grade;
    const rel = g === null || g === undefined ? el("span", "rel unjudged", "unjudged")
        : el("span", "rel g" + Math.min(g, 3), g >= 1 ? "rel " + g : "not rel");
    rel.dataset.grade = g === null || g === undefined ? "" : String(g);
    side.appendChild(rel);
  }
  li.appendChild(side);
  const ev = el("div", "evidence");
  const doc = el("span", "doc", h.docId);
  doc.appendChild(el("span", "score", fmt(h.score, 4)));
  ev.appendChild(doc);
  // a list the mode does not run is no evidence: bm25 has no dense list, dense no BM25 list
  if (mode !== "dense") ev.appendChild(evidence("bm25", "BM25", h.bm25Rank, h.bm25Score, 2));
  if (mode !== "bm25") ev.appendChild(evidence("dense", "dense", h.denseRank, h.denseScore, 3));
  if (h.maxSim !== null && h.maxSim !== undefined) ev.appendChild(el("span", "ev maxsim", "MaxSim " + fmt(h.maxSim, 3)));
  if (h.crossEncoder !== null && h.crossEncoder !== undefined) {
    ev.appendChild(el("span", "ev ce", "cross-enc " + fmt(h.crossEncoder, 3)));
  }
  li.appendChild(ev);
  // hovering a hit outlines the same document in the other column
  li.addEventListener("mouseenter", () => twins(h.docId, true));
  li.addEventListener("mouseleave", () => twins(h.docId, false));
  return li;
}

function twins(docId, on) {
  for (const li of document.querySelectorAll(".hit")) {
    if (li.dataset.doc === docId) li.classList.toggle("twin", on);
  }
}

async function pollStats() {
  try {
    const s = await getJson("api/stats");
    $("stat-documents").textContent = s.documents === null ? "–" : s.documents.toLocaleString("en");
    $("stat-rate").textContent = fmt(s.ingestPerSecond, 0);
    $("stat-dead").textContent = String(s.deadLetters);
    $("stat-dead").parentElement.title = s.documentsRefused + " documents refused; by topic: "
        + JSON.stringify(s.deadLettersByTopic);
    $("stat-age").textContent = s.statsAgeMillis === null ? "waiting for the job …"
        : s.statsAgeMillis > 5000 ? "figures " + Math.round(s.statsAgeMillis / 1000) + " s old" : "live";
    $("last-dead").textContent = s.lastDeadLetter ? "last dead letter: " + s.lastDeadLetter : "";
  } catch (e) {
    $("stat-age").textContent = "stats unavailable";
  }
}

init().catch((e) => { $("summary").replaceChildren(el("span", "error", "cannot load: " + e.message)); });
